import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mediatorOnly, requestPermissions } from '../../server/signalling/permissions.ts';
import type { RequestName } from '../../server/protocol/signalling.ts';
import { hostRoles } from '../../server/protocol/roles.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { opusParameters, vp8Parameters } from '../helpers/rtp.ts';
import { enterRoom, lastState, seatRoom, stateWhere, until, type Member } from '../helpers/room.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';

/*
 * The mediation room's rules, against the real server: role table, waiting room, caucus
 * isolation (checked with the server's own consumer lists), mediator controls, chat, lead drop,
 * connection-state recovery.
 */

describe('the mediation room: roles, waiting room, caucus, controls', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startFullServer({ signallingTiming: { recoveryMs: 3000 } });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  const enter = (auth: Parameters<typeof connectSocket>[1], options: { reconnection?: boolean } = {}): Promise<Member> =>
    enterRoom(server.baseUrl, sockets, auth, options);

  /** The member's one send transport (a participant holds at most one per direction, as the client does). */
  const sendTransports = new Map<string, Promise<{ id: string }>>();
  const sendTransport = (m: Member): Promise<{ id: string }> => {
    let send = sendTransports.get(m.id);
    if (!send) {
      send = m.s.request('transport.create', { direction: 'send' });
      sendTransports.set(m.id, send);
    }
    return send;
  };

  async function publish(m: Member): Promise<{ mic: string; cam: string }> {
    const send = await sendTransport(m);
    const mic = await m.s.request('producer.create', { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters() });
    const cam = await m.s.request('producer.create', { transportId: send.id, kind: 'video', source: 'webcam', rtpParameters: vp8Parameters() });
    return { mic: mic.producerId, cam: cam.producerId };
  }

  /** A mediator, an applicant and a respondent; parties admitted unless told otherwise. */
  async function room(options: { admit?: boolean } = {}) {
    const { token, session, caseDetail, mediator, a, b, invA, invB } = await seatRoom(server, enter);
    if (options.admit !== false) {
      const { admitted } = await mediator.s.request('lobby.admitAll', {});
      assert.equal(admitted, 2);
    }
    const media = () => server.app.rooms.get(session.id)!.mediaState();
    const consumersOf = (m: Member) =>
      media()
        .peers.find((p) => p.peerId === m.id)
        ?.consumers.map((c) => c.producerId) ?? [];
    return { token, session, caseDetail, mediator, a, b, invA, invB, media, consumersOf };
  }

  test('every mediator-only request is forbidden for a party, and nothing changes', async () => {
    assert.ok(mediatorOnly.length >= 12);
    const { mediator, a, b, media } = await room();
    await publish(a);
    await publish(b);
    const roomObj = server.app.rooms.get(media().sessionId)!;
    const before = { media: JSON.stringify(media()), state: JSON.stringify(roomObj.stateFor(roomObj.getPeer(mediator.id))) };
    const sample: Partial<Record<RequestName, unknown>> = {
      'lobby.admit': { peerId: b.id },
      'lobby.admitAll': {},
      'lobby.deny': { peerId: b.id, reason: 'x' },
      'lobby.sendBack': { peerId: b.id },
      'room.setLocked': { locked: true },
      'caucus.start': { peerIds: [a.id] },
      'caucus.end': {},
      'participant.mute': { peerId: b.id, source: 'mic' },
      'participant.askUnmute': { peerId: b.id },
      'participant.remove': { peerId: b.id },
      'participant.setRights': { peerId: b.id, share: true },
      'room.end': {},
      'recording.start': {},
      'recording.pause': {},
      'recording.resume': {},
    };
    for (const name of mediatorOnly) {
      assert.deepEqual(requestPermissions[name], hostRoles);
      assert.ok(name in sample, `a sample payload for ${name}`);
      const result = await a.s.send(name, sample[name] as never);
      assert.ok(!result.ok, `${name} must fail for a party`);
      assert.equal(result.error.code, 'forbidden', name);
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(JSON.stringify(media()), before.media, 'media state unchanged');
    assert.equal(JSON.stringify(roomObj.stateFor(roomObj.getPeer(mediator.id))), before.state, 'room state unchanged');
    assert.ok(!b.s.notifications.some((n) => n.name === 'room.closed' || n.name === 'self.muted'));
  });

  test('GET /api/media/capabilities: the same capabilities as every room, named as room.join names them', async () => {
    const response = await fetch(`${server.baseUrl}/api/media/capabilities`);
    assert.equal(response.status, 200);
    const caps = (await response.json()) as { rtpCapabilities: unknown; id: string };
    const { mediator, a } = await room({ admit: false });
    const { rtpCapabilities } = await mediator.s.request('room.getRouterRtpCapabilities', {});
    assert.deepEqual(caps.rtpCapabilities, rtpCapabilities);
    assert.match(caps.id, /^[0-9a-f]{16}$/);
    assert.equal(mediator.capabilitiesId, caps.id);
    assert.equal(a.capabilitiesId, caps.id);
  });

  test('waiting room: waiting peers see nobody, get no producer ids, cannot consume, publish unseen; admit / deny / send back / lock', async () => {
    const { mediator, a, b, invA, media, consumersOf } = await room({ admit: false });
    const mProducers = await publish(mediator);
    // A waiting party sees nothing, and learns no producer id.
    const waitingState = await stateWhere(a.s, (st) => st.self.place === 'lobby', 'party in lobby');
    assert.deepEqual(waitingState.roster, []);
    assert.ok(!a.s.notifications.some((n) => n.name === 'producer.added' || n.name === 'peer.joined'));
    const consume = await a.s.send('consumer.create', { transportId: a.recvId, producerId: mProducers.cam });
    assert.ok(!consume.ok && consume.error.code === 'forbidden');
    // A waiting party publishes (admission then finds its media ready), but nobody learns of it or can receive it.
    const aMic = (await publish(a)).mic;
    const peek = await mediator.s.send('consumer.create', { transportId: mediator.recvId, producerId: aMic });
    assert.ok(!peek.ok && peek.error.code === 'forbidden', 'a waiting party cannot be heard');
    const announcedToMediator = () =>
      mediator.s.notifications.some((n) => n.name === 'producer.added' && (n.data as { producer: { id: string } }).producer.id === aMic);
    assert.ok(!announcedToMediator(), 'a waiting party is not announced');
    // The room channel opens on the receive transport only, also while waiting.
    const channel = await a.s.request('channel.open', { transportId: a.recvId });
    assert.equal(typeof channel.sctpStreamParameters.streamId, 'number');
    const onSend = await a.s.send('channel.open', { transportId: (await sendTransport(a)).id });
    assert.ok(!onSend.ok, 'no channel on a send transport');
    // The mediator sees the waiting list with name, role, side and since when.
    const mst = await stateWhere(mediator.s, (st) => st.roster.filter((p) => p.place === 'lobby').length === 2, 'two waiting');
    const waitingA = mst.roster.find((p) => p.peerId === a.id)!;
    assert.equal(waitingA.displayName, '张三');
    assert.equal(waitingA.side, 'applicant');
    assert.ok(typeof waitingA.waitingSince === 'number');

    // Deny B with a reason: B is told why.
    await mediator.s.request('lobby.deny', { peerId: b.id, reason: '请等待下次调解通知' });
    const closed = await b.s.waitFor('room.closed');
    assert.equal(closed.data.reason, 'denied');
    assert.equal(closed.data.message, '请等待下次调解通知');

    // Admit A: now A learns the mediator's producers and can consume, and A's waiting-room microphone is offered to the mediator.
    await mediator.s.request('lobby.admit', { peerId: a.id });
    await a.s.waitFor('producer.added');
    await a.s.request('consumer.create', { transportId: a.recvId, producerId: mProducers.cam });
    assert.deepEqual(consumersOf(a), [mProducers.cam]);
    await until(announcedToMediator, "A's microphone announced on admission");
    await mediator.s.request('consumer.create', { transportId: mediator.recvId, producerId: aMic });
    assert.deepEqual(consumersOf(mediator), [aMic]);

    // Send back: consumers across the lobby's boundary close on the server, both ways; A is told the mediator left its sight.
    await mediator.s.request('lobby.sendBack', { peerId: a.id });
    await until(() => consumersOf(a).length === 0 && consumersOf(mediator).length === 0, 'consumers closed on send-back');
    await stateWhere(a.s, (st) => st.self.place === 'lobby', 'A back in the lobby');
    assert.ok(a.s.notifications.some((n) => n.name === 'peer.left'));

    // Admit again, then lock: A reconnecting waits again even with a valid link.
    await mediator.s.request('lobby.admit', { peerId: a.id });
    await mediator.s.request('room.setLocked', { locked: true });
    a.s.close();
    const again = await enter({ kind: 'invitation', token: invA.token });
    await stateWhere(again.s, (st) => st.self.place === 'lobby' && st.locked, 'locked: waits again');
    await mediator.s.request('room.setLocked', { locked: false });
    again.s.close();
    const third = await enter({ kind: 'invitation', token: invA.token });
    await stateWhere(third.s, (st) => st.self.place === 'main', 'unlocked: an admitted person comes straight back');
    assert.equal(media().peers.filter((p) => p.role === 'party').length, 1, 'no ghost');
  });

  test('caucus isolation: consumers across the boundary close, outsiders cannot consume or learn ids; hot-mic guard; timeline', async () => {
    const { token, caseDetail, mediator, a, b, media, consumersOf } = await room();
    const mp = await publish(mediator);
    const ap = await publish(a);
    const bp = await publish(b);
    for (const [viewer, ids] of [
      [b, [mp.cam, mp.mic, ap.cam, ap.mic]],
      [a, [mp.cam, mp.mic, bp.cam, bp.mic]],
      [mediator, [ap.cam, ap.mic, bp.cam, bp.mic]],
    ] as const) {
      for (const producerId of ids) await viewer.s.request('consumer.create', { transportId: viewer.recvId, producerId });
    }
    assert.equal(consumersOf(b).length, 4);

    const mark = b.s.notifications.length;
    const { caucusId } = await mediator.s.request('caucus.start', { peerIds: [a.id] });
    assert.ok(caucusId);
    // Server consumer lists: B keeps nothing from the caucus; A and the mediator keep nothing from B.
    await until(() => consumersOf(b).length === 0, "B's consumers of caucus producers closed");
    await until(() => consumersOf(a).every((id) => id === mp.cam || id === mp.mic), "A's consumers of B closed");
    assert.deepEqual(consumersOf(a).sort(), [mp.cam, mp.mic].sort());
    assert.deepEqual(consumersOf(mediator).sort(), [ap.cam, ap.mic].sort());
    const bState = await stateWhere(b.s, (st) => st.caucus.active, 'B knows a caucus is on');
    assert.equal(bState.caucus.withMe, false);
    assert.deepEqual(bState.caucus.memberIds, [], 'outsiders do not learn who is in it');
    // An outsider cannot consume a caucus producer even with its id.
    const stolen = await b.s.send('consumer.create', { transportId: b.recvId, producerId: ap.cam });
    assert.ok(!stolen.ok && stolen.error.code === 'forbidden');
    // A producer created in the caucus is never announced to B.
    const aScreenTransport = await sendTransport(a);
    void aScreenTransport;
    await new Promise((r) => setTimeout(r, 100));
    const after = b.s.notifications.slice(mark);
    assert.ok(!after.some((n) => n.name === 'producer.added'), 'no producer ids to outsiders during the caucus');
    const leaked = JSON.stringify(after);
    assert.ok(!leaked.includes(caucusId), 'caucus id not leaked');

    // End: hot-mic guard pauses A's mic, A is told; B is offered the producers again.
    await mediator.s.request('caucus.end', {});
    const muted = await a.s.waitFor('self.muted');
    assert.deepEqual(muted.data, { source: 'mic', reason: 'caucus_return' });
    await until(
      () =>
        media()
          .peers.find((p) => p.peerId === a.id)!
          .producers.find((p) => p.id === ap.mic)!.paused,
      'A mic paused',
    );
    await until(() => b.s.notifications.slice(mark).filter((n) => n.name === 'producer.added').length >= 4, 'B re-offered producers');

    // Timeline: started and ended, who and when, no content.
    await until(async () => {
      const tl = await server.api('GET', `/api/cases/${caseDetail.id}/timeline`, { token });
      const entries = (Array.isArray(tl.body) ? tl.body : (tl.body?.entries ?? [])) as Array<{ type: string }>;
      return entries.some((e) => e.type === 'caucus.started') && entries.some((e) => e.type === 'caucus.ended');
    }, 'caucus on the timeline');
  });

  test('mute, ask to unmute, rights, remove (token refused afterwards), chat scopes saved', async () => {
    const { token, session, mediator, a, b, invB, media } = await room();
    const ap = await publish(a);
    await mediator.s.request('participant.mute', { peerId: a.id, source: 'mic' });
    assert.deepEqual((await a.s.waitFor('self.muted')).data, { source: 'mic', reason: 'mediator' });
    await until(
      () =>
        media()
          .peers.find((p) => p.peerId === a.id)!
          .producers.find((p) => p.id === ap.mic)!.paused,
      'mic paused',
    );
    await mediator.s.request('participant.mute', { peerId: a.id, source: 'webcam' });
    await until(
      () =>
        !media()
          .peers.find((p) => p.peerId === a.id)!
          .producers.some((p) => p.id === ap.cam),
      'camera closed',
    );
    await mediator.s.request('participant.askUnmute', { peerId: a.id });
    await a.s.waitFor('self.unmuteRequested');
    await a.s.request('producer.resume', { producerId: ap.mic }); // the participant decides

    // Screen share: a party only when allowed.
    const send = (await sendTransport(a)).id;
    const denied = await a.s.send('producer.create', { transportId: send, kind: 'video', source: 'screen', rtpParameters: vp8Parameters() });
    assert.ok(!denied.ok && denied.error.code === 'forbidden');
    await mediator.s.request('participant.setRights', { peerId: a.id, share: true });
    await a.s.request('producer.create', { transportId: send, kind: 'video', source: 'screen', rtpParameters: vp8Parameters() });

    // Chat: to all, private mediator↔party; saved to the case record.
    await a.s.request('chat.send', { text: '大家好' });
    assert.equal((await b.s.waitFor('chat.message')).data.message.text, '大家好');
    await mediator.s.request('chat.send', { text: '单独说一句', to: a.id });
    await until(() => a.s.notifications.some((n) => n.name === 'chat.message' && n.data.message.scope === 'private'), 'private message');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!b.s.notifications.some((n) => n.name === 'chat.message' && n.data.message.scope === 'private'));
    const privateFromParty = await a.s.send('chat.send', { text: 'x', to: b.id });
    assert.ok(!privateFromParty.ok && privateFromParty.error.code === 'forbidden');
    // Caucus chat stays with its members.
    await mediator.s.request('caucus.start', { peerIds: [a.id] });
    await mediator.s.request('chat.send', { text: '只对申请人说' });
    await until(() => a.s.notifications.some((n) => n.name === 'chat.message' && n.data.message.scope === 'caucus'), 'caucus chat');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!b.s.notifications.some((n) => n.name === 'chat.message' && n.data.message.scope === 'caucus'));
    await mediator.s.request('caucus.end', {});
    await until(async () => (await server.testDb.db.chatMessage.count({ where: { sessionId: session.id } })) === 3, 'chat saved');

    // Raise hand shows to the mediator.
    await b.s.request('hand.set', { raised: true });
    await stateWhere(mediator.s, (st) => st.hands.includes(b.id) && st.roster.some((p) => p.peerId === b.id && p.handRaised), 'hand');

    // Remove B: told, disconnected, invitation revoked, token refused.
    await mediator.s.request('participant.remove', { peerId: b.id });
    assert.equal((await b.s.waitFor('room.closed')).data.reason, 'removed');
    const inv = await server.api('GET', `/api/sessions/${session.id}/invitations`, { token });
    assert.ok((inv.body as Array<{ id: string; revokedAt: string | null }>).find((i) => i.id === invB.id)?.revokedAt);
    await assert.rejects(connectSocket(server.baseUrl, { kind: 'invitation', token: invB.token }));
  });

  test('observer and official publishing rights: grant, revoke closes producers', async () => {
    const { token, session, mediator, media } = await room();
    const inv = await server.invite(token, session.id, { role: 'official', displayName: '刘警官', department: '派出所' });
    const official = await enter({ kind: 'invitation', token: inv.token });
    await mediator.s.request('lobby.admit', { peerId: official.id });
    await stateWhere(official.s, (st) => st.self.place === 'main' && st.self.canShare, 'official admitted');
    await publish(official);
    await mediator.s.request('participant.setRights', { peerId: official.id, publish: false });
    await until(() => media().peers.find((p) => p.peerId === official.id)!.producers.length === 0, 'official producers closed');
    assert.equal((await official.s.waitFor('self.muted')).data.reason, 'rights_revoked');
    const again = await official.s.send('producer.create', {
      transportId: (await sendTransport(official)).id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(),
    });
    assert.ok(!again.ok && again.error.code === 'forbidden');

    await server.createUser('grid1', 'supervisor');
    const { token: obsToken } = await server.login('grid1');
    const observer = await enter({ kind: 'staff', token: obsToken, sessionId: session.id });
    await mediator.s.request('participant.setRights', { peerId: observer.id, publish: true });
    await publish(observer);
  });

  test('lead mediator drops: session paused (no admission), back with the same powers', async () => {
    const { token, session, mediator, invA } = await room({ admit: false });
    const a0 = lastState(mediator.s);
    assert.ok(a0?.self.lead);
    const late = await enter({
      kind: 'invitation',
      token: (await server.invite(token, session.id, { role: 'party', displayName: '王五', side: 'applicant' })).token,
    });
    void invA;
    mediator.s.close();
    // A waiting party sees the pause.
    await stateWhere(late.s, (st) => st.paused, 'paused seen by parties');
    const roomObj = server.app.rooms.get(session.id)!;
    assert.throws(() => roomObj.admitAll(), /paused/);
    const back = await enter({ kind: 'staff', token, sessionId: session.id });
    const st = await stateWhere(back.s, (s) => s.self.lead && !s.paused, 'lead again');
    assert.ok(st.roster.length >= 3);
    await back.s.request('lobby.admit', { peerId: late.id });
  });

  test('a short socket drop is recovered: same peer, producers kept; a closed socket frees everything', async () => {
    const { token, session, a, media } = await room();
    const member = await enter({ kind: 'staff', token, sessionId: session.id }, { reconnection: true });
    void member;
    const ap = await publish(a);
    const partyInv = await server.invite(token, session.id, { role: 'party', displayName: '赵六', side: 'respondent' });
    const p = await enter({ kind: 'invitation', token: partyInv.token }, { reconnection: true });
    await (await connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id })).close();
    void ap;
    const peersBefore = media().peers.length;
    // Kill the transport under socket.io: the client reconnects and the server recovers the session.
    const engine = (p.s.socket.io as unknown as { engine: { close(): void } }).engine;
    engine.close();
    await until(() => p.s.socket.connected && (p.s.socket as unknown as { recovered: boolean }).recovered, 'socket recovered', 5000);
    assert.ok(
      media().peers.some((x) => x.peerId === p.id),
      'the same peer is still in the room',
    );
    assert.equal(media().peers.length, peersBefore);
    // A socket that goes away for good: its peer is freed after the recovery window.
    p.s.socket.io.reconnection(false);
    (p.s.socket.io as unknown as { engine: { close(): void } }).engine.close();
    await until(() => !media().peers.some((x) => x.peerId === p.id), 'peer freed after the window', 8000);
  });
});
