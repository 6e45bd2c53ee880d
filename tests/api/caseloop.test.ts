import { caseStates, type CaseState } from '../../server/protocol/caseLoop.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canApply } from '../../server/caseloop/index.ts';
import { routedActions } from '../../server/protocol/cases.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, act, actorFor, caseIn, labourCase, ok, payloadFor, RAW_ID, RAW_PHONES, setupWorld, snapshot, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
});
after(async () => t.close());

describe('staff registration', () => {
  test('a mediator registers at the window (taken on at once: assigned to them, timed, closable); a grid worker reports (reported, source grid)', async () => {
    const m = await t.request('POST', '/api/cases', { token: w.tok.mediator1, body: labourCase() });
    assert.equal(m.status, 201, m.text);
    assert.equal(m.body.state, 'assigned');
    assert.equal(m.body.stateLabel, '已指派');
    assert.equal(m.body.source, 'walk_in');
    assert.equal(m.body.leadMediator.id, w.ids.mediator1);
    assert.equal(m.body.light, 'green', 'the time limit runs from the window intake');
    assert.equal(m.body.grade, 'low');
    assert.equal(m.body.timeLimitDays, 10, 'labour/low by the default rules');
    assert.equal(new Date(m.body.deadlineAt).getTime() - t.clock.now().getTime(), 10 * 24 * 3600_000);
    assert.deepEqual(m.body.supervision, { open: 0, overdue: 0 });
    assert.equal(m.body.parties[0].idNumberMasked, '110***********123X');
    assert.deepEqual(m.body.availableActions, ['close_unsettled', 'escalate'], 'the mediator works the case (a session moves it into mediation)');
    const mt = await t.request('GET', `/api/cases/${m.body.id}/timeline`, { token: w.tok.mediator1 });
    assert.deepEqual(
      mt.body.map((e: { type: string }) => e.type),
      ['case.created', 'case.take_on'],
    );
    assert.equal(mt.body[1].data.mediatorName, '王调解员');
    const other = await t.request('GET', `/api/cases/${m.body.id}`, { token: w.tok.mediator2 });
    assert.equal(other.status, 403, 'another mediator is not offered it: they cannot even open the case');

    const g = await t.request('POST', '/api/cases', { token: w.tok.grid1, body: { ...labourCase(), source: 'hotline_12345' } });
    assert.equal(g.body.state, 'reported');
    assert.equal(g.body.source, 'hotline_12345');
    assert.equal(g.body.leadMediator, null);
    const g2 = await t.request('POST', '/api/cases', { token: w.tok.grid1, body: labourCase() });
    assert.equal(g2.body.source, 'grid');

    const sup = await t.request('GET', `/api/cases/${g.body.id}`, { token: w.tok.supervisor1 });
    assert.deepEqual(sup.body.availableActions, ['register']);
    const timeline = await t.request('GET', `/api/cases/${g.body.id}/timeline`, { token: w.tok.supervisor1 });
    assert.deepEqual(
      timeline.body.map((e: { type: string }) => e.type),
      ['case.created'],
    );
    assert.equal(timeline.body[0].data.state, 'reported');
  });

  test('a walk-in case registered before window intake took cases on (registered, led by its mediator) offers that mediator 受理并承办', async () => {
    const m = await t.request('POST', '/api/cases', { token: w.tok.mediator1, body: labourCase() });
    // Such a row, as the previous version left it: registered, led by the mediator, not timed.
    await t.testDb.sql.run(
      `UPDATE "Case" SET "state" = 'registered', "grade" = NULL, "level" = NULL, "unitId" = NULL, "timeLimitDays" = NULL, "startedAt" = NULL, "deadlineAt" = NULL WHERE "id" = ?`,
      m.body.id,
    );
    const mine = await t.request('GET', `/api/cases/${m.body.id}`, { token: w.tok.mediator1 });
    assert.deepEqual(mine.body.availableActions, ['take_on']);
    const other = await t.request('GET', `/api/cases/${m.body.id}`, { token: w.tok.mediator2 });
    assert.equal(other.status, 403, 'another mediator is not offered it: they cannot even open the case');
    assert.equal((await act(w, 'mediator2', m.body.id, 'take_on', {})).status, 403);
    const taken = await ok(w, 'mediator1', m.body.id, 'take_on', { grade: 'high' });
    assert.deepEqual([taken.state, taken.grade, taken.timeLimitDays, taken.light], ['assigned', 'high', 3, 'green']);
    assert.ok(taken.availableActions.includes('close_unsettled'));
  });

  test('the staff form’s location (区县 / 街镇 / 社区 / 网格) is stored and shown on the case detail; blanks are left out', async () => {
    const { district: _d, town: _t, community: _c, grid: _g, ...noPlace } = labourCase();
    const full = await t.request('POST', '/api/cases', {
      token: w.tok.mediator1,
      body: { ...noPlace, district: ' 示范区 ', town: '城关街道', community: '幸福社区', grid: '第3网格' },
    });
    assert.equal(full.status, 201, full.text);
    const detail = (await t.request('GET', `/api/cases/${full.body.id}`, { token: w.tok.supervisor1 })).body;
    assert.deepEqual([detail.district, detail.town, detail.community, detail.grid], ['示范区', '城关街道', '幸福社区', '第3网格']);

    // The form sends only the fields filled in.
    const partial = await t.request('POST', '/api/cases', { token: w.tok.grid1, body: { ...noPlace, town: '城关街道' } });
    assert.equal(partial.status, 201, partial.text);
    assert.deepEqual([partial.body.district, partial.body.town, partial.body.community, partial.body.grid], [null, '城关街道', null, null]);

    const count = await t.testDb.db.case.count();
    const tooLong = await t.request('POST', '/api/cases', { token: w.tok.mediator1, body: { ...noPlace, grid: '网'.repeat(51) } });
    assert.equal(tooLong.status, 400);
    assert.ok(tooLong.body.details?.grid, tooLong.text);
    assert.equal(await t.testDb.db.case.count(), count, 'nothing written');
  });
});

describe('the whole loop', () => {
  test('report → register → grade and route → assign → session → close → follow-up, all on a verified timeline', async () => {
    const id = await caseIn(w, 'reported');
    let c = await ok(w, 'supervisor1', id, 'register', { note: '材料齐全' });
    assert.equal(c.state, 'registered');

    c = await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'high', level: 'county', unitId: w.units.hr });
    assert.equal(c.state, 'routed');
    assert.deepEqual([c.grade, c.level, c.unit.id, c.unit.name], ['high', 'county', w.units.hr, '区人社局']);
    assert.equal(c.timeLimitDays, 3, 'labour/high: 3 days by the default rules');
    assert.equal(c.startedAt, t.clock.now().toISOString());
    assert.equal(new Date(c.deadlineAt).getTime() - new Date(c.startedAt).getTime(), 3 * 24 * 3600_000);
    assert.equal(c.light, 'green');

    c = await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 });
    assert.equal(c.state, 'assigned');
    assert.equal(c.leadMediator.displayName, '王调解员');

    const s = await t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok.mediator1 });
    assert.equal(s.status, 201);
    c = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.mediator1 })).body;
    assert.equal(c.state, 'in_mediation', 'starting a session on an assigned case starts mediation');
    assert.equal(c.activeSessionId, s.body.id);
    assert.deepEqual(c.availableActions, ['close_settled', 'close_unsettled', 'escalate']);

    c = await ok(w, 'mediator1', id, 'close_settled', { agreementForm: 'written', summary: '十日内付清', agreementId: 'agr-123' });
    assert.equal(c.state, 'closed_settled');
    assert.equal(c.light, 'done');
    assert.equal(c.settled, true);
    assert.equal(c.agreementId, 'agr-123');
    assert.equal(new Date(c.followUpDueAt).getTime() - new Date(c.closedAt).getTime(), 15 * 24 * 3600_000, 'follow-up due in 15 days');

    c = await ok(w, 'mediator1', id, 'record_follow_up', {
      date: t.clock.now().toISOString(),
      method: 'phone',
      satisfaction: 'basically_satisfied',
      notes: '已付清',
    });
    assert.equal(c.state, 'followed_up');
    assert.equal(c.lastSatisfaction, 'basically_satisfied');
    const fu = await t.request('GET', `/api/cases/${id}/follow-ups`, { token: w.tok.supervisor1 });
    assert.equal(fu.body.length, 1);
    assert.equal(fu.body[0].method, 'phone');

    const tl = await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 });
    assert.deepEqual(
      tl.body.map((e: { type: string }) => e.type),
      [
        'case.created',
        'case.register',
        'case.grade_and_route',
        'case.assign',
        'session.started',
        'case.start_mediation',
        'case.close_settled',
        'case.record_follow_up',
      ],
    );
    const routed = tl.body[2].data;
    assert.deepEqual(
      [routed.from, routed.to, routed.unitName, routed.timeLimitDays, routed.timeLimitSource],
      ['registered', 'routed', '区人社局', 3, 'rule:exact'],
    );
    assert.deepEqual((await t.request('GET', `/api/cases/${id}/timeline/verify`, { token: w.tok.mediator1 })).body, { ok: true, entries: 8 });
  });

  test('close_unsettled records the reason and where it was referred; reassign and escalate keep history', async () => {
    const id = await caseIn(w, 'in_mediation');
    let c = await ok(w, 'supervisor1', id, 'reassign', { mediatorId: w.ids.mediator2, reason: '原调解员回避' });
    assert.equal(c.state, 'assigned', 'reassigning goes back to assigned (core table)');
    assert.equal(c.leadMediator.id, w.ids.mediator2);
    const refused = await act(w, 'mediator1', id, 'close_unsettled', payloadFor(w, 'close_unsettled'));
    assert.equal(refused.status, 403, 'the former lead may no longer close it');

    c = await ok(w, 'mediator2', id, 'escalate', { toLevel: 'county', reason: '涉及多个部门', unitId: w.units.county });
    assert.equal(c.state, 'escalated');
    assert.equal(c.level, 'county');
    assert.equal(c.unit.id, w.units.county);
    assert.equal(c.leadMediator, null);
    assert.equal(c.light, 'green', 'the time limit keeps running while escalated');

    await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 });
    c = await ok(w, 'mediator1', id, 'close_unsettled', { reason: '双方分歧大', referredTo: 'other', referralDetail: '区劳动仲裁委' });
    assert.equal(c.state, 'closed_unsettled');
    assert.equal(c.settled, false);

    const tl = (await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 })).body;
    const reassign = tl.find((e: { type: string }) => e.type === 'case.reassign').data;
    assert.deepEqual([reassign.previousMediatorId, reassign.mediatorId, reassign.reason], [w.ids.mediator1, w.ids.mediator2, '原调解员回避']);
    const escalate = tl.find((e: { type: string }) => e.type === 'case.escalate').data;
    assert.deepEqual(
      [escalate.fromLevel, escalate.toLevel, escalate.previousUnitId, escalate.previousMediatorId],
      ['town', 'county', w.units.town, w.ids.mediator2],
    );
    const close = tl.at(-1).data;
    assert.deepEqual([close.referredTo, close.referralDetail, close.reason], ['other', '区劳动仲裁委', '双方分歧大']);
  });

  test('escalated without a unit: routed again at the new level with a new time limit', async () => {
    const id = await caseIn(w, 'escalated');
    let c = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.supervisor1 })).body;
    assert.equal(c.unit, null);
    assert.deepEqual(c.availableActions, ['grade_and_route', 'assign']);
    t.clock.advance(3600_000);
    c = await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'high', level: 'county', unitId: w.units.county, timeLimitDays: 4 });
    assert.equal(c.timeLimitDays, 4);
    assert.equal(c.startedAt, t.clock.now().toISOString());
    const tl = (await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 })).body;
    assert.equal(tl.at(-1).data.timeLimitSource, 'override');
    assert.equal(tl.at(-1).data.from, 'escalated');
  });

  test('the grid worker who reported a case records its follow-up visit; another grid worker may not', async () => {
    const id = await caseIn(w, 'closed_settled');
    const visit = { date: t.clock.now().toISOString(), method: 'visit', satisfaction: 'satisfied', notes: '上门回访，双方已履行' };
    await t.createUser('grid2', 'gridworker', undefined, { displayName: '周网格员' });
    const stranger = (await t.login('grid2')).token;
    const before = await snapshot(t, id);
    const refused = await t.request('POST', `/api/cases/${id}/actions/record_follow_up`, { token: stranger, body: visit });
    assert.equal(refused.status, 403, refused.text);
    assert.deepEqual(await snapshot(t, id), before);
    const c = await ok(w, 'grid1', id, 'record_follow_up', visit);
    assert.equal(c.state, 'followed_up');
  });

  test('a dissatisfied follow-up can reopen the case (new time limit); a satisfied one cannot', async () => {
    const sat = await caseIn(w, 'followed_up');
    const before = await snapshot(t, sat);
    const r = await act(w, 'supervisor1', sat, 'reopen', { reason: '想重开' });
    assert.equal(r.status, 409);
    assert.match(r.body.message, /not satisfied/);
    assert.deepEqual(await snapshot(t, sat), before);

    const id = await caseIn(w, 'reopened');
    const c = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.supervisor1 })).body;
    assert.equal(c.state, 'reopened');
    assert.equal(c.closedAt, null);
    assert.equal(c.light, 'green');
    assert.equal(c.startedAt, t.clock.now().toISOString());
    assert.equal(c.lastSatisfaction, 'not_satisfied');
    assert.deepEqual(c.availableActions, ['assign', 'escalate']);
    await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator2 });
  });
});

describe('illegal moves are refused and change nothing', () => {
  test('every action from every state where the table forbids it → 409 with a clear message, nothing written', async () => {
    let refused = 0;
    for (const state of caseStates as readonly CaseState[]) {
      const id = await caseIn(w, state);
      const current = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.supervisor1 })).body;
      assert.equal(current.state, state);
      const before = await snapshot(t, id);
      for (const action of routedActions) {
        if (canApply(state, action)) continue;
        const res = await act(w, actorFor(action), id, action, payloadFor(w, action));
        // A mediator who does not lead the case is refused before the state is looked at.
        if (res.status === 403) {
          assert.ok(current.leadMediator?.id !== w.ids.mediator1, `${action} from ${state}: ${res.text}`);
          continue;
        }
        assert.equal(res.status, 409, `${action} from ${state}: ${res.text}`);
        assert.equal(res.body.code, 'conflict');
        assert.match(res.body.message, new RegExp(`'${state}'`), res.body.message);
        assert.match(res.body.message, /[\u4e00-\u9fff]/, 'the message has the Chinese reason too');
        refused += 1;
      }
      assert.deepEqual(await snapshot(t, id), before, `state ${state}: nothing changed`);
    }
    assert.ok(refused >= 50, `${refused} refusals checked`);
  });

  test('start_mediation is only through sessions, and a closed case gets no session', async () => {
    const id = await caseIn(w, 'closed_settled');
    const before = await snapshot(t, id);
    const res = await t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok.mediator1 });
    assert.equal(res.status, 409);
    assert.match(res.body.message, /closed_settled/);
    assert.equal((await act(w, 'mediator1', id, 'start_mediation', { sessionId: 'x' })).status, 404);
    assert.deepEqual(await snapshot(t, id), before);
  });

  test('roles: the route table refuses whole roles; the service refuses staff not responsible for the case', async () => {
    const id = await caseIn(w, 'in_mediation');
    const before = await snapshot(t, id);
    for (const [who, action] of [
      ['grid1', 'close_settled'],
      ['admin1', 'grade_and_route'],
      ['mediator1', 'assign'],
      ['official1', 'reopen'],
      ['supervisor1', 'close_settled'],
    ] as const) {
      const res = await act(w, who, id, action, payloadFor(w, action));
      assert.equal(res.status, 403, `${who} ${action}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message']);
    }
    const notLead = await act(w, 'mediator2', id, 'close_settled', payloadFor(w, 'close_settled'));
    assert.equal(notLead.status, 403);
    // Another mediator, with no relation to the case, is refused by the access rule before the loop's own check.
    assert.equal(notLead.body.details?.action, 'case.loop');
    const otherUnit = await act(w, 'official2', id, 'escalate', payloadFor(w, 'escalate'));
    assert.equal(otherUnit.status, 403);
    assert.deepEqual(await snapshot(t, id), before);
    assert.equal((await act(w, 'supervisor1', 'no-such-case', 'register')).status, 404);
  });

  test('an official of the responsible unit may run a case routed to it', async () => {
    const id = await caseIn(w, 'registered');
    await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'high', level: 'county', unitId: w.units.hr });
    const outsider = await act(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.official2 });
    assert.equal(outsider.status, 400, 'an official of another unit cannot lead it');
    await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.official1 });
    const c = await ok(w, 'official1', id, 'close_unsettled', { reason: '已立案查处', referredTo: 'department' });
    assert.equal(c.state, 'closed_unsettled');
  });

  test('bad payloads → 400 with field details, nothing written', async () => {
    const id = await caseIn(w, 'registered');
    const before = await snapshot(t, id);
    const cases: Array<[unknown, string]> = [
      [{ grade: 'extreme', level: 'county', unitId: w.units.county }, 'grade'],
      [{ grade: 'low', level: 'county', unitId: 'nope' }, 'unitId'],
      [{ grade: 'low', level: 'town', unitId: w.units.county }, 'unitId'],
      [{ grade: 'low', level: 'town', unitId: w.units.inactive }, 'unitId'],
      [{ grade: 'low', level: 'town', unitId: w.units.town, timeLimitDays: 31 }, 'timeLimitDays'],
      [{ grade: 'low', level: 'town', unitId: w.units.town, extra: 1 }, '(root)'],
    ];
    for (const [body, field] of cases) {
      const res = await act(w, 'supervisor1', id, 'grade_and_route', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(res.body.details[field], `${field} in ${JSON.stringify(res.body.details)}`);
    }
    assert.deepEqual(await snapshot(t, id), before);

    const m = await caseIn(w, 'in_mediation');
    const mBefore = await snapshot(t, m);
    const closeOther = await act(w, 'mediator1', m, 'close_unsettled', { reason: '不成', referredTo: 'other' });
    assert.equal(closeOther.status, 400);
    assert.ok(closeOther.body.details.referralDetail);
    assert.equal((await act(w, 'mediator1', m, 'close_settled', { agreementForm: 'written' })).status, 400);
    assert.equal((await act(w, 'mediator1', m, 'escalate', { toLevel: 'town', reason: '降级?' })).status, 409, 'escalation goes up only');
    assert.equal((await act(w, 'mediator1', m, 'escalate', { toLevel: 'city', reason: 'x', unitId: w.units.county })).status, 400);
    assert.equal((await act(w, 'supervisor1', m, 'reassign', { mediatorId: w.ids.mediator1, reason: '同一人' })).status, 409);
    assert.equal((await act(w, 'supervisor1', m, 'reassign', { mediatorId: w.ids.grid1, reason: '网格员' })).status, 400);
    assert.deepEqual(await snapshot(t, m), mBefore);

    const closed = await caseIn(w, 'closed_settled');
    const cBefore = await snapshot(t, closed);
    const fu = (body: Record<string, unknown>) =>
      act(w, 'mediator1', closed, 'record_follow_up', { date: '2026-03-02', method: 'phone', satisfaction: 'satisfied', notes: '好', ...body });
    assert.equal((await fu({ method: 'party_link' })).status, 400, 'party_link is for the party’s own link');
    assert.equal((await fu({ date: '2099-01-01' })).status, 400, 'not in the future');
    assert.equal((await fu({ date: '2020-01-01' })).status, 400, 'not before closing');
    assert.equal((await fu({ satisfaction: 'meh' })).status, 400);
    assert.deepEqual(await snapshot(t, closed), cBefore);
  });

  test('two concurrent closings: one wins, the other is refused', async () => {
    const id = await caseIn(w, 'in_mediation');
    const results = await Promise.all([
      act(w, 'mediator1', id, 'close_settled', payloadFor(w, 'close_settled')),
      act(w, 'mediator1', id, 'close_unsettled', payloadFor(w, 'close_unsettled')),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    const tl = await t.services.cases.timeline(id);
    assert.equal(tl.filter((e) => e.type.startsWith('case.close')).length, 1);
    assert.deepEqual(await t.services.cases.verifyTimeline(id), { ok: true, entries: tl.length });
  });
});

describe('personal data', () => {
  test('the phone is revealed only to the lead mediator or a supervisor, and each reveal is on the timeline', async () => {
    const id = await caseIn(w, 'assigned');
    const c = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.mediator1 })).body;
    const party = c.parties[0];
    for (const who of ['mediator2', 'official1', 'grid1', 'admin1']) {
      const res = await t.request('GET', `/api/cases/${id}/parties/${party.id}/contact`, { token: w.tok[who] });
      assert.equal(res.status, 403, who);
      assert.ok(!res.text.includes(RAW_PHONES[0]!));
    }
    const res = await t.request('GET', `/api/cases/${id}/parties/${party.id}/contact`, { token: w.tok.mediator1 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { partyId: party.id, side: 'applicant', name: '张三', phone: RAW_PHONES[0] });
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal((await t.request('GET', `/api/cases/${id}/parties/${party.id}/contact`, { token: w.tok.supervisor1 })).status, 200);
    const other = await caseIn(w, 'reported');
    assert.equal(
      (await t.request('GET', `/api/cases/${other}/parties/${party.id}/contact`, { token: w.tok.supervisor1 })).status,
      404,
      'party of another case',
    );

    const tl = await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 });
    const reveals = tl.body.filter((e: { type: string }) => e.type === 'party.contact_revealed');
    assert.equal(reveals.length, 2);
    assert.deepEqual([reveals[0].actor, reveals[0].data.partyId, reveals[0].data.field], [`user:${w.ids.mediator1}`, party.id, 'phone']);
    assert.ok(!tl.text.includes(RAW_PHONES[0]!), 'the number itself is not on the timeline');
  });

  test('raw phone and ID numbers appear in no list, detail, timeline, queue or note', async () => {
    const id = await caseIn(w, 'in_mediation');
    await t.request('POST', `/api/cases/${id}/supervision-notes`, { token: w.tok.supervisor1, body: { text: '请尽快办理', dueAt: '2026-12-31' } });
    await t.request('POST', `/api/cases/${id}/whistles`, { token: w.tok.mediator1, body: { unitId: w.units.hr, need: '核实工资' } });
    const urls: Array<[string, string]> = [
      ['supervisor1', '/api/cases'],
      ['mediator1', '/api/cases?mine=1'],
      ['official1', '/api/cases?mine=1'],
      ['grid1', '/api/cases?mine=1'],
      ['supervisor1', '/api/cases?light=green'],
      ['supervisor1', `/api/cases/${id}`],
      ['supervisor1', `/api/cases/${id}/timeline`],
      ['supervisor1', '/api/supervision-notes?status=all'],
      ['official1', '/api/whistles'],
      ['supervisor1', `/api/cases/${id}/whistles`],
      ['supervisor1', '/api/stats'],
      ['supervisor1', '/api/stats/export.csv'],
    ];
    for (const [who, url] of urls) {
      const res = await t.request('GET', url, { token: w.tok[who] });
      assert.equal(res.status, 200, `${url}: ${res.text}`);
      for (const raw of [...RAW_PHONES, RAW_ID, '1381234', '11010119900307']) {
        assert.ok(!res.text.includes(raw), `${raw} must not appear in ${url}`);
      }
    }
    const list = await t.request('GET', '/api/cases', { token: w.tok.supervisor1 });
    for (const c of list.body) for (const p of c.parties) assert.match(p.phoneMasked, /^\d{3}\*{4}\d{4}$/);
  });
});
