import { useState, type FormEvent } from 'react';
import { gridImportProblem, type GridImportProblem, type GridImportResult } from '@protocol/grids.ts';
import { isErrorReason } from '@protocol/errors.ts';
import { Alert } from '../Feedback.tsx';
import { useT, type MessageKey, type Translate } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/api.ts';
import { gridApi } from '../../services/gridApi.ts';

const problemKey: Record<GridImportProblem, MessageKey> = {
  not_feature_collection: 'grid.problem.not_feature_collection',
  no_grids: 'grid.problem.no_grids',
  too_many_features: 'grid.problem.too_many_features',
  bad_properties: 'grid.problem.bad_properties',
  bad_geometry: 'grid.problem.bad_geometry',
  geometry_required: 'grid.problem.geometry_required',
  ring_too_short: 'grid.problem.ring_too_short',
  ring_not_closed: 'grid.problem.ring_not_closed',
  self_intersection: 'grid.problem.self_intersection',
  duplicate_code: 'grid.problem.duplicate_code',
  missing_parent: 'grid.problem.missing_parent',
  parent_wrong_level: 'grid.problem.parent_wrong_level',
  unknown_worker: 'grid.problem.unknown_worker',
  unknown_unit: 'grid.problem.unknown_unit',
};

/** The refusal in words: which feature (number and code), why, and which field. */
function refusalText(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError) || !isErrorReason(error.reason) || error.reason !== 'grid_import_invalid') return errorText(t, error);
  const p = (error.params ?? {}) as Record<string, string | number>;
  const index = Number(p.index);
  const parsed = gridImportProblem.safeParse(p.problem);
  const problem = parsed.success ? t(problemKey[parsed.data]) : errorText(t, error);
  const where = index < 0 ? t('grid.import.wholeFile') : t('grid.import.feature', { number: index + 1, index, code: String(p.code || '—') });
  const field = p.field ? t('grid.import.field', { field: String(p.field) }) : '';
  const more = Number(p.more) > 0 ? t('grid.import.more', { count: Number(p.more) }) : '';
  return t('grid.import.refused', { where, problem, field, more });
}

/** Admins: load the city's grids from a GeoJSON file (it replaces the current set; a bad file changes nothing). */
export function GridImportCard({ onImported }: { onImported: () => void }) {
  const t = useT();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<GridImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await gridApi.importFile(file));
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card gridmap-import" onSubmit={(e) => void submit(e)} data-testid="grid-import">
      <h2 className="card__title">{t('grid.import.title')}</h2>
      <p className="muted">{t('grid.import.help')}</p>
      <div className="gridmap-import__row">
        <input
          type="file"
          accept=".geojson,.json,application/geo+json,application/json"
          aria-label={t('grid.import.file')}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <button type="submit" className="btn btn--primary" disabled={!file || busy} data-testid="grid-import-submit">
          {busy ? t('grid.import.busy') : t('grid.import.submit')}
        </button>
      </div>
      {result && (
        <Alert tone="success">
          <span data-testid="grid-import-result">
            {t('grid.import.done', {
              grids: result.areas.grid,
              communities: result.areas.community,
              towns: result.areas.town,
              centres: result.centres,
              removed: result.removed,
              resolved: result.casesResolved,
            })}
          </span>
        </Alert>
      )}
      {error !== null && (
        <Alert>
          <span data-testid="grid-import-error">{refusalText(t, error)}</span>
        </Alert>
      )}
    </form>
  );
}
