import type { CaseSummary } from '@protocol/cases.ts';
import { useT } from '../i18n/index.ts';
import { caseStateLabel, caseStateTone, disputeTypeLabel, sideLabel } from '../i18n/labels.ts';
import { Link } from '../router.tsx';
import { LightBadge } from './caseloop/LightBadge.tsx';

type CaseState = CaseSummary['state'];

/** The case's state, labelled from the client catalogue in either language. */
export function StatusBadge({ state }: { state: CaseState }) {
  const t = useT();
  return (
    <span className={`badge badge--${caseStateTone(state)}`} data-state={state}>
      {caseStateLabel(t, state)}
    </span>
  );
}

/** The first two cells of a case row (the staff case list and the case-loop lists): light, then case number. */
export function LightAndNumberCells({ kase }: { kase: CaseSummary }) {
  const t = useT();
  return (
    <>
      <td data-label={t('cl.col.light')}>
        <LightBadge kase={kase} compact />
      </td>
      <td className="case-table__number" data-label={t('cases.col.number')}>
        {kase.caseNumber}
      </td>
    </>
  );
}

/** A case row's parties cell: side, name and masked phone of each party. */
export function PartiesCell({ kase }: { kase: CaseSummary }) {
  const t = useT();
  return (
    <td data-label={t('cases.col.parties')}>
      <ul className="party-chips">
        {kase.parties.map((p) => (
          <li key={p.id} className="party-chip">
            <span className={`party-chip__side party-chip__side--${p.side}`}>{sideLabel(t, p.side)}</span>
            <span className="party-chip__name">{p.name}</span>
            <span className="party-chip__phone">{p.phoneMasked}</span>
          </li>
        ))}
      </ul>
    </td>
  );
}

/** The staff case list: a table on desktops, stacked cards on phones. */
export function CaseList({ cases }: { cases: CaseSummary[] }) {
  const t = useT();
  return (
    <table className="case-table">
      <thead>
        <tr>
          <th scope="col">{t('cl.col.light')}</th>
          <th scope="col">{t('cases.col.number')}</th>
          <th scope="col">{t('cases.col.type')}</th>
          <th scope="col">{t('cases.col.title')}</th>
          <th scope="col">{t('cases.col.parties')}</th>
          <th scope="col">{t('cases.col.status')}</th>
          <th scope="col" className="case-table__action-col">
            <span className="visually-hidden">{t('cases.col.action')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => (
          <tr key={c.id} data-testid="case-row" data-case-id={c.id} data-light={c.light ?? 'none'}>
            <LightAndNumberCells kase={c} />
            <td data-label={t('cases.col.type')}>
              <span className="tag">{disputeTypeLabel(t, c.disputeType)}</span>
            </td>
            <td className="case-table__title" data-label={t('cases.col.title')}>
              {c.title}
            </td>
            <PartiesCell kase={c} />
            <td data-label={t('cases.col.status')}>
              <div className="case-table__status">
                <StatusBadge state={c.state} />
                {c.activeSessionId && <span className="badge badge--live">{t('cases.live')}</span>}
                {c.unit && <span className="muted case-table__unit">{c.unit.name}</span>}
              </div>
            </td>
            <td className="case-table__action">
              <Link to={`/cases/${encodeURIComponent(c.id)}`} className="btn btn--primary btn--sm">
                {t('cases.enter')}
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
