import { useState, type FormEvent } from 'react';
import type { PublicCaseProgress } from '@protocol/cases.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { loopLabel } from '../components/caseloop/labels.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText, formatDateTime } from '../i18n/labels.ts';
import { ApiError } from '../services/api.ts';
import { publicApi } from '../services/caseloopApi.ts';
import { Link } from '../router.tsx';

/** 进度查询: case number + query code (sent in the body, never the URL) → progress and public events; nothing personal. */
export function PublicQueryPage() {
  const t = useT();
  const language = useLanguage();
  const [caseNumber, setCaseNumber] = useState('');
  const [queryCode, setQueryCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<PublicCaseProgress | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!caseNumber.trim() || !queryCode.trim()) {
      setError(t('cl.pub.queryMissing'));
      return;
    }
    setBusy(true);
    try {
      setProgress(await publicApi.query({ caseNumber, queryCode }));
    } catch (err) {
      setProgress(null);
      setError(err instanceof ApiError && err.code === 'not_found' ? t('cl.pub.queryNoMatch') : errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const stateText = (p: PublicCaseProgress) => loopLabel(t, 'state', p.state);

  return (
    <AppShell narrow>
      <section className="card public-form">
        <h1 className="card__title public-form__title">{t('cl.pub.queryTitle')}</h1>
        <p className="card__subtitle">{t('cl.pub.queryLead')}</p>
        <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="query-form">
          <FormField label={t('cl.pub.caseNumber')}>
            <input name="caseNumber" value={caseNumber} autoComplete="off" onChange={(e) => setCaseNumber(e.target.value)} />
          </FormField>
          <FormField label={t('cl.pub.queryCode')}>
            <input name="queryCode" value={queryCode} autoComplete="off" autoCapitalize="characters" onChange={(e) => setQueryCode(e.target.value)} />
          </FormField>
          {error && <Alert>{error}</Alert>}
          <button type="submit" className="btn btn--primary btn--lg btn--block" disabled={busy} data-testid="query-submit">
            {t('cl.pub.querySubmit')}
          </button>
        </form>
      </section>
      {progress && (
        <section className="card progress" data-testid="query-result" data-state={progress.state}>
          <p className="page-head__eyebrow">
            {progress.caseNumber} · {disputeTypeLabel(t, progress.disputeType)}
          </p>
          <h2 className="progress__state">{stateText(progress)}</h2>
          <dl className="info-list">
            <dt>{t('cl.pub.reportedAt')}</dt>
            <dd>{formatDateTime(progress.reportedAt, language)}</dd>
            {progress.unitName && (
              <>
                <dt>{t('cl.col.unit')}</dt>
                <dd>{progress.unitName}</dd>
              </>
            )}
            {progress.deadlineAt && !progress.closedAt && (
              <>
                <dt>{t('cl.pub.deadline')}</dt>
                <dd>{formatDateTime(progress.deadlineAt, language)}</dd>
              </>
            )}
            {progress.closedAt && (
              <>
                <dt>{t('cl.detail.closedAt')}</dt>
                <dd>{formatDateTime(progress.closedAt, language)}</dd>
              </>
            )}
          </dl>
          <ol className="timeline timeline--public">
            {progress.events.map((ev, i) => (
              <li key={i} className="timeline__item">
                <span className="timeline__dot" aria-hidden="true" />
                <div className="timeline__body">
                  <div className="timeline__row">
                    <strong>{ev.unitName ? t('cl.pub.ev.routedTo', { unit: ev.unitName }) : loopLabel(t, 'pub.ev', ev.kind, ev.label)}</strong>
                    <time className="muted" dateTime={ev.at}>
                      {formatDateTime(ev.at, language)}
                    </time>
                  </div>
                </div>
              </li>
            ))}
          </ol>
        </section>
      )}
      <p className="muted public-form__foot">
        <Link to="/report">{t('cl.pub.goReport')}</Link>
      </p>
    </AppShell>
  );
}
