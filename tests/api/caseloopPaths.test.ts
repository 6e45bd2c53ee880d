import { caseActions, terminalStates, type CaseAction, type CaseState } from '../../server/protocol/caseLoop.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { transitions } from '../../server/caseloop/index.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, labourCase, setupWorld, type LoopWorld } from './caseloopHelpers.ts';

/*
 * Every path of the state table, from intake to closed and followed up, through the HTTP API only:
 * citizen report, grid-worker report, mediator walk-in; settled and not settled (referred);
 * routed, escalated, reassigned, reopened, department-led and whistle paths. After every step
 * someone is offered the next action (or, for an assigned case, its lead can start a session);
 * at the end every edge of the table has been walked.
 */

let t: TestServer;
let w: LoopWorld;
const walked = new Set<string>();
const walkedCases: string[] = [];

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
});
after(async () => t.close());

const staffUsers = ['mediator1', 'mediator2', 'supervisor1', 'official1', 'official2', 'grid1'] as const;

async function detail(id: string, who = 'supervisor1') {
  const res = await t.request('GET', `/api/cases/${id}`, { token: w.tok[who] });
  assert.equal(res.status, 200, res.text);
  return res.body as { state: CaseState; availableActions: string[]; leadMediator: { id: string } | null; light: string | null };
}

/** Somebody is offered a next step, unless the loop is complete. */
async function assertSomeoneCanAct(id: string): Promise<CaseState> {
  const offered: string[] = [];
  let state: CaseState | undefined;
  for (const who of staffUsers) {
    const res = await t.request('GET', `/api/cases/${id}`, { token: w.tok[who] });
    // Staff who may not see this case are not the ones to act on it.
    if (res.status === 403 || res.status === 404) continue;
    assert.equal(res.status, 200, res.text);
    const d = res.body as Awaited<ReturnType<typeof detail>>;
    state = d.state;
    for (const a of d.availableActions) offered.push(`${who}:${a}`);
    // An assigned case moves on when its lead starts a session (not a button of the actions list).
    if (d.state === 'assigned' && d.leadMediator?.id === w.ids[who]) offered.push(`${who}:start a session`);
  }
  assert.ok(state);
  if (!terminalStates.includes(state)) assert.ok(offered.length > 0, `nobody can act on ${id} in '${state}'`);
  return state;
}

async function step(who: string, id: string, action: CaseAction, body: unknown, expect: CaseState): Promise<void> {
  const res = await t.request('POST', `/api/cases/${id}/actions/${action}`, { token: w.tok[who], body });
  assert.equal(res.status, 200, `${action} by ${who}: ${res.text}`);
  assert.equal(res.body.state, expect, action);
  assert.equal(await assertSomeoneCanAct(id), expect);
}

async function session(who: string, id: string, expect: CaseState = 'in_mediation'): Promise<string> {
  const res = await t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok[who] });
  assert.ok(res.status === 201 || res.status === 200, res.text);
  assert.equal((await detail(id)).state, expect);
  await assertSomeoneCanAct(id);
  return res.body.id as string;
}

async function create(who: string, expect: CaseState): Promise<string> {
  const res = await t.request('POST', '/api/cases', { token: w.tok[who], body: labourCase() });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.state, expect);
  walkedCases.push(res.body.id);
  assert.equal(await assertSomeoneCanAct(res.body.id), expect);
  return res.body.id as string;
}

async function citizenReport(): Promise<string> {
  const res = await t.request('POST', '/api/public/cases', {
    body: { disputeType: 'labour', description: '工资拖欠两个月', parties: [{ side: 'applicant', name: '刘六', phone: '13812345678' }] },
  });
  assert.equal(res.status, 201, res.text);
  const list = await t.request('GET', '/api/cases', { token: w.tok.supervisor1 });
  const c = list.body.find((x: { caseNumber: string }) => x.caseNumber === res.body.caseNumber);
  assert.ok(c, 'the citizen report is in the list');
  walkedCases.push(c.id);
  assert.equal(await assertSomeoneCanAct(c.id), 'reported');
  return c.id as string;
}

const now = () => t.clock.now().toISOString();
const followUp = (satisfaction: string) => ({ date: now(), method: 'phone', satisfaction, notes: '回访' });
const settled = { agreementForm: 'written', summary: '分两期支付' };
const referred = (to: string) => ({ reason: '被申请人拒绝调解', referredTo: to });

describe('every path of the case loop through the HTTP API', () => {
  test('citizen report → registered by the supervisor → routed → assigned → mediation → settled → followed up', async () => {
    const id = await citizenReport();
    await step('supervisor1', id, 'register', {}, 'registered');
    await step('supervisor1', id, 'grade_and_route', { grade: 'medium', level: 'county', unitId: w.units.county }, 'routed');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 }, 'assigned');
    await session('mediator1', id);
    await step('mediator1', id, 'close_settled', settled, 'closed_settled');
    await step('mediator1', id, 'record_follow_up', followUp('satisfied'), 'followed_up');
  });

  test('grid-worker report → registered at the window → routed → escalated → assigned → refused (referred to court) → dissatisfied → reopened → escalated → routed → settled', async () => {
    const id = await create('grid1', 'reported');
    await step('mediator1', id, 'register', { note: '窗口受理' }, 'registered');
    await step('supervisor1', id, 'grade_and_route', { grade: 'medium', level: 'town', unitId: w.units.town }, 'routed');
    await step('supervisor1', id, 'escalate', { toLevel: 'county', reason: '涉及人数多' }, 'escalated');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator2 }, 'assigned');
    await step('mediator2', id, 'close_unsettled', referred('court'), 'closed_unsettled');
    // The grid worker who reported it goes back for the follow-up visit.
    await step('grid1', id, 'record_follow_up', followUp('not_satisfied'), 'followed_up');
    await step('supervisor1', id, 'reopen', { reason: '当事人不满意' }, 'reopened');
    await step('supervisor1', id, 'escalate', { toLevel: 'city', reason: '区级调处未果' }, 'escalated');
    await step('supervisor1', id, 'grade_and_route', { grade: 'high', level: 'city', unitId: w.units.city }, 'routed');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 }, 'assigned');
    await session('mediator1', id);
    await step('mediator1', id, 'close_settled', settled, 'closed_settled');
    await step('supervisor1', id, 'record_follow_up', followUp('satisfied'), 'followed_up');
  });

  test('mediator walk-in: taken on at once (assigned, timed, on the timeline) → reassigned twice → settled', async () => {
    const id = await create('mediator1', 'assigned');
    const c = await detail(id, 'mediator1');
    assert.equal(c.leadMediator?.id, w.ids.mediator1);
    assert.equal(c.light, 'green', 'the time limit runs from the window intake');
    assert.ok(c.availableActions.includes('close_unsettled'), 'the walk-in mediator can close it (a party may refuse outright)');
    const timeline = await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.mediator1 });
    assert.deepEqual(
      timeline.body.map((e: { type: string; data: { from?: string; to?: string } }) => [e.type, e.data.from, e.data.to]),
      [
        ['case.created', undefined, undefined],
        ['case.take_on', 'registered', 'assigned'],
      ],
    );
    await step('supervisor1', id, 'reassign', { mediatorId: w.ids.mediator2, reason: '回避' }, 'assigned');
    await session('mediator2', id);
    await step('supervisor1', id, 'reassign', { mediatorId: w.ids.mediator1, reason: '调解员休假' }, 'assigned');
    // The session is still open: the new lead carries on in it, and the case is in mediation again.
    await session('mediator1', id);
    await step('mediator1', id, 'close_settled', settled, 'closed_settled');
    await step('mediator1', id, 'record_follow_up', followUp('basically_satisfied'), 'followed_up');
  });

  test('mediator walk-in: a party refuses (referred to a department) → reopened → assigned → escalated in mediation → not settled', async () => {
    const id = await create('mediator1', 'assigned');
    await step('mediator1', id, 'close_unsettled', referred('department'), 'closed_unsettled');
    await step('mediator1', id, 'record_follow_up', followUp('not_satisfied'), 'followed_up');
    await step('supervisor1', id, 'reopen', { reason: '当事人不满意' }, 'reopened');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator2 }, 'assigned');
    await session('mediator2', id);
    await step('mediator2', id, 'escalate', { toLevel: 'city', reason: '需市级协调' }, 'escalated');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 }, 'assigned');
    await session('mediator1', id);
    await step('mediator1', id, 'close_unsettled', referred('arbitration'), 'closed_unsettled');
    await step('mediator1', id, 'record_follow_up', followUp('satisfied'), 'followed_up');
  });

  test('routed to a centre, escalated by its mediator before mediation, routed up and settled with a department called in (吹哨)', async () => {
    const id = await create('grid1', 'reported');
    await step('supervisor1', id, 'register', {}, 'registered');
    await step('supervisor1', id, 'grade_and_route', { grade: 'low', level: 'town', unitId: w.units.town }, 'routed');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 }, 'assigned');
    await step('mediator1', id, 'escalate', { toLevel: 'county', reason: '需人社局参与' }, 'escalated');
    await step('supervisor1', id, 'grade_and_route', { grade: 'medium', level: 'county', unitId: w.units.county }, 'routed');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 }, 'assigned');
    await session('mediator1', id);
    const wh = await t.request('POST', `/api/cases/${id}/whistles`, { token: w.tok.mediator1, body: { unitId: w.units.hr, need: '请人社局核实欠薪金额' } });
    assert.equal(wh.status, 201, wh.text);
    const acc = await t.request('POST', `/api/whistles/${wh.body.id}/accept`, { token: w.tok.official1 });
    assert.equal(acc.status, 200, acc.text);
    await step('mediator1', id, 'close_settled', settled, 'closed_settled');
    await step('mediator1', id, 'record_follow_up', followUp('satisfied'), 'followed_up');
  });

  test('routed to a department and led by its official: the official closes it (referred) and follows up', async () => {
    const id = await create('grid1', 'reported');
    await step('supervisor1', id, 'register', {}, 'registered');
    await step('supervisor1', id, 'grade_and_route', { grade: 'high', level: 'county', unitId: w.units.hr }, 'routed');
    await step('supervisor1', id, 'assign', { mediatorId: w.ids.official1 }, 'assigned');
    await step('official1', id, 'close_unsettled', referred('arbitration'), 'closed_unsettled');
    await step('official1', id, 'record_follow_up', followUp('satisfied'), 'followed_up');
  });

  test('together the walks took every transition of the table (every action from every state it leaves)', async () => {
    for (const id of walkedCases) {
      const timeline = await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 });
      for (const e of timeline.body as Array<{ type: string; data: { from?: string; to?: string } }>) {
        if (e.type.startsWith('case.') && e.data.from !== undefined) walked.add(`${e.type.slice(5)}:${e.data.from}`);
      }
      const v = await t.request('GET', `/api/cases/${id}/timeline/verify`, { token: w.tok.supervisor1 });
      assert.equal(v.body.ok, true);
    }
    const table = caseActions.flatMap((a) =>
      transitions[a].from
        // Starting a second session of a case in mediation changes nothing and writes no transition.
        .filter((from) => !(a === 'start_mediation' && from === 'in_mediation'))
        .map((from) => `${a}:${from}`),
    );
    assert.deepEqual(
      table.filter((edge) => !walked.has(edge)),
      [],
      'transitions no walk took',
    );
  });
});
