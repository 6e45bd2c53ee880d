import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { requestPermissions } from '../../server/signalling/permissions.ts';
import { requestSchemas } from '../../server/protocol/signalling.ts';
import { FULL_TEST_SECRET, startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';

const refusal = handshakeRefusal;

describe('socket signalling against a real server', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  const track = (s: TestSocket) => (sockets.push(s), s);

  before(async () => {
    server = await startFullServer();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  test('every request has a schema and an entry in the role table', () => {
    assert.deepEqual(Object.keys(requestPermissions).sort(), Object.keys(requestSchemas).sort());
    for (const [name, roles] of Object.entries(requestPermissions)) assert.ok(roles.length > 0, name);
  });

  test('the handshake refuses a missing, malformed, foreign or expiry-less token', async () => {
    const { session } = await server.mediatorWithSession();
    assert.equal((await refusal(connectSocket(server.baseUrl, undefined))).code, 'unauthenticated');
    assert.equal((await refusal(connectSocket(server.baseUrl, { kind: 'invitation', token: 'not-a-jwt' }))).code, 'unauthenticated');

    const claims = { sid: session.id, role: 'party', aud: 'cm:invitation', iss: 'cloud-mediation', jti: 'x' };
    const noExp = jwt.sign(claims, FULL_TEST_SECRET, { algorithm: 'HS256' });
    assert.equal((await refusal(connectSocket(server.baseUrl, { kind: 'invitation', token: noExp }))).code, 'unauthenticated');

    const otherSecret = jwt.sign(claims, 'another-secret-another-secret-another-secret', { algorithm: 'HS256', expiresIn: 600 });
    assert.equal((await refusal(connectSocket(server.baseUrl, { kind: 'invitation', token: otherSecret }))).code, 'unauthenticated');

    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, FULL_TEST_SECRET, { algorithm: 'HS256' });
    assert.equal((await refusal(connectSocket(server.baseUrl, { kind: 'invitation', token: expired }))).code, 'unauthenticated');
  });

  test('an invitation opens only its own session', async () => {
    const a = await server.mediatorWithSession();
    const b = await server.mediatorWithSession({ title: '另一个案件' });
    const inv = await server.invite(a.token, a.session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    // Presented as if it were a staff token for session B: refused.
    const wrongKind = await refusal(connectSocket(server.baseUrl, { kind: 'staff', token: inv.token, sessionId: b.session.id }));
    assert.equal(wrongKind.code, 'unauthenticated');
    // Used properly it lands in session A, never B.
    const party = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    const { rtpCapabilities } = await party.request('room.getRouterRtpCapabilities', {});
    await party.request('room.join', { rtpCapabilities });
    const stateA = await server.api('GET', `/api/sessions/${a.session.id}/media`, { token: a.token });
    const stateB = await server.api('GET', `/api/sessions/${b.session.id}/media`, { token: b.token });
    assert.equal(stateA.body.peers.length, 1);
    assert.equal(stateB.body.peers.length, 0);
    party.close();
  });

  test('a staff token needs an open session that exists', async () => {
    const { token } = await server.mediatorWithSession();
    const missing = await refusal(connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: 'no-such-session' }));
    assert.equal(missing.code, 'not_found');
  });

  test('join, notifications, leave and cleanup', async () => {
    const { token, session } = await server.mediatorWithSession();
    const mediator = track(await connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id }));
    const { rtpCapabilities } = await mediator.request('room.getRouterRtpCapabilities', {});
    const joined = await mediator.request('room.join', { rtpCapabilities });
    assert.equal(joined.self.role, 'mediator');
    assert.deepEqual(joined.peers, []);
    assert.doesNotMatch(joined.self.id, /调解|mediator/);

    const inv = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const party = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    const partyJoin = await party.request('room.join', { rtpCapabilities });
    assert.equal(partyJoin.self.role, 'party');
    assert.equal(partyJoin.self.side, 'applicant');
    assert.equal(partyJoin.peers.length, 0, 'the party waits: nobody visible yet');
    await mediator.request('lobby.admit', { peerId: partyJoin.self.id });
    const seen = await mediator.waitFor('peer.joined');
    assert.equal(seen.data.peer.displayName, '张三');
    assert.equal((await party.waitFor('peer.joined')).data.peer.role, 'mediator');

    const transport = await party.request('transport.create', { direction: 'send' });
    assert.ok(transport.iceCandidates.length > 0);
    assert.ok(transport.iceCandidates.every((c) => c.address === '127.0.0.1'));

    party.close();
    const left = await mediator.waitFor('peer.left');
    assert.equal(left.data.peerId, partyJoin.self.id);

    mediator.close();
    await until(() => server.app.rooms.get(session.id) === undefined, 'the empty room to close');
    const dump = await server.app.pool.workers[0]!.dump();
    assert.deepEqual(dump.routerIds, [], 'no router left on the worker');

    await until(async () => {
      const p = await server.api('GET', `/api/sessions/${session.id}/participations`, { token });
      return Array.isArray(p.body) && p.body.length === 2 && p.body.every((x: { leftAt: string | null }) => x.leftAt !== null);
    }, 'both joins and leaves to be recorded');
  });

  test('bad requests get typed errors and change nothing', async () => {
    const { token, session } = await server.mediatorWithSession();
    const mediator = track(await connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id }));
    const unknown = await mediator.sendRaw({ name: 'room.explode', data: {} });
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.error.code, 'bad_request');
    const notEnvelope = await mediator.sendRaw('hello');
    assert.equal(!notEnvelope.ok && notEnvelope.error.code, 'bad_request');
    const badDirection = await mediator.send('transport.create', { direction: 'sideways' });
    assert.ok(!badDirection.ok);
    assert.equal(badDirection.error.code, 'bad_request');
    assert.ok(badDirection.error.details?.direction);
    const badProducer = await mediator.send('producer.create', {
      transportId: 'nope',
      kind: 'audio',
      source: 'webcam',
      rtpParameters: { codecs: [] },
    });
    assert.ok(!badProducer.ok);
    assert.equal(badProducer.error.code, 'bad_request');
    const unknownTransport = await mediator.send('transport.connect', {
      transportId: 'nope',
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] },
    });
    assert.ok(!unknownTransport.ok);
    assert.equal(unknownTransport.error.code, 'not_found');
    const state = await server.api('GET', `/api/sessions/${session.id}/media`, { token });
    assert.deepEqual(state.body.peers, []);
    mediator.close();
  });

  test('an observer may not publish: forbidden, and no producer exists', async () => {
    const { token, session } = await server.mediatorWithSession();
    await server.createUser('watcher', 'supervisor');
    const { token: supervisorToken } = await server.login('watcher');
    const observer = track(await connectSocket(server.baseUrl, { kind: 'staff', token: supervisorToken, sessionId: session.id }));
    const { rtpCapabilities } = await observer.request('room.getRouterRtpCapabilities', {});
    const joined = await observer.request('room.join', { rtpCapabilities });
    assert.equal(joined.self.role, 'observer');
    const transport = await observer.request('transport.create', { direction: 'send' });
    const result = await observer.send('producer.create', {
      transportId: transport.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1 }] },
    });
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'forbidden');
    const state = await server.api('GET', `/api/sessions/${session.id}/media`, { token });
    assert.equal(state.body.peers[0].producers.length, 0);
    observer.close();
  });

  test('the same person joining again replaces the old connection (no ghost)', async () => {
    const { token, session } = await server.mediatorWithSession();
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '李四', side: 'respondent' });
    const first = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    const { rtpCapabilities } = await first.request('room.getRouterRtpCapabilities', {});
    await first.request('room.join', { rtpCapabilities });
    const second = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    await second.request('room.join', { rtpCapabilities });
    const closed = await first.waitFor('room.closed');
    assert.equal(closed.data.reason, 'replaced');
    const state = await server.api('GET', `/api/sessions/${session.id}/media`, { token });
    assert.equal(state.body.peers.length, 1);
    second.close();
  });

  test('revoking an invitation removes its holder and refuses the token afterwards', async () => {
    const { token, session } = await server.mediatorWithSession();
    const inv = await server.invite(token, session.id, { role: 'official', displayName: '刘警官', department: '派出所' });
    const official = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    const { rtpCapabilities } = await official.request('room.getRouterRtpCapabilities', {});
    await official.request('room.join', { rtpCapabilities });
    const revoked = await server.api('POST', `/api/invitations/${inv.id}/revoke`, { token });
    assert.equal(revoked.status, 200);
    const closed = await official.waitFor('room.closed');
    assert.equal(closed.data.reason, 'removed');
    const again = await refusal(connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    assert.equal(again.code, 'unauthenticated');
  });

  test('ending the session closes the room for everyone and refuses new joins', async () => {
    const { token, session } = await server.mediatorWithSession();
    const mediator = track(await connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id }));
    const { rtpCapabilities } = await mediator.request('room.getRouterRtpCapabilities', {});
    await mediator.request('room.join', { rtpCapabilities });
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const party = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    await party.request('room.join', { rtpCapabilities });
    const ended = await server.api('POST', `/api/sessions/${session.id}/end`, { token });
    assert.equal(ended.status, 200);
    assert.equal((await party.waitFor('room.closed')).data.reason, 'ended');
    assert.equal((await mediator.waitFor('room.closed')).data.reason, 'ended');
    const late = await refusal(connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    assert.equal(late.code, 'gone');
  });
});
