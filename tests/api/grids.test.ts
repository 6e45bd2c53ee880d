import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { demoGridCodeAt, demoPointIn } from '../../server/demo/demoGrids.ts';
import { newId } from '../../server/ids.ts';
import type { GridMapResponse } from '../../server/protocol/grids.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

/*
 * The grid map's API: import (admins only, validated whole, one transaction, re-import replaces
 * the set), point-in-polygon resolution on staff and public intake, the map's figures and a
 * grid's cases filtered by who may read them (a grid worker: their own grids).
 */

const DEMO_FILE = readFileSync(new URL('../../server/demo/demo-grids.geojson', import.meta.url), 'utf8');
const demo = () => JSON.parse(DEMO_FILE) as { type: string; features: Array<{ type: string; properties: Record<string, unknown>; geometry: unknown }> };
const geo = { 'content-type': 'application/geo+json' };

let t: TestServer;
const tok: Record<string, string> = {};

before(async () => {
  t = await startTestServer();
  for (const name of ['幸福社区人民调解委员会', '城关街道矛盾纠纷调处中心', '示范区矛盾纠纷多元化解调处中心'])
    await t.testDb.db.unit.create({ data: { id: newId(), name, kind: 'mediation_centre', level: 'town' } });
  const users = { admin1: 'admin', sup1: 'supervisor', med1: 'mediator', gridworker: 'gridworker', grid2: 'gridworker', off1: 'official' } as const;
  for (const [name, role] of Object.entries(users)) {
    await t.createUser(name, role);
    tok[name] = (await t.login(name)).token;
  }
});

after(async () => {
  await t?.close();
});

const importFile = (body: unknown, who = 'admin1') =>
  t.request('POST', '/api/admin/grids/import', { token: tok[who]!, body: JSON.stringify(body), headers: geo });
const snapshot = async () => (await t.testDb.db.grid.findMany({ orderBy: { code: 'asc' } })).map((g) => [g.code, g.name, g.geometry]);

const reportAt = (point: { lng: number; lat: number } | undefined, extra: Record<string, unknown> = {}) =>
  t.request('POST', '/api/public/cases', {
    body: {
      disputeType: 'neighbour',
      description: '邻居装修噪音扰民',
      ...(point ? { location: point } : {}),
      parties: [{ side: 'applicant', name: '刘六', phone: '13812345678' }],
      ...extra,
    },
  });

describe('grid import', () => {
  test('only admins import; the role table refuses the others', async () => {
    for (const who of ['sup1', 'med1', 'gridworker']) assert.equal((await importFile(demo(), who)).status, 403, who);
  });

  test('a bad file is refused with the feature (index and code) and the reason, and nothing changes', async () => {
    const before = await snapshot();
    const file = demo();
    const k = file.features.findIndex((f) => f.properties.level === 'grid') + 5;
    const ring = (file.features[k]!.geometry as { coordinates: number[][][] }).coordinates[0]!;
    // Swap two corners: the outline crosses itself.
    [ring[2], ring[4]] = [ring[4]!, ring[2]!];
    const res = await importFile(file);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad_request');
    assert.equal(res.body.reason, 'grid_import_invalid');
    assert.deepEqual(res.body.params, { index: k, code: file.features[k]!.properties.code, problem: 'self_intersection', field: '', more: 0 });
    assert.match(res.body.details[`features.${k}`], /^self_intersection: /);
    assert.deepEqual(await snapshot(), before, 'nothing written');
  });

  test('the demo file imports; a later bad file still changes nothing; a re-import replaces the set', async () => {
    const ok = await importFile(demo());
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.areas, { county: 1, town: 2, community: 4, grid: 16 });
    assert.equal(ok.body.centres, 3);
    const imported = await snapshot();
    assert.equal(imported.length, 23);

    const renamed = demo();
    const grid = renamed.features.find((f) => f.properties.level === 'grid')!;
    grid.properties.name = '改名网格';
    renamed.features.push({ type: 'Feature', properties: { ...grid.properties, name: '重复' }, geometry: grid.geometry } as never);
    const bad = await importFile(renamed);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.params.problem, 'duplicate_code');
    assert.equal(bad.body.params.index, renamed.features.length - 1);
    assert.deepEqual(await snapshot(), imported, 'the valid rename before the duplicate was not applied either');

    const smaller = demo();
    const last = smaller.features.filter((f) => f.properties.level === 'grid').at(-1)!;
    smaller.features = smaller.features.filter((f) => f !== last);
    smaller.features.find((f) => f.properties.level === 'grid')!.properties.name = '改名网格';
    const again = await importFile(smaller);
    assert.equal(again.status, 200);
    assert.equal(again.body.removed, 1, 'the code no longer in the file is removed');
    assert.equal(await t.testDb.db.grid.count(), 22);
    assert.equal((await t.testDb.db.grid.findUnique({ where: { code: '330199001001001' } }))?.name, '改名网格');
    assert.equal((await importFile(demo())).status, 200, 'and back to the full set');
  });
});

describe('where a case is', () => {
  test('GET /api/grids/resolve: a point in a grid, and a point outside every grid', async () => {
    const inside = await t.request('GET', `/api/grids/resolve?lng=${demoPointIn(2, 2).lng}&lat=${demoPointIn(2, 2).lat}`, { token: tok.sup1! });
    assert.deepEqual(inside.body, { grid: { code: '330199001002003', name: '和平社区第三网格' } });
    const outside = await t.request('GET', '/api/grids/resolve?lng=116.4&lat=39.9', { token: tok.sup1! });
    assert.deepEqual(outside.body, { grid: null });
    assert.equal((await t.request('GET', '/api/grids/resolve?lng=abc&lat=1', { token: tok.sup1! })).status, 400);
    assert.equal((await t.request('GET', '/api/grids/resolve?lng=120&lat=30', { token: tok.off1! })).status, 403, 'officials have no map');
  });

  test("a citizen's reported location lands in its grid, with the area's names; a point outside is kept without a grid", async () => {
    const point = demoPointIn(1, 3);
    const res = await reportAt(point);
    assert.equal(res.status, 201, res.text);
    const stored = await t.testDb.db.case.findUniqueOrThrow({ where: { caseNumber: res.body.caseNumber } });
    assert.deepEqual(
      [stored.grid, stored.community, stored.town, stored.district, stored.longitude, stored.latitude],
      ['330199002002002', '湖滨村', '东湖镇', '示范区', point.lng, point.lat],
    );
    const far = await reportAt({ lng: 116.4, lat: 39.9 });
    assert.equal(far.status, 201, 'outside every grid is not an error');
    const kept = await t.testDb.db.case.findUniqueOrThrow({ where: { caseNumber: far.body.caseNumber } });
    assert.deepEqual([kept.grid, kept.longitude, kept.latitude], [null, 116.4, 39.9]);
    const bad = await reportAt({ lng: 500, lat: 0 } as never);
    assert.equal(bad.status, 400);
  });

  test('staff pick a grid code (names filled in) or give a point (a click on the map)', async () => {
    const base = {
      disputeType: 'property',
      title: '物业纠纷',
      description: '物业费争议',
      parties: [{ side: 'applicant', name: '赵七', phone: '13812345678' }],
    };
    const byCode = await t.request('POST', '/api/cases', { token: tok.med1!, body: { ...base, grid: '330199001002001' } });
    assert.equal(byCode.status, 201, byCode.text);
    assert.deepEqual([byCode.body.grid, byCode.body.community, byCode.body.town], ['330199001002001', '和平社区', '城关街道']);
    const byPoint = await t.request('POST', '/api/cases', { token: tok.med1!, body: { ...base, location: demoPointIn(3, 1) } });
    assert.equal(byPoint.body.grid, '330199001001002');
    const freeText = await t.request('POST', '/api/cases', { token: tok.med1!, body: { ...base, grid: '第3网格' } });
    assert.equal(freeText.body.grid, '第3网格', 'older free text is kept as typed');
  });
});

describe('the map and who sees what', () => {
  let inMine = '';
  before(async () => {
    const res = await reportAt(demoPointIn(3, 0));
    inMine = (await t.testDb.db.case.findUniqueOrThrow({ where: { caseNumber: res.body.caseNumber } })).id;
  });

  test('a grid worker reads the cases of their own grid (not only those they reported); another grid worker does not', async () => {
    assert.equal((await t.request('GET', `/api/cases/${inMine}`, { token: tok.gridworker! })).status, 200);
    assert.equal((await t.request('GET', `/api/cases/${inMine}`, { token: tok.grid2! })).status, 403);
    const mine = await t.request('GET', '/api/grids/330199001001001/cases', { token: tok.gridworker! });
    assert.deepEqual(
      mine.body.map((c: { id: string }) => c.id),
      [inMine],
    );
    const theirs = await t.request('GET', '/api/grids/330199001001001/cases', { token: tok.grid2! });
    assert.deepEqual(theirs.body, [], 'the list leaves out what they may not read');
    assert.equal((await t.request('GET', '/api/grids/330199/cases', { token: tok.sup1! })).status, 404, 'a county is not a grid');
  });

  test('GET /api/grids: the figures count the caller’s readable open cases; the grid worker’s grids are marked', async () => {
    const sup = (await t.request('GET', '/api/grids', { token: tok.sup1! })).body as GridMapResponse;
    assert.equal(sup.grids.features.length, 16);
    const first = sup.grids.features.find((f) => f.properties.code === '330199001001001')!;
    assert.equal(first.properties.counts.open, 1);
    assert.equal(first.properties.mine, false);
    assert.deepEqual([first.properties.community, first.properties.town, first.properties.county], ['幸福社区', '城关街道', '示范区']);
    assert.equal(sup.centres.length, 3);
    assert.equal(sup.tileUrl, null);
    assert.ok(sup.openWithoutGrid >= 2, 'the far report and the free-text case are not on the map');

    const other = (await t.request('GET', '/api/grids', { token: tok.grid2! })).body as GridMapResponse;
    assert.equal(other.grids.features.find((f) => f.properties.code === '330199001001001')!.properties.counts.open, 0, 'not theirs to count');
    const mine = (await t.request('GET', '/api/grids', { token: tok.gridworker! })).body as GridMapResponse;
    assert.deepEqual(
      mine.grids.features.filter((f) => f.properties.mine).map((f) => f.properties.code),
      ['330199001001001', '330199001001002', '330199001001003', '330199001001004'],
    );
    assert.equal((await t.request('GET', '/api/grids', { token: tok.off1! })).status, 403);
  });
});

describe('cases with a point and no grid after an import', () => {
  const base = {
    disputeType: 'neighbour',
    title: '邻里纠纷',
    description: '公共过道堆放杂物',
    parties: [{ side: 'applicant', name: '钱八', phone: '13812345678' }],
  };
  const outsideCode = demoGridCodeAt(0, 0);
  const withoutCell = () => {
    const file = demo();
    file.features = file.features.filter((f) => f.properties.code !== outsideCode);
    return file;
  };
  const timelineTypes = async (id: string) =>
    ((await t.request('GET', `/api/cases/${id}/timeline`, { token: tok.sup1! })).body as Array<{ type: string; data: Record<string, unknown> }>).filter(
      (e) => e.type === 'grid.resolved',
    );

  test('a later import places them in the grid that holds the point, on the timeline; a case with a grid keeps it', async () => {
    assert.equal((await importFile(withoutCell())).status, 200);
    const point = demoPointIn(0, 0);
    const waiting = await t.request('POST', '/api/cases', { token: tok.med1!, body: { ...base, location: point } });
    assert.equal(waiting.status, 201, waiting.text);
    assert.equal(waiting.body.grid, null, 'outside every grid of the current set');
    const picked = await t.request('POST', '/api/cases', { token: tok.med1!, body: { ...base, grid: '330199001001001', location: point } });
    assert.equal(picked.body.grid, '330199001001001', 'a picked code stays when the point is outside every grid');

    const res = await importFile(demo());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.casesResolved, 1, 'only the case without a grid (the far report stays outside)');
    const placed = await t.testDb.db.case.findUniqueOrThrow({ where: { id: waiting.body.id } });
    assert.deepEqual([placed.grid, placed.community, placed.town, placed.district], [outsideCode, '东湖村', '东湖镇', '示范区']);
    const entries = await timelineTypes(waiting.body.id);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0]!.data, { grid: outsideCode, gridName: '东湖村第三网格' });
    assert.deepEqual((await t.request('GET', `/api/cases/${waiting.body.id}/timeline/verify`, { token: tok.sup1! })).body.ok, true, 'the chain holds');

    assert.equal((await t.testDb.db.case.findUniqueOrThrow({ where: { id: picked.body.id } })).grid, '330199001001001');
    assert.deepEqual(await timelineTypes(picked.body.id), []);
    const far = await t.testDb.db.case.findFirstOrThrow({ where: { longitude: 116.4 } });
    assert.equal(far.grid, null, 'a point outside the new set too stays without a grid');
  });

  test('two imports at once place a waiting case once', async () => {
    assert.equal((await importFile(withoutCell())).status, 200);
    const waiting = await t.request('POST', '/api/cases', { token: tok.med1!, body: { ...base, location: demoPointIn(0, 0) } });
    assert.equal(waiting.body.grid, null);
    const both = await Promise.all([importFile(demo()), importFile(demo())]);
    assert.deepEqual(
      both.map((r) => r.status),
      [200, 200],
    );
    assert.deepEqual(both.map((r) => r.body.casesResolved as number).sort(), [0, 1], 'the second import finds it placed');
    assert.equal((await timelineTypes(waiting.body.id)).length, 1);
    assert.equal((await t.testDb.db.case.findUniqueOrThrow({ where: { id: waiting.body.id } })).grid, outsideCode);
  });

  test('cases reported while an import runs are placed either way: against the old set and then by the import, or against the new set', async () => {
    assert.equal((await importFile(withoutCell())).status, 200);
    const point = demoPointIn(0, 0);
    // Staff intake (the public form is rate-limited per address, and takes the same path).
    const reports = Array.from({ length: 8 }, (_, i) =>
      t.request('POST', '/api/cases', { token: tok[i % 2 === 0 ? 'med1' : 'gridworker']!, body: { ...base, title: `并发受理 ${i}`, location: point } }),
    );
    const [imported, ...created] = await Promise.all([importFile(demo()), ...reports]);
    assert.equal(imported!.status, 200, imported!.text);
    for (const c of created) assert.equal(c.status, 201, c.text);
    const rows = await t.testDb.db.case.findMany({ where: { title: { startsWith: '并发' } }, select: { title: true, grid: true } });
    assert.equal(rows.length, 8);
    for (const r of rows) assert.equal(r.grid, outsideCode, `${r.title} is in the grid that holds its point`);
  });
});
