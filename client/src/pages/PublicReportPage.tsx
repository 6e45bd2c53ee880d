import { disputeTypes, type DisputeType } from '@protocol/caseLoop.ts';
import { useState, type FormEvent } from 'react';
import { publicCaseRequest, type PublicCaseReceipt, type PublicCaseRequest } from '@protocol/cases.ts';
import type { PartySide } from '@protocol/roles.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { ReportLocation } from '../components/ReportLocation.tsx';
import type { GeoPoint } from '@protocol/grids.ts';
import { ReceiptActions } from '../components/caseloop/ReceiptActions.tsx';
import { useFieldErrors } from '../hooks/useFieldErrors.ts';
import { zodDetails } from '@protocol/errors.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, formatDateTime, sideLabel } from '../i18n/labels.ts';
import { ApiError } from '../services/api.ts';
import { publicApi } from '../services/caseloopApi.ts';
import { Link } from '../router.tsx';

interface PartyDraft {
  side: PartySide;
  name: string;
  phone: string;
  idNumber: string;
}

/** 网上申请: a citizen reports a dispute without logging in and gets a case number and a query code. */
export function PublicReportPage() {
  const t = useT();
  const language = useLanguage();
  const errors = useFieldErrors();
  const [disputeType, setDisputeType] = useState<DisputeType | ''>('');
  const [description, setDescription] = useState('');
  const [place, setPlace] = useState({ district: '', town: '', community: '' });
  const [point, setPoint] = useState<GeoPoint | null>(null);
  const [parties, setParties] = useState<PartyDraft[]>([
    { side: 'applicant', name: '', phone: '', idNumber: '' },
    { side: 'respondent', name: '', phone: '', idNumber: '' },
  ]);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<PublicCaseReceipt | null>(null);

  const setParty = (i: number, patch: Partial<PartyDraft>) => setParties((list) => list.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.reset();
    // The respondent row may be left blank (not every citizen knows the other side's phone).
    const rows = parties.filter((p, i) => i === 0 || p.name.trim() !== '' || p.phone.trim() !== '');
    const body: PublicCaseRequest = {
      disputeType: disputeType as DisputeType,
      description,
      ...Object.fromEntries(Object.entries(place).filter(([, v]) => v.trim() !== '')),
      ...(point ? { location: point } : {}),
      parties: rows.map((p) => ({ side: p.side, name: p.name, phone: p.phone, ...(p.idNumber.trim() ? { idNumber: p.idNumber } : {}) })),
    };
    const check = publicCaseRequest.safeParse(body);
    if (!check.success) {
      errors.take(new ApiError('bad_request', 'invalid', 400, zodDetails(check.error)));
      return;
    }
    setBusy(true);
    try {
      setReceipt(await publicApi.report(body));
      window.scrollTo(0, 0);
    } catch (err) {
      errors.take(err);
    } finally {
      setBusy(false);
    }
  };

  if (receipt) {
    return (
      <AppShell narrow>
        <section className="card receipt" data-testid="report-receipt">
          <h1 className="receipt__title">{t('cl.pub.received')}</h1>
          <dl className="receipt__codes">
            <dt>{t('cl.pub.caseNumber')}</dt>
            <dd data-testid="receipt-case-number">{receipt.caseNumber}</dd>
            <dt>{t('cl.pub.queryCode')}</dt>
            <dd data-testid="receipt-query-code">{receipt.queryCode}</dd>
          </dl>
          <p className="receipt__keep" role="note">
            {t('cl.pub.keep')}
          </p>
          <p className="muted">{t('cl.pub.receivedAt', { time: formatDateTime(receipt.createdAt, language) })}</p>
          <ReceiptActions receipt={receipt} />
          <Link to="/query" className="btn btn--primary btn--block">
            {t('cl.pub.goQuery')}
          </Link>
        </section>
      </AppShell>
    );
  }

  return (
    <AppShell narrow>
      <section className="card public-form">
        <h1 className="card__title public-form__title">{t('cl.pub.reportTitle')}</h1>
        <p className="card__subtitle">{t('cl.pub.reportLead')}</p>
        <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="report-form">
          <FormField label={t('newCase.disputeType')} error={errors.get('disputeType')}>
            <select name="disputeType" value={disputeType} onChange={(e) => setDisputeType(e.target.value as DisputeType)}>
              <option value="">{t('cl.form.choose')}</option>
              {disputeTypes.map((d) => (
                <option key={d} value={d}>
                  {disputeTypeLabel(t, d)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField label={t('cl.pub.what')} error={errors.get('description')} hint={t('cl.pub.whatHint')}>
            <textarea name="description" rows={5} value={description} onChange={(e) => setDescription(e.target.value)} />
          </FormField>
          <fieldset className="public-form__group">
            <legend>{t('cl.pub.where')}</legend>
            <div className="form-grid">
              <FormField label={t('cl.pub.district')} optional={t('common.optional')}>
                <input name="district" value={place.district} onChange={(e) => setPlace({ ...place, district: e.target.value })} />
              </FormField>
              <FormField label={t('cl.pub.town')} optional={t('common.optional')}>
                <input name="town" value={place.town} onChange={(e) => setPlace({ ...place, town: e.target.value })} />
              </FormField>
              <FormField label={t('cl.pub.community')} optional={t('common.optional')}>
                <input name="community" value={place.community} onChange={(e) => setPlace({ ...place, community: e.target.value })} />
              </FormField>
            </div>
            <ReportLocation point={point} onChange={setPoint} />
          </fieldset>
          {parties.map((p, i) => (
            <fieldset className="public-form__group" key={i}>
              <legend>
                {i === 0 ? t('cl.pub.you') : t('cl.pub.other')}
                {i > 0 && <span className="field__optional">{t('punct.paren', { text: t('common.optional') })}</span>}
              </legend>
              <div className="form-grid">
                <FormField label={t('newCase.partyName')} error={errors.get(`parties.${i}.name`)}>
                  <input
                    name={`parties.${i}.name`}
                    value={p.name}
                    autoComplete={i === 0 ? 'name' : 'off'}
                    onChange={(e) => setParty(i, { name: e.target.value })}
                  />
                </FormField>
                <FormField
                  label={t('newCase.partyPhone')}
                  optional={i > 0 ? t('common.optional') : undefined}
                  hint={i === 0 ? t('cl.pub.phoneHint') : undefined}
                  error={errors.get(`parties.${i}.phone`)}
                >
                  <input
                    name={`parties.${i}.phone`}
                    type="tel"
                    inputMode="tel"
                    value={p.phone}
                    autoComplete={i === 0 ? 'tel' : 'off'}
                    onChange={(e) => setParty(i, { phone: e.target.value })}
                  />
                </FormField>
                {i === 0 && (
                  <FormField label={t('cl.pub.idNumber')} optional={t('common.optional')} error={errors.get(`parties.${i}.idNumber`)}>
                    <input name={`parties.${i}.idNumber`} value={p.idNumber} onChange={(e) => setParty(i, { idNumber: e.target.value })} />
                  </FormField>
                )}
              </div>
              {i === 0 && (
                <p className="muted">
                  {sideLabel(t, 'applicant')} · {t('cl.pub.privacy')}
                </p>
              )}
            </fieldset>
          ))}
          {errors.message && <Alert>{errors.message}</Alert>}
          <button type="submit" className="btn btn--primary btn--lg btn--block" disabled={busy} data-testid="report-submit">
            {busy ? t('cl.form.saving') : t('cl.pub.submit')}
          </button>
          <p className="muted public-form__foot">
            {t('cl.pub.already')} <Link to="/query">{t('cl.pub.goQuery')}</Link>
          </p>
        </form>
      </section>
    </AppShell>
  );
}
