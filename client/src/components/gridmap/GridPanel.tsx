import type { GridFeature, GridFeatureProperties } from '@protocol/grids.ts';
import { Alert, Spinner } from '../Feedback.tsx';
import { LightBadge } from '../caseloop/LightBadge.tsx';
import { loopLabel } from '../caseloop/labels.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { useT, type MessageKey } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { Link } from '../../router.tsx';
import { gridApi } from '../../services/gridApi.ts';
import { staffAuth } from '../../services/session.ts';
import { useStore } from '../../hooks/useStore.ts';

const patrolKey: Record<GridFeatureProperties['patrolFrequency'], MessageKey> = {
  high: 'grid.patrol.high',
  medium: 'grid.patrol.medium',
  low: 'grid.patrol.low',
};

function GridCases({ code }: { code: string }) {
  const t = useT();
  const cases = useAsync(() => gridApi.cases(code), [code]);
  if (cases.error !== undefined) return <Alert>{errorText(t, cases.error)}</Alert>;
  if (!cases.data) return <Spinner />;
  if (cases.data.length === 0) return <p className="muted">{t('grid.noCases')}</p>;
  return (
    <ul className="gridmap-cases" data-testid="grid-cases">
      {cases.data.map((c) => (
        <li key={c.id} className="gridmap-cases__item">
          <Link to={`/cases/${c.id}`} className="gridmap-cases__link">
            <span className="gridmap-cases__title">{c.title}</span>
            <span className="gridmap-cases__meta">
              {c.caseNumber} · {loopLabel(t, 'state', c.state, c.stateLabel)}
            </span>
          </Link>
          <LightBadge kase={c} compact />
        </li>
      ))}
    </ul>
  );
}

/** The side panel: the selected grid and its cases, or the grids to choose from (a grid worker's own first). */
export function GridPanel({
  grid,
  mine,
  features,
  onSelect,
}: {
  grid: GridFeatureProperties | null;
  mine: readonly string[];
  features: readonly GridFeature[];
  onSelect: (code: string) => void;
}) {
  const t = useT();
  const role = useStore(staffAuth)?.user.role;
  const canCreate = role === 'mediator' || role === 'gridworker' || role === 'admin';
  const choices =
    mine.length > 0
      ? features.filter((f) => mine.includes(f.properties.code))
      : features
          .filter((f) => f.properties.counts.open > 0)
          .sort((a, b) => b.properties.counts.red - a.properties.counts.red || b.properties.counts.open - a.properties.counts.open)
          .slice(0, 8);
  return (
    <aside className="card gridmap__panel" data-testid="grid-panel">
      {grid ? (
        <>
          <h2 className="card__title" data-testid="grid-name">
            {grid.name}
          </h2>
          <dl className="gridmap-facts">
            <dt>{t('grid.code')}</dt>
            <dd className="gridmap-facts__code">{grid.code}</dd>
            <dt>{t('grid.place')}</dt>
            <dd>{[grid.county, grid.town, grid.community].filter(Boolean).join(' · ')}</dd>
            <dt>{t('grid.patrol')}</dt>
            <dd>{t(patrolKey[grid.patrolFrequency])}</dd>
            <dt>{t('grid.worker')}</dt>
            <dd>{grid.worker?.displayName ?? '—'}</dd>
            <dt>{t('grid.count.open')}</dt>
            <dd>
              {grid.counts.open}
              {grid.counts.red > 0 && <span className="gridmap-facts__red"> · {t('grid.count.redN', { n: grid.counts.red })}</span>}
            </dd>
          </dl>
          <h3 className="gridmap__sub">{t('grid.cases')}</h3>
          <GridCases key={grid.code} code={grid.code} />
          {canCreate && (
            <Link to={`/?grid=${encodeURIComponent(grid.code)}`} className="btn btn--secondary btn--sm gridmap__new" data-testid="grid-new-case">
              {t('grid.newCase')}
            </Link>
          )}
        </>
      ) : (
        <p className="muted">{t('grid.pick')}</p>
      )}
      {choices.length > 0 && (
        <>
          <h3 className="gridmap__sub">{mine.length > 0 ? t('grid.mine') : t('grid.busiest')}</h3>
          <ul className="gridmap-choices">
            {choices.map((f) => (
              <li key={f.properties.code}>
                <button
                  type="button"
                  className={`gridmap-choices__btn${f.properties.code === grid?.code ? ' gridmap-choices__btn--on' : ''}`}
                  onClick={() => onSelect(f.properties.code)}
                >
                  <span>{f.properties.name}</span>
                  <span className="gridmap-choices__count">{t('grid.count.openN', { n: f.properties.counts.open })}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
