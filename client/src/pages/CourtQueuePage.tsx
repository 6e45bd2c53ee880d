import { useState } from 'react';
import { judicialQueueFilters, type JudicialQueueItem } from '@protocol/judicial.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { sideAndName, useAT } from '../components/agreement/i18n.ts';
import { useJT, type JudicialKey } from '../components/judicial/i18n.ts';
import { deadlineText, JudicialStatusPill } from '../components/judicial/parts.tsx';
import '../components/agreement/agreement.css';
import { useAsync } from '../hooks/useAsync.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText, formatDateTime } from '../i18n/labels.ts';
import { judicialApi } from '../services/judicialApi.ts';
import { Link } from '../router.tsx';

type Filter = (typeof judicialQueueFilters)[number];
const filterLabel: Record<Filter, JudicialKey> = { open: 'queue.filter.open', decided: 'queue.filter.decided', all: 'queue.filter.all' };
const DAY_MS = 24 * 3600_000;

/** 司法确认 (judges): their court's applications, the earliest submitted first; a status filter; how long each has waited. */
export function CourtQueuePage() {
  const t = useJT();
  const tm = useT();
  const [filter, setFilter] = useState<Filter>('open');
  const queue = useAsync(() => judicialApi.queue(filter), [filter]);
  const items = queue.data ?? [];

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('queue.title')}</h1>
          <p className="page-head__subtitle">{t('queue.subtitle')}</p>
        </div>
      </div>
      <section className="card card--flush" data-testid="court-queue">
        <div className="card__toolbar">
          <div className="jud-filter" role="group" aria-label={t('queue.filter')}>
            {judicialQueueFilters.map((f) => (
              <button
                key={f}
                type="button"
                className="btn btn--ghost btn--sm"
                aria-pressed={filter === f}
                onClick={() => setFilter(f)}
                data-testid={`court-filter-${f}`}
              >
                {t(filterLabel[f])}
              </button>
            ))}
          </div>
          {queue.data && <span className="muted">{t('queue.count', { n: items.length })}</span>}
        </div>
        {queue.loading && !queue.data && <Spinner label={tm('common.loading')} />}
        {queue.error !== undefined && <Alert>{errorText(tm, queue.error)}</Alert>}
        {queue.data && items.length === 0 && <p className="empty empty--small">{t('queue.empty')}</p>}
        {items.length > 0 && <QueueTable items={items} />}
      </section>
    </AppShell>
  );
}

function QueueTable({ items }: { items: JudicialQueueItem[] }) {
  const t = useJT();
  const tm = useT();
  const at = useAT();
  const lang = useLanguage();
  const waited = (since: string) => {
    const days = Math.floor((Date.now() - Date.parse(since)) / DAY_MS);
    return days <= 0 ? t('queue.today') : t('queue.days', { n: days });
  };
  return (
    <table className="data-table jud-queue">
      <thead>
        <tr>
          <th scope="col">{t('queue.col.case')}</th>
          <th scope="col">{t('queue.col.applicants')}</th>
          <th scope="col">{t('queue.col.submitted')}</th>
          <th scope="col">{t('queue.col.waiting')}</th>
          <th scope="col">{t('queue.col.deadline')}</th>
          <th scope="col">{t('queue.col.status')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('queue.open')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map(({ application: a, caseTitle, disputeType }) => (
          <tr key={a.id} data-testid="court-queue-row" data-application-id={a.id} data-status={a.status}>
            <td>
              <span className="jud-queue__case">
                <strong>{caseTitle}</strong>
                <span className="muted">
                  {a.caseNumber} · {disputeTypeLabel(tm, disputeType)}
                </span>
              </span>
            </td>
            <td data-label={t('queue.col.applicants')}>{a.parties.map((p) => sideAndName(at, p.side, p.name)).join(t('sep.list'))}</td>
            <td data-label={t('queue.col.submitted')}>{a.submittedAt ? formatDateTime(a.submittedAt, lang) : '—'}</td>
            <td data-label={t('queue.col.waiting')}>{a.submittedAt && !a.decidedAt ? waited(a.submittedAt) : '—'}</td>
            <td data-label={t('queue.col.deadline')}>{deadlineText(t, a.deadlineAt, lang).date}</td>
            <td data-label={t('queue.col.status')}>
              <JudicialStatusPill status={a.status} />
            </td>
            <td>
              <Link to={`/court/applications/${encodeURIComponent(a.id)}`} className="btn btn--primary btn--sm" data-testid="court-queue-open">
                {t('queue.open')}
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
