import {
  areaProperties,
  centreProperties,
  gridParentLevel,
  MAX_GRID_FEATURES,
  type GridImportIssue,
  type GridLevel,
  type PatrolFrequency,
} from '../protocol/grids.ts';
import { checkArea, checkPoint, type Bbox } from './geometry.ts';

/*
 * Validation of a GeoJSON grid file, all of it before anything is written: every feature's
 * properties (zod), every grid's polygon (closed rings, no crossing edges), unique codes, every
 * parent present at the level above, every grid worker and centre known. The answer is either the
 * whole set, ready to write, or every problem found (feature index, code, reason).
 */

export interface ImportArea {
  code: string;
  name: string;
  level: GridLevel;
  parentCode: string | null;
  patrolFrequency: PatrolFrequency | null;
  workerId: string | null;
  /** The geometry as JSON, or null (allowed above grid level). */
  geometry: string | null;
  bbox: Bbox | null;
}

export interface ImportCentre {
  unitId: string;
  lng: number;
  lat: number;
}

export interface ImportLookups {
  /** Active grid workers: username → user id. */
  gridWorkers: ReadonlyMap<string, string>;
  /** Units: name → unit id. */
  units: ReadonlyMap<string, string>;
}

export type ValidatedImport = { ok: true; areas: ImportArea[]; centres: ImportCentre[] } | { ok: false; issues: GridImportIssue[] };

/** Enough to fix a file in one go without an answer the size of the file. */
const MAX_ISSUES = 100;

const codeOf = (properties: unknown): string | null => {
  const code = (properties as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

export function validateGridImport(file: unknown, lookups: ImportLookups): ValidatedImport {
  const fc = file as { type?: unknown; features?: unknown } | null;
  if (typeof fc !== 'object' || fc === null || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features))
    return { ok: false, issues: [{ index: -1, code: null, problem: 'not_feature_collection', message: 'The file must be a GeoJSON FeatureCollection' }] };
  if (fc.features.length > MAX_GRID_FEATURES)
    return { ok: false, issues: [{ index: -1, code: null, problem: 'too_many_features', message: `At most ${MAX_GRID_FEATURES} features per import` }] };

  const issues: GridImportIssue[] = [];
  const areas: Array<ImportArea & { index: number }> = [];
  const centres: ImportCentre[] = [];
  const seen = new Map<string, number>();

  for (const [index, raw] of (fc.features as unknown[]).entries()) {
    const feature = raw as { type?: unknown; properties?: unknown; geometry?: unknown } | null;
    const code = codeOf(feature?.properties);
    const refuse = (issue: Omit<GridImportIssue, 'index' | 'code'>) => issues.push({ index, code, ...issue });
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') {
      refuse({ problem: 'bad_properties', message: 'Not a GeoJSON Feature' });
      continue;
    }
    if ((feature.properties as { level?: unknown } | null)?.level === 'centre') {
      const p = centreProperties.safeParse(feature.properties);
      if (!p.success) {
        refuse({ problem: 'bad_properties', field: p.error.issues[0]!.path.join('.'), message: p.error.issues[0]!.message });
        continue;
      }
      const point = checkPoint(feature.geometry);
      const unitId = lookups.units.get(p.data.unit);
      if (!point) refuse({ problem: 'bad_geometry', message: 'A centre is a Point [lng, lat]' });
      else if (unitId === undefined) refuse({ problem: 'unknown_unit', field: 'unit', message: `No unit is named ${p.data.unit}` });
      else centres.push({ unitId, ...point });
      continue;
    }
    const p = areaProperties.safeParse(feature.properties);
    if (!p.success) {
      const first = p.error.issues[0]!;
      refuse({ problem: 'bad_properties', field: first.path.join('.'), message: first.message });
      continue;
    }
    const props = p.data;
    const earlier = seen.get(props.code);
    if (earlier !== undefined) {
      refuse({ problem: 'duplicate_code', message: `Feature ${earlier} has the same code` });
      continue;
    }
    seen.set(props.code, index);
    let geometry: string | null = null;
    let bbox: Bbox | null = null;
    if (props.level === 'grid' || (feature.geometry !== null && feature.geometry !== undefined)) {
      const checked = checkArea(feature.geometry);
      if (!checked.ok) {
        refuse({ problem: checked.problem, message: checked.message });
        continue;
      }
      geometry = JSON.stringify(checked.area);
      bbox = checked.bbox;
    }
    let workerId: string | null = null;
    if (props.worker !== undefined) {
      workerId = lookups.gridWorkers.get(props.worker) ?? null;
      if (workerId === null) {
        refuse({ problem: 'unknown_worker', field: 'worker', message: `${props.worker} is not an active grid worker` });
        continue;
      }
    }
    areas.push({
      index,
      code: props.code,
      name: props.name,
      level: props.level,
      parentCode: props.parent ?? null,
      patrolFrequency: props.patrolFrequency ?? null,
      workerId,
      geometry,
      bbox,
    });
  }

  const levelOf = new Map(areas.map((a) => [a.code, a.level]));
  for (const a of areas) {
    if (a.parentCode === null) continue;
    const parentLevel = levelOf.get(a.parentCode);
    if (parentLevel === undefined)
      issues.push({ index: a.index, code: a.code, problem: 'missing_parent', field: 'parent', message: `No area has code ${a.parentCode}` });
    else if (parentLevel !== gridParentLevel[a.level])
      issues.push({
        index: a.index,
        code: a.code,
        problem: 'parent_wrong_level',
        field: 'parent',
        message: `The parent of a ${a.level} must be a ${gridParentLevel[a.level]}, not a ${parentLevel}`,
      });
  }
  if (issues.length === 0 && !areas.some((a) => a.level === 'grid'))
    issues.push({ index: -1, code: null, problem: 'no_grids', message: 'The file has no feature of level grid' });
  if (issues.length > 0) return { ok: false, issues: issues.sort((x, y) => x.index - y.index).slice(0, MAX_ISSUES) };
  return { ok: true, areas: areas.map(({ index: _index, ...a }) => a), centres };
}
