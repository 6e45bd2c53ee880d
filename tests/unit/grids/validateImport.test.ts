import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { demoGridFile, demoPointIn } from '../../../server/demo/demoGrids.ts';
import { checkArea, contains } from '../../../server/grids/geometry.ts';
import { validateGridImport, type ImportLookups } from '../../../server/grids/validateImport.ts';
import type { GridImportIssue } from '../../../server/protocol/grids.ts';

const lookups: ImportLookups = {
  gridWorkers: new Map([['gridworker', 'u-grid']]),
  units: new Map([
    ['幸福社区人民调解委员会', 'unit-1'],
    ['城关街道矛盾纠纷调处中心', 'unit-2'],
    ['示范区矛盾纠纷多元化解调处中心', 'unit-3'],
  ]),
};

type Feature = { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown };
/** A fresh copy of the demo file to break one thing in. */
const demo = () => JSON.parse(JSON.stringify(demoGridFile())) as { type: string; features: Feature[] };
const firstGrid = (file: { features: Feature[] }) => file.features.findIndex((f) => f.properties.level === 'grid');

function refused(file: unknown): GridImportIssue[] {
  const r = validateGridImport(file, lookups);
  assert.equal(r.ok, false, 'the file is refused');
  return r.ok ? [] : r.issues;
}

test('the generated demo set is valid: 1 county, 2 towns, 4 communities, 16 grids, 3 centres', () => {
  const r = validateGridImport(demoGridFile(), lookups);
  assert.ok(r.ok);
  const count = (level: string) => r.areas.filter((a) => a.level === level).length;
  assert.deepEqual([count('county'), count('town'), count('community'), count('grid')], [1, 2, 4, 16]);
  assert.equal(r.centres.length, 3);
  assert.equal(r.areas.find((a) => a.code === '330199001001001')?.workerId, 'u-grid', 'the grid worker by username');
});

test('the demo grids tile their rectangle: every point of a fine lattice is in exactly one grid', () => {
  const grids = demoGridFile().features.filter((f) => (f as Feature).properties.level === 'grid') as Feature[];
  const areas = grids.map((g) => checkArea(g.geometry)).map((c) => (c.ok ? c.area : assert.fail('a demo grid is invalid')));
  for (let i = 1; i < 60; i++) {
    for (let j = 1; j < 40; j++) {
      const lng = 120.1 + (0.12 * i) / 60;
      const lat = 30.2 + (0.08 * j) / 40;
      const holders = areas.filter((a) => contains(a, lng, lat)).length;
      assert.ok(holders >= 1, `(${lng}, ${lat}) is in a grid`);
      // A point exactly on a shared edge counts for both neighbours; the lattice avoids none, so allow 2 there.
      assert.ok(holders <= 2, `(${lng}, ${lat}) is in at most two grids (their shared edge)`);
    }
  }
  const centre = demoPointIn(2, 2);
  assert.equal(areas.filter((a) => contains(a, centre.lng, centre.lat)).length, 1);
});

test('not a FeatureCollection: the file as a whole (index -1)', () => {
  assert.deepEqual(
    refused({ type: 'Feature', properties: {} }).map((i) => [i.index, i.problem]),
    [[-1, 'not_feature_collection']],
  );
});

test('a self-intersecting polygon (a bow tie) is refused with its feature index and code', () => {
  const file = demo();
  const k = firstGrid(file);
  file.features[k]!.geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [120.1, 30.2],
        [120.13, 30.22],
        [120.13, 30.2],
        [120.1, 30.22],
        [120.1, 30.2],
      ],
    ],
  };
  const [issue, ...rest] = refused(file);
  assert.deepEqual([issue!.index, issue!.code, issue!.problem], [k, file.features[k]!.properties.code, 'self_intersection']);
  assert.deepEqual(rest, []);
});

test('an unclosed ring, a too-short ring, a Point for a grid and a grid without geometry are each named', () => {
  const file = demo();
  const k = firstGrid(file);
  const ring = (file.features[k]!.geometry as { coordinates: number[][][] }).coordinates[0]!;
  file.features[k]!.geometry = { type: 'Polygon', coordinates: [ring.slice(0, -1)] };
  file.features[k + 1]!.geometry = { type: 'Polygon', coordinates: [[ring[0], ring[1], ring[0]]] };
  file.features[k + 2]!.geometry = { type: 'Point', coordinates: [120.1, 30.2] };
  file.features[k + 3]!.geometry = null;
  assert.deepEqual(
    refused(file).map((i) => [i.index, i.problem]),
    [
      [k, 'ring_not_closed'],
      [k + 1, 'ring_too_short'],
      [k + 2, 'bad_geometry'],
      [k + 3, 'geometry_required'],
    ],
  );
});

test('a duplicate code names the later feature and the earlier one', () => {
  const file = demo();
  const k = firstGrid(file);
  file.features[k + 1]!.properties.code = file.features[k]!.properties.code;
  const [issue] = refused(file);
  assert.equal(issue!.index, k + 1);
  assert.equal(issue!.problem, 'duplicate_code');
  assert.match(issue!.message, new RegExp(`Feature ${k}\\b`));
});

test('a missing parent and a parent at the wrong level', () => {
  const file = demo();
  const k = firstGrid(file);
  // The community of the first grid is removed: all four of its grids lose their parent.
  const community = file.features[k]!.properties.parent;
  const withoutCommunity = { ...file, features: file.features.filter((f) => f.properties.code !== community) };
  const issues = refused(withoutCommunity);
  assert.equal(issues.length, 4, 'each of its four grids');
  assert.ok(issues.every((i) => i.problem === 'missing_parent' && i.field === 'parent'));
  const file2 = demo();
  file2.features.push({ type: 'Feature', properties: { code: '330199003001', name: '错层社区', level: 'community', parent: '330199003' }, geometry: null });
  file2.features.push({ type: 'Feature', properties: { code: '330199003', name: '错层', level: 'town', parent: '330199' }, geometry: null });
  assert.ok(validateGridImport(file2, lookups).ok, 'a parent later in the file is fine');
  // A grid that names its town (the code still starts with it) instead of its community.
  const file3 = demo();
  file3.features[k]!.properties.parent = '330199001';
  assert.deepEqual(
    refused(file3).map((i) => [i.index, i.problem, i.field]),
    [[k, 'parent_wrong_level', 'parent']],
  );
});

test('bad properties name the field: patrol frequency, code length, extra keys, a grid worker who is not one', () => {
  const file = demo();
  const k = firstGrid(file);
  file.features[k]!.properties.patrolFrequency = 'weekly';
  file.features[k + 1]!.properties.code = '33019900100100';
  file.features[k + 2]!.properties.colour = 'red';
  file.features[k + 3]!.properties.worker = 'mediator';
  const issues = refused(file);
  assert.deepEqual(
    issues.map((i) => [i.index, i.problem, i.field]),
    [
      [k, 'bad_properties', 'patrolFrequency'],
      [k + 1, 'bad_properties', 'code'],
      [k + 2, 'bad_properties', ''],
      [k + 3, 'unknown_worker', 'worker'],
    ],
  );
});

test('a centre naming no unit, and a file without grids', () => {
  const file = demo();
  const c = file.features.findIndex((f) => f.properties.level === 'centre');
  file.features[c]!.properties.unit = '不存在的中心';
  assert.deepEqual(
    refused(file).map((i) => [i.index, i.problem]),
    [[c, 'unknown_unit']],
  );
  const noGrids = demo();
  noGrids.features = noGrids.features.filter((f) => f.properties.level !== 'grid' && f.properties.level !== 'centre');
  assert.deepEqual(
    refused(noGrids).map((i) => [i.index, i.problem]),
    [[-1, 'no_grids']],
  );
});

test('the shipped demo file is what the generator writes (node --import tsx server/demo/demoGrids.ts)', () => {
  const shipped: unknown = JSON.parse(readFileSync(new URL('../../../server/demo/demo-grids.geojson', import.meta.url), 'utf8'));
  assert.deepEqual(shipped, demoGridFile());
});
