import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, caseIn, setupWorld, snapshot, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
});
after(async () => t.close());

const whistle = (caseId: string, body: unknown, who = 'mediator1') => t.request('POST', `/api/cases/${caseId}/whistles`, { token: w.tok[who], body });

describe('calling in departments (吹哨报到)', () => {
  test('mediator whistles → the department’s officials see it → accept → an official invitation into the open session', async () => {
    const id = await caseIn(w, 'in_mediation');
    const session = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.mediator1 })).body.activeSessionId;
    assert.ok(session);

    const created = await whistle(id, { unitId: w.units.hr, need: '请人社局核实欠薪金额并到场' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, 'open');
    assert.equal(created.body.unit.name, '区人社局');
    assert.equal(created.body.requestedBy.displayName, '王调解员');

    const queue = await t.request('GET', '/api/whistles?mine=1', { token: w.tok.official1 });
    assert.deepEqual(
      queue.body.map((x: { id: string }) => x.id),
      [created.body.id],
    );
    assert.equal(queue.body[0].caseNumber, (await t.request('GET', `/api/cases/${id}`, { token: w.tok.official1 })).body.caseNumber);
    assert.equal((await t.request('GET', '/api/whistles', { token: w.tok.official2 })).body.length, 0, 'another department does not see it');
    const mine = await t.request('GET', '/api/whistles?mine=1', { token: w.tok.mediator1 });
    assert.equal(mine.body.length, 1);

    const before = await snapshot(t, id);
    const other = await t.request('POST', `/api/whistles/${created.body.id}/accept`, { token: w.tok.official2 });
    assert.equal(other.status, 403);
    assert.equal((await t.request('POST', `/api/whistles/${created.body.id}/accept`, { token: w.tok.mediator1 })).status, 403);
    assert.deepEqual(await snapshot(t, id), before);

    t.clock.advance(5 * 60_000);
    const acc = await t.request('POST', `/api/whistles/${created.body.id}/accept`, { token: w.tok.official1 });
    assert.equal(acc.status, 200, acc.text);
    assert.equal(acc.body.sessionId, session, 'into the open session');
    assert.equal(acc.body.whistle.status, 'accepted');
    assert.equal(acc.body.whistle.responseSeconds, 300);
    assert.equal(acc.body.whistle.acceptedBy.displayName, '赵科长');
    const m = /^https:\/\/tiaojie\.example\.cn\/join#t=(.+)$/.exec(acc.body.url);
    assert.ok(m, acc.body.url);
    const principal = await t.services.auth.verifyInvitationToken(m[1]!);
    assert.deepEqual(
      [principal.role, principal.sessionId, principal.displayName, principal.department, principal.invitationId],
      ['official', session, '赵科长', '区人社局', acc.body.invitationId],
    );

    const again = await t.request('POST', `/api/whistles/${created.body.id}/accept`, { token: w.tok.official1 });
    assert.equal(again.status, 409);
    assert.equal((await t.request('GET', '/api/whistles', { token: w.tok.official1 })).body.length, 0, 'no longer open');
    assert.equal((await t.request('GET', '/api/whistles?status=accepted', { token: w.tok.official1 })).body.length, 1);

    const tl = (await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 })).body;
    const types = tl.map((e: { type: string }) => e.type);
    assert.deepEqual(types.slice(-3), ['whistle.requested', 'invitation.created', 'whistle.accepted']);
    assert.deepEqual([tl.at(-1).data.responseSeconds, tl.at(-1).data.unitName, tl.at(-1).data.invitationId], [300, '区人社局', acc.body.invitationId]);
    const invitations = await t.request('GET', `/api/sessions/${session}/invitations`, { token: w.tok.mediator1 });
    assert.ok(invitations.body.some((i: { id: string; role: string }) => i.id === acc.body.invitationId && i.role === 'official'));
  });

  test('no open session: accepting opens one (so the official can join at once)', async () => {
    const id = await caseIn(w, 'assigned');
    const created = await whistle(id, { unitId: w.units.traffic, need: '事故责任认定' });
    const acc = await t.request('POST', `/api/whistles/${created.body.id}/accept`, { token: w.tok.official2 });
    assert.equal(acc.status, 200, acc.text);
    const c = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.mediator1 })).body;
    assert.equal(c.activeSessionId, acc.body.sessionId);
    assert.equal(c.state, 'in_mediation', 'the opened session started mediation on the assigned case');
    assert.equal((await t.services.auth.verifyInvitationToken(acc.body.url.split('#t=')[1])).sessionId, acc.body.sessionId);
  });

  test('refused: not a department, unknown unit, closed case, empty need, wrong role — nothing written', async () => {
    const id = await caseIn(w, 'in_mediation');
    const before = await snapshot(t, id);
    assert.equal((await whistle(id, { unitId: w.units.county, need: 'x' })).status, 400, 'a mediation centre is not a department');
    assert.equal((await whistle(id, { unitId: 'nope', need: 'x' })).status, 400);
    assert.equal((await whistle(id, { unitId: w.units.hr, need: '' })).status, 400);
    assert.equal((await whistle(id, { unitId: w.units.hr, need: 'x' }, 'supervisor1')).status, 403);
    assert.deepEqual(await snapshot(t, id), before);
    const closed = await caseIn(w, 'closed_settled');
    const cBefore = await snapshot(t, closed);
    assert.equal((await whistle(closed, { unitId: w.units.hr, need: 'x' })).status, 409);
    assert.deepEqual(await snapshot(t, closed), cBefore);

    // Accepting after the case was closed is refused too, and leaves the request open.
    const open = await caseIn(w, 'in_mediation');
    const wr = await whistle(open, { unitId: w.units.hr, need: '到场' });
    await t.request('POST', `/api/cases/${open}/actions/close_settled`, { token: w.tok.mediator1, body: { agreementForm: 'oral', summary: '和解' } });
    const oBefore = await snapshot(t, open);
    assert.equal((await t.request('POST', `/api/whistles/${wr.body.id}/accept`, { token: w.tok.official1 })).status, 409);
    assert.deepEqual(await snapshot(t, open), oBefore);
    const list = await t.request('GET', `/api/cases/${open}/whistles`, { token: w.tok.supervisor1 });
    assert.equal(list.body[0].status, 'open');
  });

  test('cancel (the mediator) and decline (the department), each with a reason, on the timeline; accepted ones cannot be — 409, nothing changed', async () => {
    const id = await caseIn(w, 'in_mediation');
    const cancelOf = (wid: string, body: unknown, who = 'mediator1') => t.request('POST', `/api/whistles/${wid}/cancel`, { token: w.tok[who], body });
    const declineOf = (wid: string, body: unknown, who = 'official1') => t.request('POST', `/api/whistles/${wid}/decline`, { token: w.tok[who], body });

    // Cancel: refused for other roles, another mediator, no reason; then done by the requester.
    const a = (await whistle(id, { unitId: w.units.hr, need: '核实欠薪' })).body;
    let before = await snapshot(t, id);
    assert.equal((await cancelOf(a.id, { reason: '不需要了' }, 'official1')).status, 403, 'not a mediator');
    assert.equal((await cancelOf(a.id, { reason: '不需要了' }, 'supervisor1')).status, 403);
    assert.equal((await cancelOf(a.id, { reason: '不需要了' }, 'mediator2')).status, 403, 'not the requester nor the lead');
    const noReason = await cancelOf(a.id, { reason: '  ' });
    assert.equal(noReason.status, 400);
    assert.ok(noReason.body.details?.reason, noReason.text);
    assert.equal((await cancelOf('nope', { reason: 'x' })).status, 404);
    assert.deepEqual(await snapshot(t, id), before);
    t.clock.advance(60_000);
    const cancelled = await cancelOf(a.id, { reason: '当事人已自行协商' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.deepEqual(
      [cancelled.body.status, cancelled.body.closedBy.displayName, cancelled.body.closeReason, cancelled.body.closedAt],
      ['cancelled', '王调解员', '当事人已自行协商', t.clock.now().toISOString()],
    );
    const queueIds = async (q: string) => (await t.request('GET', `/api/whistles${q}`, { token: w.tok.official1 })).body.map((x: { id: string }) => x.id);
    assert.ok(!(await queueIds('')).includes(a.id), 'gone from the department queue');
    assert.deepEqual(await queueIds('?status=cancelled'), [a.id]);

    // Decline: only an official of the called department.
    const b = (await whistle(id, { unitId: w.units.hr, need: '到场说明政策' })).body;
    before = await snapshot(t, id);
    assert.equal((await declineOf(b.id, { reason: '非本部门职责' }, 'official2')).status, 403, 'another department');
    assert.equal((await declineOf(b.id, { reason: '非本部门职责' }, 'mediator1')).status, 403);
    assert.equal((await declineOf(b.id, {})).status, 400);
    assert.deepEqual(await snapshot(t, id), before);
    const declined = await declineOf(b.id, { reason: '非本部门职责，请联系劳动监察大队' });
    assert.equal(declined.status, 200, declined.text);
    assert.deepEqual(
      [declined.body.status, declined.body.closedBy.displayName, declined.body.closeReason],
      ['declined', '赵科长', '非本部门职责，请联系劳动监察大队'],
    );

    // Nothing more can happen to a cancelled or declined request.
    before = await snapshot(t, id);
    const closedRows = await t.testDb.db.whistleRequest.findMany({ where: { id: { in: [a.id, b.id] } }, orderBy: { id: 'asc' } });
    assert.equal((await t.request('POST', `/api/whistles/${a.id}/accept`, { token: w.tok.official1 })).status, 409);
    assert.equal((await declineOf(a.id, { reason: 'x' })).status, 409);
    assert.equal((await cancelOf(b.id, { reason: 'x' })).status, 409);
    assert.deepEqual(await snapshot(t, id), before);
    assert.deepEqual(await t.testDb.db.whistleRequest.findMany({ where: { id: { in: [a.id, b.id] } }, orderBy: { id: 'asc' } }), closedRows);

    // Accepted: neither cancel nor decline, nothing changed.
    const c = (await whistle(id, { unitId: w.units.hr, need: '再次到场' })).body;
    assert.equal((await t.request('POST', `/api/whistles/${c.id}/accept`, { token: w.tok.official1 })).status, 200);
    before = await snapshot(t, id);
    const rowBefore = await t.testDb.db.whistleRequest.findUniqueOrThrow({ where: { id: c.id } });
    const late = await cancelOf(c.id, { reason: '晚了' });
    assert.equal(late.status, 409);
    assert.match(late.body.message, /accepted/);
    assert.equal((await declineOf(c.id, { reason: '晚了' })).status, 409);
    assert.deepEqual(await snapshot(t, id), before);
    assert.deepEqual(await t.testDb.db.whistleRequest.findUniqueOrThrow({ where: { id: c.id } }), rowBefore);

    const tl = (await t.request('GET', `/api/cases/${id}/timeline`, { token: w.tok.supervisor1 })).body as Array<{
      type: string;
      actorName: string;
      data: Record<string, unknown>;
    }>;
    const cancelEntry = tl.find((e) => e.type === 'whistle.cancelled')!;
    const declineEntry = tl.find((e) => e.type === 'whistle.declined')!;
    assert.deepEqual([cancelEntry.data.whistleId, cancelEntry.data.reason, cancelEntry.actorName], [a.id, '当事人已自行协商', '王调解员']);
    assert.deepEqual(
      [declineEntry.data.whistleId, declineEntry.data.reason, declineEntry.data.unitName, declineEntry.actorName],
      [b.id, '非本部门职责，请联系劳动监察大队', '区人社局', '赵科长'],
    );
    assert.equal((await t.request('GET', `/api/cases/${id}/timeline/verify`, { token: w.tok.supervisor1 })).body.ok, true);
  });

  test('the case’s lead mediator may cancel a request made by the previous lead', async () => {
    const id = await caseIn(w, 'in_mediation');
    const wr = (await whistle(id, { unitId: w.units.traffic, need: '事故认定' })).body;
    const re = await t.request('POST', `/api/cases/${id}/actions/reassign`, {
      token: w.tok.supervisor1,
      body: { mediatorId: w.ids.mediator2, reason: '回避' },
    });
    assert.equal(re.status, 200, re.text);
    const res = await t.request('POST', `/api/whistles/${wr.id}/cancel`, { token: w.tok.mediator2, body: { reason: '改由交警现场处理' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.closedBy.displayName, '陈调解员');
  });
});

describe("the official's alert (header badge and console notice)", () => {
  test("GET /api/whistles/pending counts open requests to the official's own department and names the newest", async () => {
    const pending = async (who: string) => {
      const res = await t.request('GET', '/api/whistles/pending', { token: w.tok[who] });
      assert.equal(res.status, 200, res.text);
      return res.body as { count: number; newest: { id: string; caseNumber: string; need: string } | null };
    };
    const start = await pending('official1');
    const a = await caseIn(w, 'in_mediation');
    const b = await caseIn(w, 'in_mediation');
    const first = await whistle(a, { unitId: w.units.hr, need: '请核实欠薪金额' });
    assert.equal(first.status, 201, first.text);
    t.clock.advance(60_000);
    const second = await whistle(b, { unitId: w.units.hr, need: '请到场说明政策' });
    const toTraffic = await whistle(b, { unitId: w.units.traffic, need: '请交警到场' });
    assert.equal(toTraffic.status, 201, toTraffic.text);

    let p = await pending('official1');
    assert.equal(p.count, start.count + 2, 'two requests to 区人社局');
    assert.equal(p.newest?.id, second.body.id);
    assert.equal(p.newest?.need, '请到场说明政策');
    assert.equal((await pending('official2')).count >= 1, true, 'the traffic police see theirs');

    assert.equal((await t.request('POST', `/api/whistles/${first.body.id}/accept`, { token: w.tok.official1 })).status, 200);
    p = await pending('official1');
    assert.equal(p.count, start.count + 1, 'an accepted request no longer counts');

    for (const who of ['mediator1', 'supervisor1', 'grid1', 'admin1']) {
      assert.equal((await t.request('GET', '/api/whistles/pending', { token: w.tok[who] })).status, 403, who);
    }
    assert.equal((await t.request('GET', '/api/whistles/pending')).status, 401);
  });
});
