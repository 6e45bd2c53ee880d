import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import kinks from '@turf/kinks';
import type { MultiPolygon, Polygon } from 'geojson';
import type { GridImportProblem } from '../protocol/grids.ts';

/*
 * Checks of one grid's polygon, and the point-in-polygon test behind a case's grid. Coordinates are
 * GeoJSON's [lng, lat] in WGS84 degrees.
 */

export type Area = Polygon | MultiPolygon;
export interface Bbox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

type Checked = { ok: true; area: Area; bbox: Bbox } | { ok: false; problem: GridImportProblem; message: string };

const isPosition = (p: unknown): p is [number, number] =>
  Array.isArray(p) &&
  (p.length === 2 || p.length === 3) &&
  p.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
  Math.abs(p[0] as number) <= 180 &&
  Math.abs(p[1] as number) <= 90;

function bad(problem: GridImportProblem, message: string): Checked {
  return { ok: false, problem, message };
}

/** Rings of one polygon: each at least four positions, closed; then no edge crossing another. */
function checkRings(rings: unknown, where: string): Checked | null {
  if (!Array.isArray(rings) || rings.length === 0) return bad('bad_geometry', `${where}: a polygon is a non-empty array of rings`);
  for (const [r, ring] of rings.entries()) {
    if (!Array.isArray(ring) || !ring.every(isPosition)) return bad('bad_geometry', `${where} ring ${r}: positions must be [lng, lat] numbers in range`);
    if (ring.length < 4) return bad('ring_too_short', `${where} ring ${r}: ${ring.length} positions, at least 4 are needed`);
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) return bad('ring_not_closed', `${where} ring ${r}: the last position is not the first`);
  }
  return null;
}

function bboxOf(polygons: number[][][][]): Bbox {
  const box = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  for (const ring of polygons.flat()) {
    for (const [lng, lat] of ring) {
      box.minLng = Math.min(box.minLng, lng!);
      box.maxLng = Math.max(box.maxLng, lng!);
      box.minLat = Math.min(box.minLat, lat!);
      box.maxLat = Math.max(box.maxLat, lat!);
    }
  }
  return box;
}

/** A grid's geometry: a valid Polygon or MultiPolygon with closed rings whose edges do not cross. */
export function checkArea(geometry: unknown): Checked {
  if (typeof geometry !== 'object' || geometry === null) return bad('geometry_required', 'A grid needs a Polygon or MultiPolygon geometry');
  const g = geometry as { type?: unknown; coordinates?: unknown };
  let polygons: unknown[];
  if (g.type === 'Polygon') polygons = [g.coordinates];
  else if (g.type === 'MultiPolygon' && Array.isArray(g.coordinates) && g.coordinates.length > 0) polygons = g.coordinates;
  else return bad('bad_geometry', `The geometry must be a Polygon or MultiPolygon, not ${String(g.type)}`);
  for (const [i, rings] of polygons.entries()) {
    const problem = checkRings(rings, polygons.length > 1 ? `polygon ${i}` : 'polygon');
    if (problem) return problem;
  }
  const coordinates = polygons as number[][][][];
  const area: Area = g.type === 'Polygon' ? { type: 'Polygon', coordinates: coordinates[0]! } : { type: 'MultiPolygon', coordinates };
  for (const [i, rings] of coordinates.entries()) {
    const crossings = kinks({ type: 'Polygon', coordinates: rings }).features;
    if (crossings.length > 0) {
      const at = crossings[0]!.geometry.coordinates;
      return bad('self_intersection', `polygon ${i}: edges cross at [${at.map((n) => n.toFixed(6)).join(', ')}]`);
    }
  }
  return { ok: true, area, bbox: bboxOf(coordinates) };
}

/** A centre's geometry: a Point. */
export function checkPoint(geometry: unknown): { lng: number; lat: number } | null {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null;
  if (g === null || typeof g !== 'object' || g.type !== 'Point' || !isPosition(g.coordinates)) return null;
  return { lng: g.coordinates[0], lat: g.coordinates[1] };
}

export function inBbox(box: Bbox, lng: number, lat: number): boolean {
  return lng >= box.minLng && lng <= box.maxLng && lat >= box.minLat && lat <= box.maxLat;
}

/** Whether the point lies in the area (a point on the boundary counts as inside). */
export function contains(area: Area, lng: number, lat: number): boolean {
  return booleanPointInPolygon([lng, lat], area);
}
