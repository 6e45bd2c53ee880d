import { useMemo, useState } from 'react';
import type { GridFeatureProperties } from '@protocol/grids.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { GridMapChart } from '../components/gridmap/GridMapChart.tsx';
import { GridImportCard } from '../components/gridmap/GridImportCard.tsx';
import { GridPanel } from '../components/gridmap/GridPanel.tsx';
import { legendOf, mapLayers, type MapLayer } from '../components/gridmap/shading.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { useStore } from '../hooks/useStore.ts';
import { useT, type MessageKey } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { gridApi } from '../services/gridApi.ts';
import { staffAuth } from '../services/session.ts';
import '../styles/gridmap.css';

const layerKey: Record<MapLayer, MessageKey> = { open: 'grid.layer.open', red: 'grid.layer.red', patrol: 'grid.layer.patrol' };
const patrolKey: Record<string, MessageKey> = { high: 'grid.patrol.high', medium: 'grid.patrol.medium', low: 'grid.patrol.low' };

/**
 * 网格地图: the city's grids shaded by open cases, red lights or patrol frequency, the centres as
 * points; a click on a grid lists its cases. A grid worker's map is framed on their own grids,
 * which are selected first. Admins load the city's grid file here.
 */
export function GridMapPage() {
  const t = useT();
  const auth = useStore(staffAuth);
  const role = auth?.user.role;
  const map = useAsync(() => gridApi.map(), []);
  const [layer, setLayer] = useState<MapLayer>('open');
  const [picked, setPicked] = useState<string | null>(null);
  const features = map.data?.grids.features;
  const mine = useMemo(() => (features ?? []).filter((f) => f.properties.mine).map((f) => f.properties.code), [features]);
  const selected = picked ?? (role === 'gridworker' ? (mine[0] ?? null) : null);
  const grid: GridFeatureProperties | null = features?.find((f) => f.properties.code === selected)?.properties ?? null;
  const labels = useMemo(() => ({ centre: t('grid.centre'), open: t('grid.count.open'), red: t('grid.count.red') }), [t]);

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{role === 'gridworker' ? t('grid.titleMine') : t('grid.title')}</h1>
          <p className="page-head__subtitle">{t('grid.subtitle')}</p>
        </div>
      </div>
      {map.error !== undefined && <Alert>{errorText(t, map.error)}</Alert>}
      {!map.data && map.error === undefined && <Spinner />}
      {map.data && map.data.grids.features.length === 0 && <Alert tone="info">{t('grid.empty')}</Alert>}
      {map.data && map.data.grids.features.length > 0 && (
        <div className="gridmap">
          <section className="card gridmap__map" aria-label={t('grid.title')}>
            <div className="gridmap__layers" role="radiogroup" aria-label={t('grid.layer.label')}>
              {mapLayers.map((l) => (
                <button
                  key={l}
                  type="button"
                  role="radio"
                  aria-checked={layer === l}
                  className={`gridmap__layer${layer === l ? ' gridmap__layer--on' : ''}`}
                  onClick={() => setLayer(l)}
                  data-testid={`layer-${l}`}
                >
                  {t(layerKey[l])}
                </button>
              ))}
            </div>
            <GridMapChart data={map.data} layer={layer} selected={selected} onSelect={setPicked} focus={role === 'gridworker' ? mine : []} labels={labels} />
            <ul className="gridmap__legend" aria-label={t('grid.legend')}>
              {legendOf(layer).map((entry) => (
                <li key={entry.value}>
                  <span className="gridmap__swatch" style={{ background: entry.colour }} aria-hidden="true" />
                  {layer === 'patrol' ? t(patrolKey[entry.value]!) : t(layer === 'open' ? 'grid.legend.open' : 'grid.legend.red', { n: entry.value })}
                </li>
              ))}
              {map.data.centres.length > 0 && (
                <li>
                  <span className="gridmap__pin" aria-hidden="true" />
                  {t('grid.centre')}
                </li>
              )}
            </ul>
            {map.data.openWithoutGrid > 0 && <p className="muted gridmap__note">{t('grid.withoutGrid', { count: map.data.openWithoutGrid })}</p>}
          </section>
          <GridPanel grid={grid} mine={mine} features={map.data.grids.features} onSelect={setPicked} />
        </div>
      )}
      {role === 'admin' && <GridImportCard onImported={map.reload} />}
    </AppShell>
  );
}
