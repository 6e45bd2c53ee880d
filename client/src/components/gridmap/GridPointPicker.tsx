import { useMemo, useRef, useState } from 'react';
import type { GeoPoint, GridMapResponse } from '@protocol/grids.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { gridApi } from '../../services/gridApi.ts';
import { GridMapChart } from './GridMapChart.tsx';
import '../../styles/gridmap.css';

/** A point picked on the map and the grid the server found for it (null: outside every grid). */
export interface PickedPoint {
  point: GeoPoint;
  grid: { code: string; name: string } | null;
}

interface Props {
  data: GridMapResponse;
  picked: PickedPoint | null;
  onPick: (picked: PickedPoint | null) => void;
  /** The map folded away still shows what was picked. */
  mapShown: boolean;
}

const noFocus: string[] = [];
const noSelect = () => undefined;

/**
 * The new-case form's map: a click or tap on it marks where the dispute is; the grid holding the
 * point comes from the server (GET /api/grids/resolve, the same point-in-polygon as intake), and
 * is shown before the case is submitted with the point.
 */
export function GridPointPicker({ data, picked, onPick, mapShown }: Props) {
  const t = useT();
  const [pending, setPending] = useState<GeoPoint | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const latest = useRef(0);
  const labels = useMemo(() => ({ centre: t('grid.centre'), open: t('grid.count.open'), red: t('grid.count.red') }), [t]);

  const pick = (point: GeoPoint) => {
    const ask = ++latest.current;
    setPending(point);
    setError(undefined);
    gridApi.resolve(point.lng, point.lat).then(
      (r) => {
        if (ask !== latest.current) return;
        setPending(null);
        onPick({ point, grid: r.grid });
      },
      (e: unknown) => {
        if (ask !== latest.current) return;
        setPending(null);
        setError(e);
      },
    );
  };
  const clear = () => {
    latest.current++;
    setPending(null);
    setError(undefined);
    onPick(null);
  };

  const status =
    pending !== null
      ? t('grid.pick.resolving')
      : error !== undefined
        ? errorText(t, error)
        : picked === null
          ? t('grid.pick.help')
          : picked.grid
            ? t('grid.pick.found', { name: picked.grid.name, code: picked.grid.code })
            : t('grid.pick.outside');

  return (
    <div className="grid-picker">
      {mapShown && (
        <GridMapChart
          data={data}
          layer="open"
          selected={picked?.grid?.code ?? null}
          onSelect={noSelect}
          focus={noFocus}
          labels={labels}
          onPoint={pick}
          point={pending ?? picked?.point ?? null}
          testId="grid-picker-map"
        />
      )}
      <div className="grid-picker__status">
        <p
          className={error !== undefined ? 'field__error' : 'muted'}
          role="status"
          data-testid="grid-picker-status"
          data-state={pending ? 'resolving' : error !== undefined ? 'error' : picked ? (picked.grid ? 'found' : 'outside') : 'idle'}
        >
          {status}
        </p>
        {(picked !== null || pending !== null) && (
          <button type="button" className="btn btn--text btn--sm" onClick={clear} data-testid="grid-picker-clear">
            {t('grid.pick.clear')}
          </button>
        )}
      </div>
    </div>
  );
}
