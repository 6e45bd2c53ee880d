import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mediatorOnly } from '../../server/signalling/permissions.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';

const refusal = handshakeRefusal;

/*
 * The room of a case is entered with a staff login only by its steward (the case's responsible
 * mediator hosts, a supervisor of the case observes). Every other socket request is scoped to the
 * room the handshake admitted the socket to, so a mediator of another case reaches none of them.
 */
describe('socket: only the case’s own mediator hosts its room', () => {
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

  test('the handshake admits the responsible mediator and a supervisor, refuses another mediator and an admin', async () => {
    const a = await server.mediatorWithSession();
    const b = await server.mediatorWithSession();
    const stranger = await refusal(connectSocket(server.baseUrl, { kind: 'staff', token: b.token, sessionId: a.session.id }));
    assert.equal(stranger.code, 'forbidden');
    assert.equal(stranger.details?.action, 'session.enter');

    await server.createUser('supervisor-x', 'supervisor');
    await server.createUser('admin-x', 'admin');
    const sup = track(await connectSocket(server.baseUrl, { kind: 'staff', token: (await server.login('supervisor-x')).token, sessionId: a.session.id }));
    const { rtpCapabilities } = await sup.request('room.getRouterRtpCapabilities', {});
    assert.equal((await sup.request('room.join', { rtpCapabilities })).self.role, 'observer');
    const admin = await refusal(connectSocket(server.baseUrl, { kind: 'staff', token: (await server.login('admin-x')).token, sessionId: a.session.id }));
    assert.equal(admin.code, 'forbidden');

    const own = track(await connectSocket(server.baseUrl, { kind: 'staff', token: a.token, sessionId: a.session.id }));
    assert.equal((await own.request('room.join', { rtpCapabilities })).self.role, 'mediator');
  });

  test('a mediator hosting their own room cannot reach a waiting party of another case', async () => {
    const a = await server.mediatorWithSession();
    const b = await server.mediatorWithSession();
    const inv = await server.invite(a.token, a.session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const party = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: inv.token }));
    const { rtpCapabilities } = await party.request('room.getRouterRtpCapabilities', {});
    const waiting = await party.request('room.join', { rtpCapabilities });

    const other = track(await connectSocket(server.baseUrl, { kind: 'staff', token: b.token, sessionId: b.session.id }));
    await other.request('room.join', { rtpCapabilities });
    for (const name of mediatorOnly) {
      if (name === 'room.end' || name === 'lobby.admitAll' || name === 'room.setLocked' || name === 'caucus.end') continue; // act on their own room only
      const result = await other.sendRaw({
        name,
        data: {
          peerId: waiting.self.id,
          ...(name === 'participant.mute' ? { source: 'mic' } : {}),
          ...(name === 'caucus.start' ? { peerIds: [waiting.self.id] } : {}),
        },
      });
      assert.equal(result.ok, false, `${name} on another case's party`);
    }
    const media = await server.api('GET', `/api/sessions/${a.session.id}/media`, { token: a.token });
    assert.ok(
      (media.body.peers as Array<{ peerId: string }>).some((p) => p.peerId === waiting.self.id),
      'the party is still in its own room',
    );
    assert.ok(party.socket.connected, 'and still connected');
    // Its own case's documents (none yet) are sent on joining, as to everyone in a room.
    const own = ['peer.joined', 'room.state', 'agreement.updated', 'record.updated', 'judicial.updated'];
    assert.deepEqual(
      party.notifications.filter((n) => !own.includes(n.name)).map((n) => n.name),
      [],
      'nothing reached the party',
    );
    for (const n of party.notifications) if (n.name === 'agreement.updated' || n.name === 'record.updated') assert.equal(n.data.view, null);
    for (const n of party.notifications) if (n.name === 'judicial.updated') assert.deepEqual(n.data.kind === 'case' && n.data.view.applications, []);
  });
});
