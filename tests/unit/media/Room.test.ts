import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Worker } from 'mediasoup/types';
import type { Peer } from '../../../server/media/Peer.ts';
import { Room } from '../../../server/media/Room.ts';
import { createWorker, log, makePeer, mediaConfig, nextEvent, opusParameters, record, rejectsWith, until, vp8Parameters } from './helpers.ts';

let worker: Worker;
before(async () => {
  worker = await createWorker();
});
after(() => worker.close());

let sessionCounter = 0;
/** The router's transports that belong to peers: all but those the room made for itself (the room channel's). */
async function peerTransportIds(room: Room): Promise<string[]> {
  const own = roomOwnTransports.get(room) ?? [];
  return (await room.router.dump()).transportIds.filter((id) => !own.includes(id));
}
const roomOwnTransports = new WeakMap<Room, string[]>();

async function createRoom(w: Worker = worker): Promise<Room> {
  const room = await Room.create({ sessionId: `session-${++sessionCounter}`, worker: w, config: mediaConfig(), log });
  roomOwnTransports.set(room, (await room.router.dump()).transportIds);
  return room;
}

/** Adds and joins a peer, with a send and a recv transport. */
async function joinPeer(room: Room, peer: Peer = makePeer()): Promise<{ peer: Peer; sendId: string; recvId: string }> {
  room.addPeer(peer);
  room.join(peer.id, room.rtpCapabilities);
  const send = await room.createWebRtcTransport(peer.id, 'send');
  const recv = await room.createWebRtcTransport(peer.id, 'recv');
  return { peer, sendId: send.id, recvId: recv.id };
}

test('create → router on the worker; close → router and transports closed, closed emitted once', async () => {
  const room = await createRoom();
  assert.ok((await worker.dump()).routerIds.includes(room.router.id));
  const { peer } = await joinPeer(room);
  const transports = peer.transports;
  assert.equal(transports.length, 2);
  const events = record(room, ['closed', 'peerLeft', 'empty']);

  room.close('ended');
  room.close('session_closed');
  assert.equal(room.closed, true);
  assert.equal(room.closeReason, 'ended');
  assert.equal(room.router.closed, true);
  for (const t of transports) assert.equal(t.closed, true);
  assert.equal(peer.closed, true);
  assert.equal(peer.closeReason, 'ended', 'peers learn why the room closed');
  assert.deepEqual(events, [['closed', 'ended']], 'no per-peer broadcasts while the room closes');
  assert.equal((await worker.dump()).routerIds.includes(room.router.id), false);
  assert.deepEqual(room.mediaState(), { sessionId: room.sessionId, live: false, peers: [] });
  assert.throws(() => room.addPeer(makePeer()), { code: 'gone' });
  await rejectsWith('gone', room.createWebRtcTransport(peer.id, 'send'));
});

test('createWebRtcTransport returns TransportOptions with UDP and TCP candidates in range', async () => {
  const room = await createRoom();
  const peer = makePeer();
  room.addPeer(peer);
  const options = await room.createWebRtcTransport(peer.id, 'send');
  assert.deepEqual(Object.keys(options).sort(), ['dtlsParameters', 'iceCandidates', 'iceParameters', 'id']);
  assert.deepEqual(options.iceCandidates.map((c) => c.protocol).sort(), ['tcp', 'udp']);
  for (const c of options.iceCandidates) {
    assert.equal(c.address, '127.0.0.1');
    assert.ok(c.port >= 47000 && c.port <= 47999, `port ${c.port} in range`);
  }
  assert.equal(peer.getTransport(options.id).appData['direction'], 'send');
  await rejectsWith('not_found', room.createWebRtcTransport('nobody', 'recv'));
  room.close('ended');
});

test('join returns other joined peers and their producers; events for others to be told', async () => {
  const room = await createRoom();
  const events = record(room, ['peerJoined', 'producerAdded', 'producerUpdated', 'producerRemoved', 'peerLeft']);
  const alice = await joinPeer(room);
  const micId = await room.produce(alice.peer.id, { transportId: alice.sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const lurker = makePeer();
  room.addPeer(lurker); // connected, not joined: invisible to others

  const bob = makePeer();
  room.addPeer(bob);
  const joined = room.join(bob.id, room.rtpCapabilities);
  assert.deepEqual(joined.self, bob.info);
  assert.deepEqual(joined.peers, [alice.peer.info]);
  assert.deepEqual(joined.producers, [{ id: micId, peerId: alice.peer.id, kind: 'audio', source: 'mic', paused: false }]);
  assert.deepEqual(room.visibleProducers(alice.peer.id), []);
  assert.deepEqual(room.viewersOf(alice.peer), [bob]);
  assert.throws(() => room.join(bob.id, room.rtpCapabilities), { code: 'conflict' });

  await room.getPeer(alice.peer.id).pauseProducer(micId);
  room.getPeer(alice.peer.id).closeProducer(micId);
  assert.deepEqual(
    events.map(([e, x, owner]) => [e, e === 'peerJoined' ? (x as Peer).id : (owner as Peer).id]),
    [
      ['peerJoined', alice.peer.id],
      ['producerAdded', alice.peer.id],
      ['peerJoined', bob.id],
      ['producerUpdated', alice.peer.id],
      ['producerRemoved', alice.peer.id],
    ],
  );
  assert.equal((events[3]?.[1] as { paused: boolean }).paused, true);
  assert.equal(events[4]?.[1], micId);
  room.close('ended');
});

test('consume: visible producer of another peer → paused ConsumerOptions; otherwise not_found / bad_request / forbidden', async () => {
  const room = await createRoom();
  const alice = await joinPeer(room);
  const bob = await joinPeer(room);
  const webcamId = await room.produce(alice.peer.id, { transportId: alice.sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });

  const options = await room.consume(bob.peer.id, bob.recvId, webcamId);
  assert.equal(options.producerId, webcamId);
  assert.equal(options.peerId, alice.peer.id);
  assert.equal(options.kind, 'video');
  assert.equal(options.source, 'webcam');
  assert.equal(options.paused, true);
  assert.equal(options.producerPaused, false);
  assert.equal(options.rtpParameters.codecs[0]?.mimeType, 'video/VP8');

  await rejectsWith('not_found', room.consume(bob.peer.id, bob.recvId, 'no-such-producer'));
  await rejectsWith('bad_request', room.consume(alice.peer.id, alice.recvId, webcamId));
  room.canSee = () => false;
  await rejectsWith('forbidden', room.consume(bob.peer.id, bob.recvId, webcamId));
  assert.deepEqual(room.visibleProducers(bob.peer.id), []);

  // A producer in another room is not found here.
  const other = await createRoom();
  const carol = await joinPeer(other);
  const carolMic = await other.produce(carol.peer.id, { transportId: carol.sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  room.canSee = () => true;
  await rejectsWith('not_found', room.consume(bob.peer.id, bob.recvId, carolMic));

  await room.getPeer(bob.peer.id).resumeConsumer(options.id);
  const state = room.mediaState();
  assert.equal(state.live, true);
  assert.deepEqual(
    state.peers.map((p) => [p.peerId, p.producers.length, p.consumers.map((c) => [c.producerId, c.paused])]),
    [
      [alice.peer.id, 1, []],
      [bob.peer.id, 0, [[webcamId, false]]],
    ],
  );
  room.close('ended');
  other.close('ended');
});

test('a peer leaving: its producers are removed for others, then peerLeft; the last one → empty', async () => {
  const room = await createRoom();
  const alice = await joinPeer(room);
  const bob = await joinPeer(room);
  const webcamId = await room.produce(alice.peer.id, { transportId: alice.sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  const consumer = await room.consume(bob.peer.id, bob.recvId, webcamId);
  const bobEvents = record(bob.peer, ['consumerClosed']);
  const events = record(room, ['producerRemoved', 'peerLeft', 'empty']);

  room.removePeer(alice.peer.id);
  assert.deepEqual(
    events.map(([e, x]) => [e, typeof x === 'string' ? x : (x as Peer).id]),
    [
      ['producerRemoved', webcamId],
      ['peerLeft', alice.peer.id],
    ],
  );
  assert.equal(events[1]?.[2], 'left');
  await rejectsWith('not_found', () => room.getPeer(alice.peer.id));
  await until(() => bobEvents.length === 1, "bob's consumer to close");
  assert.deepEqual(bobEvents[0], ['consumerClosed', consumer.id, 'producer_closed']);

  const empty = nextEvent(room, 'empty');
  bob.peer.close('left'); // the peer closing itself (socket gone) is the same as removePeer
  await empty;
  assert.equal(room.peerCount, 0);
  assert.deepEqual(await peerTransportIds(room), []);
  assert.equal(room.closed, false, 'the room itself does not close on empty; its owner decides');
  room.close('ended');
});

test('same identity rejoining replaces the old peer: no ghost, no double producer, no empty', async () => {
  const room = await createRoom();
  const first = await joinPeer(room, makePeer({ identity: 'invitation-42' }));
  const firstMic = await room.produce(first.peer.id, { transportId: first.sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const firstTransports = first.peer.transports;
  const events = record(room, ['peerReplaced', 'producerRemoved', 'peerLeft', 'empty']);
  const firstClosed = nextEvent(first.peer, 'closed');

  const second = makePeer({ identity: 'invitation-42' });
  room.addPeer(second);
  assert.deepEqual(await firstClosed, ['replaced']);
  assert.equal(first.peer.closed, true);
  for (const t of firstTransports) assert.equal(t.closed, true);
  assert.deepEqual(room.peers(), [second]);
  assert.deepEqual(
    events.map(([e]) => e),
    ['peerReplaced', 'producerRemoved', 'peerLeft'],
  );
  assert.deepEqual(events[0]?.slice(1), [first.peer, second]);
  assert.equal(events[1]?.[1], firstMic);
  assert.equal(events[2]?.[2], 'replaced');

  room.join(second.id, room.rtpCapabilities);
  const send = await room.createWebRtcTransport(second.id, 'send');
  await room.produce(second.id, { transportId: send.id, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const dump = await room.router.dump();
  assert.equal(dump.mapProducerIdConsumerIds.length, 1, 'one mic producer in the router');
  assert.deepEqual(await peerTransportIds(room), [send.id]);
  // The old connection's requests fail.
  await rejectsWith('not_found', room.createWebRtcTransport(first.peer.id, 'send'));
  room.close('ended');
});

test('adding the same peer twice is a conflict; a closed peer is refused', async () => {
  const room = await createRoom();
  const peer = makePeer();
  room.addPeer(peer);
  assert.throws(() => room.addPeer(peer), { code: 'conflict' });
  const closed = makePeer();
  closed.close();
  assert.throws(() => room.addPeer(closed), { code: 'gone' });
  room.close('ended');
});

test('worker death closes the room with media_server_restarted, without per-peer broadcasts', async () => {
  const doomed = await createWorker();
  const room = await createRoom(doomed);
  const alice = await joinPeer(room);
  await room.produce(alice.peer.id, { transportId: alice.sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  await joinPeer(room);
  const events = record(room, ['producerRemoved', 'peerLeft', 'empty', 'closed']);
  const peerClosed = nextEvent(alice.peer, 'closed');

  process.kill(doomed.pid, 'SIGKILL');
  await until(() => room.closed, 'the room to close');
  assert.deepEqual(events, [['closed', 'media_server_restarted']]);
  assert.deepEqual(await peerClosed, ['media_server_restarted']);
  assert.equal(room.router.closed, true);
  assert.equal(room.peerCount, 0);
});
