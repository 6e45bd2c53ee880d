import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultRuleSet } from '../../server/caseloop/index.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, act, caseIn, DAY, ok, setupWorld, snapshot, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
});
after(async () => t.close());

const get = async (id: string, who = 'supervisor1') => (await t.request('GET', `/api/cases/${id}`, { token: w.tok[who] })).body;

describe('routing rules as data', () => {
  test('GET returns the default set as version 1; supervisors may read, only admins write', async () => {
    const res = await t.request('GET', '/api/admin/routing-rules', { token: w.tok.supervisor1 });
    assert.equal(res.status, 200);
    assert.equal(res.body.version, 1);
    assert.deepEqual(res.body.ruleSet, defaultRuleSet);
    assert.equal((await t.request('PUT', '/api/admin/routing-rules', { token: w.tok.supervisor1, body: defaultRuleSet })).status, 403);
  });

  test('an invalid rule set is refused with details and changes nothing', async () => {
    const bad = structuredClone(defaultRuleSet) as { rules: Array<Record<string, unknown>>; yellowShare: number };
    bad.rules[0]!.timeLimitDays = 45;
    bad.rules.push({ ...bad.rules[1]! });
    const res = await t.request('PUT', '/api/admin/routing-rules', { token: w.tok.admin1, body: bad });
    assert.equal(res.status, 400);
    assert.ok(res.body.details['rules.0.timeLimitDays']);
    assert.equal((await t.request('GET', '/api/admin/routing-rules', { token: w.tok.admin1 })).body.version, 1);
  });

  test('the suggestion follows the rules; an edited rule applies to the next routing', async () => {
    const id = await caseIn(w, 'registered', { disputeType: 'traffic' });
    const s = await t.request('GET', `/api/cases/${id}/routing-suggestion?grade=medium`, { token: w.tok.supervisor1 });
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(
      [s.body.level, s.body.unitKind, s.body.department, s.body.timeLimitDays, s.body.source],
      ['county', 'department', 'traffic_police', 10, 'exact'],
    );
    assert.deepEqual(
      s.body.units.map((u: { id: string }) => u.id),
      [w.units.traffic],
    );
    assert.equal((await t.request('GET', `/api/cases/${id}/routing-suggestion?grade=huge`, { token: w.tok.supervisor1 })).status, 400);

    const edited = structuredClone(defaultRuleSet);
    const rule = edited.rules.find((r) => r.disputeType === 'traffic' && r.grade === 'medium')!;
    rule.timeLimitDays = 2;
    const put = await t.request('PUT', '/api/admin/routing-rules', { token: w.tok.admin1, body: edited });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.version, 2);
    const c = await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'medium', level: 'county', unitId: w.units.traffic });
    assert.equal(c.timeLimitDays, 2);
    const tl = await t.services.cases.timeline(id);
    assert.equal((tl.at(-1)!.data as { ruleSetVersion: number }).ruleSetVersion, 2);
    // Put the defaults back for the other tests.
    assert.equal((await t.request('PUT', '/api/admin/routing-rules', { token: w.tok.admin1, body: defaultRuleSet })).body.version, 3);
  });
});

describe('deadlines and lights from the clock', () => {
  test('green → yellow at 75 % of the time limit → red after the deadline; closing makes it done', async () => {
    const id = await caseIn(w, 'registered');
    const c = await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'medium', level: 'town', unitId: w.units.town });
    assert.equal(c.timeLimitDays, 7, 'labour/medium: 7 days');
    const start = new Date(c.startedAt).getTime();
    const limit = 7 * DAY;
    const saved = t.clock.now();
    try {
      t.clock.set(new Date(start + limit * 0.75 - 1));
      assert.equal((await get(id)).light, 'green');
      t.clock.set(new Date(start + limit * 0.75));
      assert.equal((await get(id)).light, 'yellow');
      t.clock.set(new Date(start + limit));
      assert.equal((await get(id)).light, 'yellow', 'the deadline instant itself is still yellow');
      t.clock.set(new Date(start + limit + 1));
      assert.equal((await get(id)).light, 'red');
      // Nothing is stored: the row has no light, and going back in time turns it green again.
      t.clock.set(new Date(start + DAY));
      assert.equal((await get(id)).light, 'green');
      t.clock.set(new Date(start + limit + DAY));
      await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 });
      await t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok.mediator1 });
      const closed = await ok(w, 'mediator1', id, 'close_settled', { agreementForm: 'oral', summary: '当场履行' });
      assert.equal(closed.light, 'done');
    } finally {
      t.clock.set(saved);
    }
  });

  test('the yellow share is a setting (stored in the rule set); admins change it', async () => {
    const id = await caseIn(w, 'routed'); // labour/medium at town: 7 days
    const c = await get(id);
    const saved = t.clock.now();
    try {
      t.clock.set(new Date(new Date(c.startedAt).getTime() + 7 * DAY * 0.6));
      assert.equal((await get(id)).light, 'green');
      assert.equal((await t.request('PUT', '/api/admin/settings', { token: w.tok.supervisor1, body: { yellowShare: 0.5 } })).status, 403);
      const bad = await t.request('PUT', '/api/admin/settings', { token: w.tok.admin1, body: { yellowShare: 1.5 } });
      assert.equal(bad.status, 400);
      const put = await t.request('PUT', '/api/admin/settings', { token: w.tok.admin1, body: { yellowShare: 0.5, followUpDays: 10 } });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.yellowShare, 0.5);
      assert.equal(put.body.followUpDays, 10);
      assert.equal((await get(id)).light, 'yellow');
    } finally {
      t.clock.set(saved);
      await t.request('PUT', '/api/admin/settings', { token: w.tok.admin1, body: { yellowShare: 0.75, followUpDays: 15 } });
    }
    assert.equal((await t.request('GET', '/api/admin/settings', { token: w.tok.supervisor1 })).body.yellowShare, 0.75);
  });

  test('every list puts red first, then yellow, green, untimed, closed; mine=1 is the mediator’s queue', async () => {
    // A separate server, so the list holds only these cases.
    const t2 = await startTestServer(LONG_LOGINS);
    try {
      const w2 = await setupWorld(t2);
      const base = t2.clock.now().getTime();
      const routeAt = async (offsetMs: number, days: number, lead: string) => {
        t2.clock.set(new Date(base + offsetMs));
        const id = await caseIn(w2, 'registered');
        await ok(w2, 'supervisor1', id, 'grade_and_route', { grade: 'low', level: 'town', unitId: w2.units.town, timeLimitDays: days });
        await ok(w2, 'supervisor1', id, 'assign', { mediatorId: w2.ids[lead] });
        return id;
      };
      const green = await routeAt(0, 10, 'mediator1'); // deadline base+10d
      const red1 = await routeAt(0, 1, 'mediator1'); // deadline base+1d
      const red2 = await routeAt(DAY, 1, 'mediator2'); // deadline base+2d
      const yellow = await routeAt(DAY, 3, 'mediator1'); // deadline base+4d
      const green2 = await routeAt(DAY, 8, 'mediator1'); // deadline base+9d
      const untimed = await caseIn(w2, 'reported');
      const done = await caseIn(w2, 'closed_settled');
      t2.clock.set(new Date(base + 3 * DAY + 8 * 3600_000)); // yellow: 2d8h of 3d used (78 %)

      const list = await t2.request('GET', '/api/cases', { token: w2.tok.supervisor1 });
      const order = list.body.map((c: { id: string }) => c.id);
      assert.deepEqual(order, [red1, red2, yellow, green2, green, untimed, done]);
      assert.deepEqual(
        list.body.map((c: { light: string | null }) => c.light),
        ['red', 'red', 'yellow', 'green', 'green', null, 'done'],
      );

      const mine = await t2.request('GET', '/api/cases?mine=1', { token: w2.tok.mediator1 });
      assert.deepEqual(
        mine.body.map((c: { id: string }) => c.id),
        [red1, yellow, green2, green, done],
      );
      const reds = await t2.request('GET', '/api/cases?light=red', { token: w2.tok.supervisor1 });
      assert.deepEqual(
        reds.body.map((c: { id: string }) => c.id),
        [red1, red2],
      );
      assert.equal((await t2.request('GET', '/api/cases?light=purple', { token: w2.tok.supervisor1 })).status, 400);
      const byState = await t2.request('GET', '/api/cases?state=reported', { token: w2.tok.supervisor1 });
      assert.deepEqual(
        byState.body.map((c: { id: string }) => c.id),
        [untimed],
      );
      const byUnit = await t2.request('GET', `/api/cases?unitId=${w2.units.town}`, { token: w2.tok.supervisor1 });
      assert.equal(byUnit.body[0].id, red1);
      const gridMine = await t2.request('GET', '/api/cases?mine=1', { token: w2.tok.grid1 });
      assert.equal(gridMine.body.length, 7, 'the grid worker reported all of them');
    } finally {
      await t2.close();
    }
  });
});

describe('supervision notes (督办)', () => {
  test('a supervisor adds a note with a due date; it turns overdue unanswered; the lead answers it', async () => {
    const id = await caseIn(w, 'assigned');
    const saved = t.clock.now();
    try {
      const refused = await t.request('POST', `/api/cases/${id}/supervision-notes`, { token: w.tok.mediator1, body: { text: 'x', dueAt: '2026-12-01' } });
      assert.equal(refused.status, 403);
      const past = await t.request('POST', `/api/cases/${id}/supervision-notes`, {
        token: w.tok.supervisor1,
        body: { text: '请说明进展', dueAt: '2020-01-01' },
      });
      assert.equal(past.status, 400);
      const due = new Date(t.clock.now().getTime() + 2 * DAY).toISOString();
      const note = await t.request('POST', `/api/cases/${id}/supervision-notes`, { token: w.tok.supervisor1, body: { text: '请说明进展', dueAt: due } });
      assert.equal(note.status, 201, note.text);
      assert.equal(note.body.overdue, false);
      assert.equal(note.body.author.displayName, '李主任');
      assert.deepEqual((await get(id)).supervision, { open: 1, overdue: 0 });

      t.clock.set(new Date(new Date(due).getTime() + 1));
      assert.deepEqual((await get(id)).supervision, { open: 1, overdue: 1 });
      const overdue = await t.request('GET', '/api/supervision-notes?status=overdue', { token: w.tok.supervisor1 });
      assert.ok(overdue.body.some((n: { id: string; overdue: boolean }) => n.id === note.body.id && n.overdue));
      const mine = await t.request('GET', '/api/supervision-notes', { token: w.tok.mediator1 });
      assert.deepEqual(
        mine.body.map((n: { id: string }) => n.id),
        [note.body.id],
        'the lead mediator sees it in their queue',
      );
      const notMine = await t.request('GET', '/api/supervision-notes', { token: w.tok.mediator2 });
      assert.equal(notMine.body.length, 0);

      const wrong = await t.request('POST', `/api/supervision-notes/${note.body.id}/answer`, { token: w.tok.mediator2, body: { answer: '不是我的' } });
      assert.equal(wrong.status, 403);
      const empty = await t.request('POST', `/api/supervision-notes/${note.body.id}/answer`, { token: w.tok.mediator1, body: { answer: '' } });
      assert.equal(empty.status, 400);
      const answered = await t.request('POST', `/api/supervision-notes/${note.body.id}/answer`, {
        token: w.tok.mediator1,
        body: { answer: '已约双方周五调解' },
      });
      assert.equal(answered.status, 200, answered.text);
      assert.equal(answered.body.answer, '已约双方周五调解');
      assert.equal(answered.body.overdue, false);
      const again = await t.request('POST', `/api/supervision-notes/${note.body.id}/answer`, { token: w.tok.mediator1, body: { answer: '再答' } });
      assert.equal(again.status, 409);
      assert.deepEqual((await get(id)).supervision, { open: 0, overdue: 0 });
      const onCase = await t.request('GET', `/api/cases/${id}/supervision-notes`, { token: w.tok.supervisor1 });
      assert.equal(onCase.body.length, 1);

      const tl = await t.services.cases.timeline(id);
      const types = tl.map((e) => e.type);
      assert.deepEqual(types.slice(-2), ['supervision.added', 'supervision.answered']);
      assert.equal((tl.at(-1)!.data as { late: boolean }).late, true);
    } finally {
      t.clock.set(saved);
    }
  });

  test('closed cases take no supervision note', async () => {
    const id = await caseIn(w, 'closed_unsettled');
    const before = await snapshot(t, id);
    const res = await t.request('POST', `/api/cases/${id}/supervision-notes`, { token: w.tok.supervisor1, body: { text: '督办', dueAt: '2026-12-01' } });
    assert.equal(res.status, 409);
    assert.deepEqual(await snapshot(t, id), before);
  });

  test('follow-up is overdue after the configured days', async () => {
    const id = await caseIn(w, 'closed_settled');
    const c = await get(id);
    assert.equal(c.followUpOverdue, false);
    const saved = t.clock.now();
    try {
      t.clock.set(new Date(new Date(c.followUpDueAt).getTime() + 1));
      assert.equal((await get(id)).followUpOverdue, true);
    } finally {
      t.clock.set(saved);
    }
    assert.equal(
      (await act(w, 'mediator1', id, 'record_follow_up', { date: '2026-03-02', method: 'visit', satisfaction: 'satisfied', notes: '满意' })).status,
      200,
    );
    assert.equal((await get(id)).followUpOverdue, false);
  });
});
