import { z } from 'zod';

/*
 * The grid map's wire vocabulary (网格化): grid codes, patrol frequencies, the GeoJSON import file's
 * feature properties, why an import is refused, and what the map page reads.
 *
 * Codes follow the provincial standard's nesting: a county is its 6-digit division code, a town
 * (乡镇/街道) adds 3 digits, a community (村/社区) 3 more, a grid 3 more (15 digits). A child's code
 * starts with its parent's, so the parent is named twice and the two must agree.
 */

export const gridLevels = ['county', 'town', 'community', 'grid'] as const;
export const gridLevel = z.enum(gridLevels);
export type GridLevel = z.infer<typeof gridLevel>;

/** Digits of a code at each level. */
export const gridCodeLength: Record<GridLevel, number> = { county: 6, town: 9, community: 12, grid: 15 };
/** The level above each (null: the top). */
export const gridParentLevel: Record<GridLevel, GridLevel | null> = { county: null, town: 'county', community: 'town', grid: 'community' };

export const gridCodePattern = /^\d{6}(\d{3}){0,3}$/;
export const gridCode = z.string().trim().regex(gridCodePattern, 'A grid code is 6, 9, 12 or 15 digits');

/** How often a grid is patrolled (巡查频次): high, medium, low. */
export const patrolFrequencies = ['high', 'medium', 'low'] as const;
export const patrolFrequency = z.enum(patrolFrequencies);
export type PatrolFrequency = z.infer<typeof patrolFrequency>;

/** A point in WGS84 degrees, as the browser's geolocation gives it. */
export const geoPoint = z
  .object({
    lng: z.number().finite().min(-180).max(180),
    lat: z.number().finite().min(-90).max(90),
  })
  .strict();
export type GeoPoint = z.infer<typeof geoPoint>;

/** Properties of an area feature (county, town, community or grid). */
export const areaProperties = z
  .object({
    code: gridCode,
    name: z.string().trim().min(1).max(60),
    level: gridLevel,
    /** The code of the area it belongs to; absent only for a county. */
    parent: gridCode.optional(),
    /** Grids only: high | medium | low. */
    patrolFrequency: patrolFrequency.optional(),
    /** Grids only: the responsible grid worker's username (a staff account with role gridworker). */
    worker: z.string().trim().min(1).max(64).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.code.length !== gridCodeLength[p.level])
      ctx.addIssue({ code: 'custom', path: ['code'], message: `A ${p.level} code has ${gridCodeLength[p.level]} digits` });
    const parentLevel = gridParentLevel[p.level];
    if (parentLevel === null && p.parent !== undefined) ctx.addIssue({ code: 'custom', path: ['parent'], message: 'A county has no parent' });
    if (parentLevel !== null && p.parent === undefined) ctx.addIssue({ code: 'custom', path: ['parent'], message: 'The parent code is required' });
    if (p.parent !== undefined && !p.code.startsWith(p.parent))
      ctx.addIssue({ code: 'custom', path: ['parent'], message: 'The code must start with its parent code' });
    if (p.level === 'grid' && p.patrolFrequency === undefined)
      ctx.addIssue({ code: 'custom', path: ['patrolFrequency'], message: 'A grid needs a patrol frequency' });
    if (p.level !== 'grid' && (p.patrolFrequency !== undefined || p.worker !== undefined))
      ctx.addIssue({ code: 'custom', path: ['level'], message: 'Only grids have a patrol frequency and a grid worker' });
  });
export type AreaProperties = z.infer<typeof areaProperties>;

/** Properties of a centre feature: a Point that places an existing mediation centre or committee (by its unit name). */
export const centreProperties = z
  .object({
    level: z.literal('centre'),
    unit: z.string().trim().min(1).max(100),
  })
  .strict();
export type CentreProperties = z.infer<typeof centreProperties>;

/** Why a feature (or the whole file) is refused. */
export const gridImportProblems = [
  /** Not a GeoJSON FeatureCollection with a features array. */
  'not_feature_collection',
  /** No grid in the file. */
  'no_grids',
  /** Too many features for one import. */
  'too_many_features',
  /** The properties do not match the schema (the detail names the field). */
  'bad_properties',
  /** The geometry is not a Polygon/MultiPolygon (a Point for a centre), or has non-numeric or out-of-range coordinates. */
  'bad_geometry',
  /** A grid without a polygon. */
  'geometry_required',
  /** A ring with fewer than four positions. */
  'ring_too_short',
  /** A ring whose last position is not its first. */
  'ring_not_closed',
  /** Edges of the polygon cross each other. */
  'self_intersection',
  /** Another feature of the file has the same code. */
  'duplicate_code',
  /** The parent code is not an area of the file. */
  'missing_parent',
  /** The parent is not the level just above. */
  'parent_wrong_level',
  /** The grid worker is not an active staff account with role gridworker. */
  'unknown_worker',
  /** A centre names no existing unit. */
  'unknown_unit',
] as const;
export const gridImportProblem = z.enum(gridImportProblems);
export type GridImportProblem = z.infer<typeof gridImportProblem>;

/** One refused feature: its index in `features` (-1: the file as a whole), its code if it has one, and why. */
export interface GridImportIssue {
  index: number;
  code: string | null;
  problem: GridImportProblem;
  /** For bad_properties: the dotted path of the field. */
  field?: string;
  /** English, for developers and logs. */
  message: string;
}

/** The most features one import takes (a city's grids number in the thousands). */
export const MAX_GRID_FEATURES = 20_000;

/** POST /api/admin/grids/import answer: the set now in force (a re-import replaces it). */
export interface GridImportResult {
  areas: Record<GridLevel, number>;
  centres: number;
  /** Codes of the former set that are no longer in it (their cases keep the code). */
  removed: number;
  /** Cases with a point and no grid that the new set placed in a grid (each has a grid.resolved timeline entry). */
  casesResolved: number;
  importedAt: string;
}

/** A grid's case figures on the map, counted over the cases the caller may read. */
export interface GridCaseCounts {
  open: number;
  red: number;
  yellow: number;
}

export interface GridFeatureProperties {
  code: string;
  name: string;
  /** Names of its community, town and county. */
  community: string | null;
  town: string | null;
  county: string | null;
  patrolFrequency: PatrolFrequency;
  worker: { id: string; displayName: string } | null;
  counts: GridCaseCounts;
  /** The caller is this grid's grid worker. */
  mine: boolean;
}

export interface GridFeature {
  type: 'Feature';
  id: string;
  properties: GridFeatureProperties;
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

export interface MapCentre {
  unitId: string;
  name: string;
  level: string;
  lng: number;
  lat: number;
}

/** GET /api/grids: everything the map page draws. */
export interface GridMapResponse {
  grids: { type: 'FeatureCollection'; features: GridFeature[] };
  centres: MapCentre[];
  /** A tile URL template when one is configured (GRID_MAP_TILE_URL), else null: the map is drawn from the grids alone. */
  tileUrl: string | null;
  /** Cases the caller may read that are open and have no grid (not on the map). */
  openWithoutGrid: number;
}

/** GET /api/grids/resolve?lng=&lat=: the grid holding a point, or null. */
export interface GridResolution {
  grid: { code: string; name: string } | null;
}
