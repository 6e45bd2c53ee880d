import type { DrillCase } from '@protocol/assessment.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../i18n/labels.ts';
import { Link } from '../../router.tsx';
import { loopLabel } from '../caseloop/labels.ts';

/* The cases behind one number of the ranking. */
export function DrillList({ title, cases, onClose }: { title: string; cases: readonly DrillCase[]; onClose: () => void }) {
  const t = useT();
  const language = useLanguage();
  return (
    <section className="card card--flush as-drill" data-testid="assessment-drill" aria-labelledby="as-drill-title">
      <div className="card__toolbar">
        <h2 className="card__title" id="as-drill-title">
          {title}
        </h2>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          {t('as.drillClose')}
        </button>
      </div>
      {cases.length === 0 ? (
        <p className="empty empty--small">{t('as.drillEmpty')}</p>
      ) : (
        <ul className="as-drill__list">
          {cases.map((c) => (
            <li key={c.id} className="as-drill__item">
              <Link to={`/cases/${c.id}`} className="as-drill__number">
                {c.caseNumber}
              </Link>
              <span className="as-drill__title">{c.title}</span>
              <span className="muted">
                {loopLabel(t, 'state', c.state)} · {c.unitName ?? t('cl.unrouted')}
                {c.leadName ? ` · ${c.leadName}` : ''}
              </span>
              <span className="muted as-drill__dates">
                {t('as.col.received')} {formatDateTime(c.createdAt, language)}
                {c.closedAt ? ` · ${t('as.col.closed')} ${formatDateTime(c.closedAt, language)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
