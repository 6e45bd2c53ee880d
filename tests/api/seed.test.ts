import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { demoGridCodeAt } from '../../server/demo/demoGrids.ts';
import { demoGridCases, demoOverdueCase, demoUnits, demoUsers, seedDemo } from '../../server/demo/seed.ts';
import { createLogger } from '../../server/logger.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => t.close());

test('demo seed is idempotent and its accounts log in', async () => {
  const log = createLogger('seed');
  const first = await seedDemo({ db: t.testDb.db, clock: t.clock, log });
  assert.deepEqual(first, { usersCreated: demoUsers.map((u) => u.username), caseCreated: true, gridsCreated: 23 });
  const second = await seedDemo({ db: t.testDb.db, clock: t.clock, log });
  assert.deepEqual(second, { usersCreated: [], caseCreated: false, gridsCreated: 0 });
  assert.equal(await t.testDb.db.user.count(), demoUsers.length);
  assert.equal(await t.testDb.db.unit.count(), demoUnits.length);
  assert.equal(await t.testDb.db.case.count(), 2 + demoGridCases.length);
  assert.equal(await t.testDb.db.grid.count({ where: { level: 'grid' } }), 16);

  const { token, user } = await t.login('mediator', 'mediator-demo-2026');
  assert.equal(user.displayName, '王调解员');
  assert.equal((await t.login('official', 'official-demo-2026')).user.department, '区人社局');
  await t.login('admin', 'admin-demo-2026');
  await t.login('supervisor', 'supervisor-demo-2026');
  await t.login('gridworker', 'gridworker-demo-2026');
  const official = await t.testDb.db.user.findUniqueOrThrow({ where: { username: 'official' }, include: { unit: true } });
  assert.equal(official.unit?.name, '区人社局');
  assert.equal(official.unit?.kind, 'department');

  const cases = await t.request('GET', '/api/cases?mine=1', { token });
  assert.equal(cases.body.length, 2, 'the demo mediator leads the two window cases; the grid cases wait in the intake queue');
  const overdue = cases.body[0];
  assert.equal(overdue.title, demoOverdueCase.title, 'red first in the work queue');
  assert.equal(overdue.light, 'red', 'taken on longer ago than any time limit: its deadline has passed');
  assert.ok(new Date(overdue.deadlineAt).getTime() < t.clock.now().getTime());
  assert.equal(overdue.grid, demoGridCodeAt(demoOverdueCase.cell[0], demoOverdueCase.cell[1]));
  const map = await t.request('GET', '/api/grids', { token });
  const red = map.body.grids.features.filter((f: { properties: { counts: { red: number } } }) => f.properties.counts.red > 0);
  assert.deepEqual(
    red.map((f: { id: string }) => f.id),
    [overdue.grid],
    'the red-light layer of the map shows it',
  );
  const c = cases.body[1];
  assert.equal(c.title, '欠薪纠纷');
  assert.equal(c.disputeType, 'labour');
  assert.equal(c.state, 'assigned', 'registered at the window and taken on by the demo mediator, so they can work and close it');
  assert.equal(c.unit?.name, '示范区矛盾纠纷多元化解调处中心');
  assert.equal(c.grid, '330199001001001', 'the window case is in the first grid of 幸福社区');
  assert.deepEqual(
    c.parties.map((p: { name: string; phoneMasked: string }) => [p.name, p.phoneMasked]),
    [
      ['张三', '138****5678'],
      ['某某建筑公司', '139****4321'],
    ],
  );
  const v = await t.request('GET', `/api/cases/${c.id}/timeline/verify`, { token });
  assert.deepEqual(v.body, { ok: true, entries: 2 });
});
