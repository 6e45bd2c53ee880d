/*
 * Web Mercator (EPSG:3857) as XYZ tile servers cut the world: "world" units in which the whole
 * world is 256 × 256 at zoom 0, x eastward from 180°W, y southward from 85.05°N. The grid map
 * projects its GeoJSON with this when it draws tiles, so tile (z, x, y) covers the world square
 * [x, x + 1] × [y, y + 1] · 256 / 2^z and the grids lie where the tiles show them.
 */

export const TILE_SIZE = 256;
const MAX_LAT = 85.0511287798;
const MAX_ZOOM = 18;
/** More than this many tiles for one view means something is off (a tiny tile size); none are drawn. */
const MAX_TILES = 150;

export function project([lng, lat]: readonly number[]): [number, number] {
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat!)) * Math.PI) / 180;
  return [((lng! + 180) / 360) * TILE_SIZE, ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * TILE_SIZE];
}

export function unproject([x, y]: readonly number[]): [number, number] {
  const lng = (x! / TILE_SIZE) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y!) / TILE_SIZE))) * 180) / Math.PI;
  return [lng, lat];
}

/** Screen px = world units · scale + offset (the map's view: a zoom and a pan, no rotation). */
export interface WorldView {
  scale: number;
  offsetX: number;
  offsetY: number;
  width: number;
  height: number;
}

export interface TilePlacement {
  url: string;
  z: number;
  x: number;
  y: number;
  /** Where it is drawn, in screen px (edges rounded outward so neighbours leave no seam). */
  left: number;
  top: number;
  width: number;
  height: number;
}

export function tileUrl(template: string, z: number, x: number, y: number): string {
  return template.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(y));
}

/** The zoom whose tiles are closest to their own size on screen (each between 181 and 362 px). */
export function zoomFor(scale: number): number {
  return Math.max(0, Math.min(MAX_ZOOM, Math.round(Math.log2(scale))));
}

/** The tiles that cover the view, each placed on the screen. */
export function tilesInView(view: WorldView, template: string): TilePlacement[] {
  if (!Number.isFinite(view.scale) || view.scale <= 0 || view.width <= 0 || view.height <= 0) return [];
  const z = zoomFor(view.scale);
  const n = 2 ** z;
  const side = TILE_SIZE / n;
  const index = (px: number, offset: number) => Math.floor((px - offset) / view.scale / side);
  const x0 = Math.max(0, index(0, view.offsetX));
  const x1 = Math.min(n - 1, index(view.width, view.offsetX));
  const y0 = Math.max(0, index(0, view.offsetY));
  const y1 = Math.min(n - 1, index(view.height, view.offsetY));
  if (x1 < x0 || y1 < y0 || (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES) return [];
  const screenX = (i: number) => view.offsetX + i * side * view.scale;
  const screenY = (j: number) => view.offsetY + j * side * view.scale;
  const out: TilePlacement[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const left = Math.floor(screenX(x));
      const top = Math.floor(screenY(y));
      out.push({ url: tileUrl(template, z, x, y), z, x, y, left, top, width: Math.ceil(screenX(x + 1)) - left, height: Math.ceil(screenY(y + 1)) - top });
    }
  }
  return out;
}
