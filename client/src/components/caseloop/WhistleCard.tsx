import { useState } from 'react';
import type { CaseDetail, UnitInfo, WhistleInfo } from '@protocol/cases.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { useStore } from '../../hooks/useStore.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { staffAuth } from '../../services/session.ts';
import { Alert } from '../Feedback.tsx';
import { FormField } from '../FormField.tsx';
import { durationText } from './labels.ts';
import { useApiSubmit } from '../../hooks/useFieldErrors.ts';

/** 吹哨报到: the lead mediator calls in a department; everyone sees the requests and their acceptance. */
export function WhistleCard({ detail, canBlow, refreshKey, onChanged }: { detail: CaseDetail; canBlow: boolean; refreshKey: string; onChanged: () => void }) {
  const t = useT();
  const language = useLanguage();
  const [tick, setTick] = useState(0);
  const whistles = useAsync(() => loopApi.caseWhistles(detail.id).catch(() => []), [detail.id, refreshKey, tick]);
  const [formOpen, setFormOpen] = useState(false);
  const [closing, setClosing] = useState<string | null>(null);
  const auth = useStore(staffAuth);
  const list = whistles.data ?? [];
  // The server checks again: the mediator who made the request, or the case's lead mediator.
  const mayCancel = (w: WhistleInfo) =>
    auth?.user.role === 'mediator' && w.status === 'open' && (w.requestedBy.id === auth.user.id || detail.leadMediator?.id === auth.user.id);
  const afterChange = () => {
    setClosing(null);
    setTick((n) => n + 1);
    onChanged();
  };
  if (!canBlow && list.length === 0) return null;

  return (
    <section className="card" aria-labelledby="whistle-title" data-testid="whistle-card">
      <div className="loop-card__head">
        <h2 className="card__title" id="whistle-title">
          {t('cl.wh.title')}
        </h2>
        {canBlow && !formOpen && (
          <button type="button" className="btn btn--secondary btn--sm" onClick={() => setFormOpen(true)} data-testid="whistle-open">
            {t('cl.wh.blow')}
          </button>
        )}
      </div>
      <p className="muted card__hint">{t('cl.wh.hint')}</p>
      {formOpen && (
        <WhistleForm
          caseId={detail.id}
          onCancel={() => setFormOpen(false)}
          onDone={() => {
            setFormOpen(false);
            setTick((n) => n + 1);
            onChanged();
          }}
        />
      )}
      {list.length > 0 && (
        <ul className="whistle-list">
          {list.map((w) => (
            <li key={w.id} className="whistle-list__item" data-testid="whistle-item" data-status={w.status}>
              <div className="whistle-list__head">
                <strong>{w.unit.name}</strong>
                <span
                  className={`badge ${w.status === 'accepted' ? 'badge--good' : w.status === 'open' ? 'badge--active' : w.status === 'declined' ? 'badge--bad' : 'badge--neutral'}`}
                >
                  {t(`cl.wh.status.${w.status}`)}
                </span>
              </div>
              <p>{w.need}</p>
              <p className="muted">
                {t('cl.wh.requested', { name: w.requestedBy.displayName, time: formatDateTime(w.requestedAt, language) })}
                {w.acceptedBy && w.acceptedAt && (
                  <>
                    {' · '}
                    {t('cl.wh.accepted', {
                      name: w.acceptedBy.displayName,
                      time: formatDateTime(w.acceptedAt, language),
                      took: durationText(t, (w.responseSeconds ?? 0) * 1000),
                    })}
                  </>
                )}
              </p>
              <WhistleClosedNote whistle={w} />
              {mayCancel(w) &&
                (closing === w.id ? (
                  <WhistleCloseForm whistleId={w.id} kind="cancel" onDone={afterChange} onCancel={() => setClosing(null)} />
                ) : (
                  <div className="form-actions">
                    <button type="button" className="btn btn--ghost btn--sm" onClick={() => setClosing(w.id)} data-testid="whistle-cancel">
                      {t('cl.wh.cancel')}
                    </button>
                  </div>
                ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WhistleForm({ caseId, onDone, onCancel }: { caseId: string; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const departments = useAsync<UnitInfo[]>(() => loopApi.units({ kind: 'department' }), []);
  const [unitId, setUnitId] = useState('');
  const [need, setNeed] = useState('');
  const { busy, errors, submit } = useApiSubmit(async () => {
    await loopApi.blowWhistle(caseId, { unitId, need });
    onDone();
  });

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate data-testid="whistle-form">
      <FormField label={t('cl.wh.department')} error={errors.get('unitId')}>
        <select name="whistleUnit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
          <option value="">{t('cl.form.choose')}</option>
          {(departments.data ?? [])
            .filter((u) => u.active)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
        </select>
      </FormField>
      <FormField label={t('cl.wh.need')} error={errors.get('need')} hint={t('cl.wh.needHint')}>
        <textarea name="whistleNeed" rows={2} value={need} onChange={(e) => setNeed(e.target.value)} />
      </FormField>
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="form-actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="whistle-submit">
          {t('cl.wh.send')}
        </button>
      </div>
    </form>
  );
}

/** Who cancelled or declined a request, when and why. */
export function WhistleClosedNote({ whistle: w }: { whistle: WhistleInfo }) {
  const t = useT();
  const language = useLanguage();
  if ((w.status !== 'cancelled' && w.status !== 'declined') || !w.closedBy || !w.closedAt) return null;
  return (
    <p className="muted" data-testid="whistle-closed-note">
      {t(`cl.wh.closed.${w.status}`, { name: w.closedBy.displayName, time: formatDateTime(w.closedAt, language), reason: w.closeReason ?? '' })}
    </p>
  );
}

/** Cancelling (the mediator) or declining (the department's official) an open request: a reason is required. */
export function WhistleCloseForm({
  whistleId,
  kind,
  onDone,
  onCancel,
}: {
  whistleId: string;
  kind: 'cancel' | 'decline';
  onDone: (w: WhistleInfo) => void;
  onCancel: () => void;
}) {
  const t = useT();
  const [reason, setReason] = useState('');
  const { busy, errors, submit } = useApiSubmit(async () => {
    const body = { reason };
    onDone(kind === 'cancel' ? await loopApi.cancelWhistle(whistleId, body) : await loopApi.declineWhistle(whistleId, body));
  });
  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate data-testid={`whistle-${kind}-form`}>
      <FormField label={t('cl.wh.reason')} error={errors.get('reason')} hint={t(kind === 'cancel' ? 'cl.wh.cancelReasonHint' : 'cl.wh.declineReasonHint')}>
        <textarea name="whistleReason" rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </FormField>
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="form-actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--danger" disabled={busy} data-testid={`whistle-${kind}-submit`}>
          {t(kind === 'cancel' ? 'cl.wh.confirmCancel' : 'cl.wh.confirmDecline')}
        </button>
      </div>
    </form>
  );
}
