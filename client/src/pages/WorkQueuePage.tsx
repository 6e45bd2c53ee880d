import { useState } from 'react';
import type { CaseSummary } from '@protocol/cases.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { LoopCaseTable } from '../components/caseloop/LoopCaseTable.tsx';
import { SupervisionInbox } from '../components/caseloop/SupervisionInbox.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { loopApi } from '../services/caseloopApi.ts';
import { navigate } from '../router.tsx';

/** The mediator's work queue: my cases, red first, then by deadline; one click into the session. */
export function WorkQueuePage() {
  const t = useT();
  const cases = useAsync(() => loopApi.listCases({ mine: true }), []);
  const [error, setError] = useState<string | null>(null);

  const start = async (c: CaseSummary) => {
    setError(null);
    try {
      const session = await api.startSession(c.id);
      navigate(`/session/${encodeURIComponent(session.id)}`);
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const counts = { red: 0, yellow: 0, green: 0 };
  for (const c of cases.data ?? []) if (c.light === 'red' || c.light === 'yellow' || c.light === 'green') counts[c.light]++;

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('cl.queue.title')}</h1>
          <p className="page-head__subtitle">{t('cl.queue.subtitle')}</p>
        </div>
        <div className="light-summary" aria-label={t('cl.col.light')}>
          <span className="light light--red">
            <span className="light__dot" aria-hidden="true" />
            <strong>
              {t('cl.light.red')} {counts.red}
            </strong>
          </span>
          <span className="light light--yellow">
            <span className="light__dot" aria-hidden="true" />
            <strong>
              {t('cl.light.yellow')} {counts.yellow}
            </strong>
          </span>
          <span className="light light--green">
            <span className="light__dot" aria-hidden="true" />
            <strong>
              {t('cl.light.green')} {counts.green}
            </strong>
          </span>
        </div>
      </div>
      <SupervisionInbox />
      {error && <Alert>{error}</Alert>}
      <section className="card card--flush">
        {cases.loading && !cases.data && <Spinner label={t('common.loading')} />}
        {cases.error !== undefined && !cases.loading && (
          <div className="card__pad">
            <Alert>{errorText(t, cases.error)}</Alert>
          </div>
        )}
        {cases.data && cases.data.length === 0 && <p className="empty">{t('cl.queue.empty')}</p>}
        {cases.data && cases.data.length > 0 && (
          <>
            <div className="card__toolbar">
              <span className="muted">{t('cases.count', { n: cases.data.length })}</span>
              <button type="button" className="btn btn--text btn--sm" onClick={cases.reload}>
                {t('cl.refresh')}
              </button>
            </div>
            <LoopCaseTable cases={cases.data} showSession onStartSession={(c) => void start(c)} />
          </>
        )}
      </section>
    </AppShell>
  );
}
