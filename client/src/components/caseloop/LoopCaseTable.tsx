import type { CaseSummary } from '@protocol/cases.ts';
import { useT } from '../../i18n/index.ts';
import { disputeTypeLabel } from '../../i18n/labels.ts';
import { Link, navigate } from '../../router.tsx';
import { LightAndNumberCells, PartiesCell } from '../CaseList.tsx';
import { VideoCallIcon } from '../Icons.tsx';
import { loopLabel } from './labels.ts';

/** A case-loop list (work queue, red cases): light first, in the server's order (red pinned on top). */
export function LoopCaseTable({
  cases,
  showSession = false,
  onStartSession,
}: {
  cases: CaseSummary[];
  showSession?: boolean;
  /** Start a session on an assigned case and go into it (the mediator's one click). */
  onStartSession?: (c: CaseSummary) => void;
}) {
  const t = useT();
  return (
    <table className="case-table loop-table">
      <thead>
        <tr>
          <th scope="col">{t('cl.col.light')}</th>
          <th scope="col">{t('cases.col.number')}</th>
          <th scope="col">{t('cases.col.title')}</th>
          <th scope="col">{t('cl.col.state')}</th>
          <th scope="col">{t('cl.col.unit')}</th>
          <th scope="col">{t('cases.col.parties')}</th>
          <th scope="col" className="case-table__action-col">
            <span className="visually-hidden">{t('cases.col.action')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => (
          <tr
            key={c.id}
            data-testid="loop-row"
            data-case-id={c.id}
            data-light={c.light ?? 'none'}
            className={c.light === 'red' ? 'loop-table__row--red' : undefined}
          >
            <LightAndNumberCells kase={c} />
            <td className="case-table__title" data-label={t('cases.col.title')}>
              <span className="tag">{disputeTypeLabel(t, c.disputeType)}</span> {c.title}
              {c.supervision.open > 0 && (
                <span className={`badge ${c.supervision.overdue > 0 ? 'badge--bad' : 'badge--active'} loop-table__sup`}>
                  {t('cl.sup.badge', { n: c.supervision.open })}
                </span>
              )}
            </td>
            <td data-label={t('cl.col.state')}>
              <span className={`state-pill state-pill--${c.state}`}>{loopLabel(t, 'state', c.state)}</span>
            </td>
            <td data-label={t('cl.col.unit')}>
              {c.unit ? c.unit.name : <span className="muted">{t('cl.unrouted')}</span>}
              {c.leadMediator && <div className="muted">{c.leadMediator.displayName}</div>}
            </td>
            <PartiesCell kase={c} />
            <td className="case-table__action">
              <div className="loop-table__actions">
                <Link to={`/cases/${encodeURIComponent(c.id)}`} className="btn btn--secondary btn--sm" data-testid="open-case">
                  {t('cl.openCase')}
                </Link>
                {showSession && c.activeSessionId && (
                  <button
                    type="button"
                    className="btn btn--primary btn--sm"
                    data-testid="queue-enter-session"
                    onClick={() => navigate(`/session/${encodeURIComponent(c.activeSessionId!)}`)}
                  >
                    <VideoCallIcon size={18} />
                    {t('cl.enterSession')}
                  </button>
                )}
                {showSession && !c.activeSessionId && onStartSession && (c.state === 'assigned' || c.state === 'in_mediation') && (
                  <button type="button" className="btn btn--primary btn--sm" data-testid="queue-start-session" onClick={() => onStartSession(c)}>
                    <VideoCallIcon size={18} />
                    {t('cl.startSession')}
                  </button>
                )}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
