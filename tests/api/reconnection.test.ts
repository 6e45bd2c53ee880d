import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WireError } from '../../server/protocol/errors.ts';
import { startChildServer, type ChildServer } from '../helpers/childServer.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { enterRoom, stateWhere, type Member } from '../helpers/room.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';

/*
 * Reconnection and session lifecycle over real sockets: a reconnection after the recovery window
 * (socket.io-client then sends `pid` and `offset` in the handshake), a staff logout reaching the
 * open socket, and a server killed with SIGKILL and started again on the same database.
 */

type Engine = { close(): void };
const engineOf = (s: TestSocket) => (s.socket.io as unknown as { engine: Engine }).engine;
const refusalsOf = (s: TestSocket) => {
  const refusals: Array<WireError | undefined> = [];
  s.socket.on('connect_error', (error: Error & { data?: WireError }) => refusals.push(error.data));
  return refusals;
};

/** Enters again after a reconnection that was not recovered: a fresh join as the same person. */
async function rejoin(s: TestSocket) {
  const { rtpCapabilities } = await s.request('room.getRouterRtpCapabilities', {});
  return s.request('room.join', { rtpCapabilities });
}

describe('reconnection and session lifecycle (sockets)', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startFullServer({ signallingTiming: { recoveryMs: 300 } });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  const enter = (auth: Parameters<typeof connectSocket>[1], options: { reconnection?: boolean } = {}): Promise<Member> =>
    enterRoom(server.baseUrl, sockets, auth, options);

  test('after the recovery window the handshake with pid and offset is accepted: same identity, no ghost, still admitted', async () => {
    const { token, session } = await server.mediatorWithSession();
    const mediator = await enter({ kind: 'staff', token, sessionId: session.id });
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const party = await enter({ kind: 'invitation', token: inv.token }, { reconnection: true });
    await mediator.s.request('lobby.admit', { peerId: party.id });
    await stateWhere(party.s, (st) => st.self.place === 'main', 'admitted');
    // socket.io-client sends these on every reconnection once the server offers state recovery.
    assert.ok((party.s.socket as unknown as { _pid?: string })._pid, 'the client holds a recovery session id');

    const refusals = refusalsOf(party.s);
    const room = server.app.rooms.get(session.id)!;
    // Come back only after the server gave up the session (a phone out of signal for a while).
    party.s.socket.io.reconnectionDelay(1000).reconnectionDelayMax(1000).randomizationFactor(0);
    party.s.notifications.length = 0;
    engineOf(party.s).close();
    await until(() => room.findPeer(party.id) === undefined, 'the old peer freed after the window');
    await until(
      () => party.s.socket.connected,
      () => `the reconnection to be accepted; refusals: ${JSON.stringify(refusals)}`,
      5000,
    );
    assert.equal((party.s.socket as unknown as { recovered: boolean }).recovered, false, 'a fresh session, not a recovered one');
    assert.deepEqual(refusals, []);

    const joined = await rejoin(party.s);
    assert.notEqual(joined.self.id, party.id);
    assert.equal(joined.state.self.place, 'main', 'admitted before: straight back into the joint session');
    assert.equal(room.peers().filter((p) => p.info.displayName === '张三').length, 1, 'no ghost');
  });

  test('a transport connect sent again (its answer lost in a drop) succeeds; other DTLS parameters are refused', async () => {
    const { token, session } = await server.mediatorWithSession();
    const mediator = await enter({ kind: 'staff', token, sessionId: session.id });
    const send = await mediator.s.request('transport.create', { direction: 'send' });
    const fingerprint = (value: string) => ({ role: 'client' as const, fingerprints: [{ algorithm: 'sha-256' as const, value }] });
    const dtls = fingerprint(Array.from({ length: 32 }, () => 'AB').join(':'));
    await mediator.s.request('transport.connect', { transportId: send.id, dtlsParameters: dtls });
    const again = await mediator.s.send('transport.connect', { transportId: send.id, dtlsParameters: dtls });
    assert.ok(again.ok, `the same connect again: ${JSON.stringify(again)}`);
    const other = await mediator.s.send('transport.connect', {
      transportId: send.id,
      dtlsParameters: fingerprint(Array.from({ length: 32 }, () => 'CD').join(':')),
    });
    assert.ok(!other.ok && other.error.code === 'conflict');
  });

  test('a staff logout disconnects that login’s sockets at once with a typed reason; its token is refused', async () => {
    const { token, session } = await server.mediatorWithSession();
    const mediator = await enter({ kind: 'staff', token, sessionId: session.id });
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '李四', side: 'respondent' });
    const party = await enter({ kind: 'invitation', token: inv.token });
    await stateWhere(party.s, (st) => st.self.place === 'lobby', 'waiting');

    const res = await server.api('POST', '/api/auth/logout', { token });
    assert.equal(res.status, 204);
    const closed = await mediator.s.waitFor('room.closed', 3000);
    assert.equal(closed.data.reason, 'logged_out');
    await until(() => !mediator.s.socket.connected, 'the logged-out socket disconnected');

    // Nothing it could still send reaches the room, and the token no longer opens a socket.
    const refused = await connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id }).then(
      (s) => (s.close(), undefined),
      (error: { wire?: WireError }) => error.wire,
    );
    assert.equal(refused?.code, 'unauthenticated');
    const room = server.app.rooms.get(session.id)!;
    assert.equal(room.getPeer(party.id).presence.waiting, true, 'the party was not admitted');
    assert.ok(party.s.socket.connected, 'nobody else is disconnected');
  });
});

describe('a server killed mid-call (child process, SIGKILL) and started again', () => {
  let server: ChildServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startChildServer();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  /** A mediator and a party in a call (sockets that reconnect), the party admitted, both on record as admitted. */
  async function callWithAdmittedParty(displayName: string) {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    const mediator = await enterRoom(server.baseUrl, sockets, { kind: 'staff', token, sessionId: session.id }, { reconnection: true });
    const inv = await server.invite(token, session.id, { role: 'party', displayName, side: 'applicant' });
    const party = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: inv.token }, { reconnection: true });
    await mediator.s.request('lobby.admit', { peerId: party.id });
    await stateWhere(party.s, (st) => st.self.place === 'main', 'admitted');
    const db = server.testDb.db;
    await until(
      async () => (await db.sessionParticipation.count({ where: { sessionId: session.id, admittedAt: { not: null }, leftAt: null } })) === 2,
      'both admitted on record',
    );
    return { session, caseDetail, mediator, party, db };
  }

  test('open participations are closed at start-up (timeline: server restarted); clients come back as the same people, admitted', async () => {
    const { session, caseDetail, mediator, party, db } = await callWithAdmittedParty('王五');

    const refusals = refusalsOf(party.s);
    for (const m of [mediator, party]) m.s.socket.io.reconnectionDelay(200).reconnectionDelayMax(500);
    await server.kill();
    await until(() => !party.s.socket.connected && !mediator.s.socket.connected, 'both sockets dropped');
    await server.start();

    const rows = await db.sessionParticipation.findMany({ where: { sessionId: session.id }, orderBy: { joinedAt: 'asc' } });
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.ok(row.leftAt, `${row.displayName} closed`);
      assert.equal(row.leaveReason, 'server_restarted');
    }
    const left = await db.timelineEntry.findMany({ where: { caseId: caseDetail.id, type: 'session.left' } });
    assert.deepEqual(
      left.map((e) => (JSON.parse(e.data) as { reason: string }).reason),
      ['server_restarted', 'server_restarted'],
    );

    // socket.io-client reconnects by itself, with pid and offset the new process cannot restore.
    await until(
      () => party.s.socket.connected && mediator.s.socket.connected,
      () => `both reconnected; refusals: ${JSON.stringify(refusals)}`,
      15_000,
    );
    const partyBack = await rejoin(party.s);
    assert.equal(partyBack.state.self.place, 'main', 'admitted before the crash: no second admission needed');
    const mediatorBack = await rejoin(mediator.s);
    assert.equal(mediatorBack.state.self.lead, true);
    const open = () => db.sessionParticipation.count({ where: { sessionId: session.id, leftAt: null } });
    await until(async () => (await open()) === 2, 'two new participations (no ghost)');
    assert.equal(await db.sessionParticipation.count({ where: { sessionId: session.id } }), 4);
  });

  test('a planned restart (SIGTERM) is not the end of the mediation: clients are told to reconnect and come back admitted', async () => {
    const { session, party, db } = await callWithAdmittedParty('赵六');

    await server.stop();
    assert.equal((await party.s.waitFor('room.closed')).data.reason, 'reconnect');
    await server.start();
    const rows = await db.sessionParticipation.findMany({ where: { sessionId: session.id } });
    assert.deepEqual(
      rows.map((r) => r.leaveReason),
      ['server_restarted', 'server_restarted'],
    );

    // The server closed the socket on purpose, so socket.io does not reconnect by itself: the client does.
    party.s.socket.connect();
    await until(() => party.s.socket.connected, 'the party reconnected', 15_000);
    assert.equal((await rejoin(party.s)).state.self.place, 'main', 'admitted before the restart');
  });
});
