import { pathToFileURL } from 'node:url';

/*
 * The demo city's grid set (示范区): one county, two towns, four communities, sixteen grids that
 * tile a rectangle without gaps or overlaps, and the demo centres as points. Generated: the grids
 * are the cells of a 4×4 lattice whose inner corners and edge midpoints are moved by a fixed
 * pseudo-random amount, shared by the neighbours, so the shapes look drawn and still fit.
 * `node --import tsx server/demo/demoGrids.ts > server/demo/demo-grids.geojson` writes the file
 * the README and the browser test import.
 */

export const DEMO_COUNTY = { code: '330199', name: '示范区' } as const;

const towns = [
  { code: '330199001', name: '城关街道' },
  { code: '330199002', name: '东湖镇' },
] as const;

/** Each community and the lattice cells (row 0 is the south, col 0 the west) it holds. */
const communities = [
  { code: '330199001001', name: '幸福社区', town: '330199001', rows: [2, 3], cols: [0, 1], worker: 'gridworker' },
  { code: '330199001002', name: '和平社区', town: '330199001', rows: [2, 3], cols: [2, 3], worker: null },
  { code: '330199002001', name: '东湖村', town: '330199002', rows: [0, 1], cols: [0, 1], worker: null },
  { code: '330199002002', name: '湖滨村', town: '330199002', rows: [0, 1], cols: [2, 3], worker: null },
] as const;

const WEST = 120.1;
const SOUTH = 30.2;
const CELL_LNG = 0.03;
const CELL_LAT = 0.02;
const ROWS = 4;
const COLS = 4;

const frequencyOf = (row: number, col: number) => (row >= 2 && (col === 1 || col === 2) ? 'high' : row >= 2 || col === 1 ? 'medium' : 'low');

/** A fixed "random" in [-1, 1) from two integers. */
function wobble(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** A lattice point in half-cell units: even/even is a corner, one odd coordinate an edge midpoint. */
function point(i: number, j: number): [number, number] {
  const onBorder = i === 0 || j === 0 || i === COLS * 2 || j === ROWS * 2;
  const corner = i % 2 === 0 && j % 2 === 0;
  // Outer corners stay put (the county is a rectangle with wavy sides); the rest move.
  const moveLng = corner && onBorder ? 0 : i === 0 || i === COLS * 2 ? 0 : 0.22;
  const moveLat = corner && onBorder ? 0 : j === 0 || j === ROWS * 2 ? 0 : 0.22;
  const lng = WEST + (i / 2) * CELL_LNG + wobble(i, j) * moveLng * CELL_LNG;
  const lat = SOUTH + (j / 2) * CELL_LAT + wobble(j + 101, i) * moveLat * CELL_LAT;
  return [round(lng), round(lat)];
}

function cellRing(row: number, col: number): Array<[number, number]> {
  const i = col * 2;
  const j = row * 2;
  // Counter-clockwise from the south-west corner (RFC 7946 outer ring).
  const steps: Array<[number, number]> = [
    [i, j],
    [i + 1, j],
    [i + 2, j],
    [i + 2, j + 1],
    [i + 2, j + 2],
    [i + 1, j + 2],
    [i, j + 2],
    [i, j + 1],
  ];
  const ring = steps.map(([a, b]) => point(a, b));
  return [...ring, ring[0]!];
}

function centroid(row: number, col: number): [number, number] {
  return [round(WEST + (col + 0.5) * CELL_LNG), round(SOUTH + (row + 0.5) * CELL_LAT)];
}

/** Where the demo centres stand (by demo unit name), as lattice cells. */
const centres = [
  { unit: '幸福社区人民调解委员会', at: centroid(3, 0) },
  { unit: '城关街道矛盾纠纷调处中心', at: centroid(2, 2) },
  { unit: '示范区矛盾纠纷多元化解调处中心', at: centroid(2, 1) },
] as const;

const chineseNumbers = ['一', '二', '三', '四'];

/** The code of the grid at a lattice cell. */
export function demoGridCodeAt(row: number, col: number): string {
  const community = communities.find((c) => (c.rows as readonly number[]).includes(row) && (c.cols as readonly number[]).includes(col))!;
  const n = (3 - row) % 2 === 0 ? col - community.cols[0] + 1 : col - community.cols[0] + 3;
  return `${community.code}${String(n).padStart(3, '0')}`;
}

/** A point inside the grid at a lattice cell (its centre, which the wobble never leaves). */
export const demoPointIn = (row: number, col: number) => {
  const [lng, lat] = centroid(row, col);
  return { lng, lat };
};

export function demoGridFile() {
  const features: unknown[] = [
    { type: 'Feature', properties: { code: DEMO_COUNTY.code, name: DEMO_COUNTY.name, level: 'county' }, geometry: null },
    ...towns.map((t) => ({ type: 'Feature', properties: { code: t.code, name: t.name, level: 'town', parent: DEMO_COUNTY.code }, geometry: null })),
    ...communities.map((c) => ({ type: 'Feature', properties: { code: c.code, name: c.name, level: 'community', parent: c.town }, geometry: null })),
  ];
  for (let row = ROWS - 1; row >= 0; row--) {
    for (let col = 0; col < COLS; col++) {
      const community = communities.find((c) => (c.rows as readonly number[]).includes(row) && (c.cols as readonly number[]).includes(col))!;
      const code = demoGridCodeAt(row, col);
      const n = Number(code.slice(-3));
      features.push({
        type: 'Feature',
        properties: {
          code,
          name: `${community.name}第${chineseNumbers[n - 1]}网格`,
          level: 'grid',
          parent: community.code,
          patrolFrequency: frequencyOf(row, col),
          ...(community.worker ? { worker: community.worker } : {}),
        },
        geometry: { type: 'Polygon', coordinates: [cellRing(row, col)] },
      });
    }
  }
  for (const c of centres) features.push({ type: 'Feature', properties: { level: 'centre', unit: c.unit }, geometry: { type: 'Point', coordinates: c.at } });
  return { type: 'FeatureCollection', name: '示范区网格 (demo)', features };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(demoGridFile(), null, 1)}\n`);
}
