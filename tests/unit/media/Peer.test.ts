import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { Router, Worker } from 'mediasoup/types';
import { mediaCodecs, webRtcTransportOptions } from '../../../server/media/mediaCodecs.ts';
import { MAX_TRANSPORTS_PER_PEER, type Peer } from '../../../server/media/Peer.ts';
import { clientDtls, createWorker, makePeer, mediaConfig, opusParameters, record, rejectsWith, until, vp8Parameters } from './helpers.ts';

let worker: Worker;
let router: Router;

before(async () => {
  worker = await createWorker();
});
after(() => worker.close());
beforeEach(async () => {
  router = await worker.createRouter({ mediaCodecs });
});
afterEach(() => router.close());

async function addWebRtcTransport(peer: Peer, direction: 'send' | 'recv'): Promise<string> {
  const transport = await router.createWebRtcTransport(webRtcTransportOptions(mediaConfig(), { peerId: peer.id, direction }));
  peer.addTransport(transport);
  return transport.id;
}

/** A joined peer with a send transport. */
async function sender(): Promise<{ peer: Peer; sendId: string }> {
  const peer = makePeer();
  peer.join(router.rtpCapabilities);
  return { peer, sendId: await addWebRtcTransport(peer, 'send') };
}

/** A joined peer with a recv transport. */
async function receiver(): Promise<{ peer: Peer; recvId: string }> {
  const peer = makePeer();
  peer.join(router.rtpCapabilities);
  return { peer, recvId: await addWebRtcTransport(peer, 'recv') };
}

test('info carries the per-connection id and the identity fields', () => {
  const peer = makePeer({ identity: 'inv-1', displayName: '张三' });
  assert.equal(peer.info.id, peer.id);
  assert.equal(peer.info.displayName, '张三');
  assert.equal(peer.identity, 'inv-1');
  assert.equal(peer.joined, false);
  peer.join(router.rtpCapabilities);
  assert.equal(peer.joined, true);
  assert.throws(() => peer.join(router.rtpCapabilities), { code: 'conflict' });
});

test('produce: appData, one producer per source, conflicts on a second one', async () => {
  const { peer, sendId } = await sender();
  const added = record(peer, ['producerAdded']);
  const producer = await peer.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  assert.deepEqual(producer.appData, { peerId: peer.id, source: 'webcam' });
  assert.deepEqual(added, [['producerAdded', { id: producer.id, peerId: peer.id, kind: 'video', source: 'webcam', paused: false }]]);

  await rejectsWith('conflict', peer.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' }));
  // A different source is fine.
  await peer.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'screen' });
  await peer.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  assert.equal(peer.producers.length, 3);
  assert.equal((await router.dump()).mapProducerIdConsumerIds.length, 3);
  peer.close();
});

test('produce: two concurrent requests for the same source give exactly one producer', async () => {
  const { peer, sendId } = await sender();
  const results = await Promise.allSettled([
    peer.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' }),
    peer.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' }),
  ]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.equal(peer.producers.length, 1);
  const routerDump = await router.dump();
  assert.equal(routerDump.mapProducerIdConsumerIds.length, 1);
  peer.close();
});

test('produce: client mistakes are AppErrors', async () => {
  const { peer, sendId } = await sender();
  const recvId = await addWebRtcTransport(peer, 'recv');
  const notJoined = makePeer();
  const notJoinedSend = await addWebRtcTransport(notJoined, 'send');

  await rejectsWith('bad_request', notJoined.produce({ transportId: notJoinedSend, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' }));
  await rejectsWith('not_found', peer.produce({ transportId: 'nope', kind: 'audio', rtpParameters: opusParameters(), source: 'mic' }));
  await rejectsWith('bad_request', peer.produce({ transportId: recvId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' }));
  await rejectsWith('bad_request', peer.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'mic' }));
  // A codec the router does not have (mediasoup: UnsupportedError) and malformed parameters (TypeError).
  const h265 = { ...vp8Parameters(), codecs: [{ mimeType: 'video/H265', payloadType: 102, clockRate: 90000 }] };
  await rejectsWith('bad_request', peer.produce({ transportId: sendId, kind: 'video', rtpParameters: h265, source: 'webcam' }));
  const broken = { ...opusParameters(), codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] } as never;
  await rejectsWith('bad_request', peer.produce({ transportId: sendId, kind: 'audio', rtpParameters: broken, source: 'mic' }));
  assert.equal(peer.producers.length, 0);
  // A failed attempt does not block the source.
  await peer.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  peer.close();
  notJoined.close();
});

test('produce works on a generic (plain) transport too', async () => {
  const peer = makePeer();
  peer.join(router.rtpCapabilities);
  const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  peer.addTransport(plain);
  const producer = await peer.produce({ transportId: plain.id, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  assert.equal(producer.closed, false);
  peer.close();
  assert.equal(plain.closed, true);
  assert.equal(producer.closed, true);
});

test('consumers are created paused; resumeConsumer unpauses', async () => {
  const { peer: alice, sendId } = await sender();
  const { peer: bob, recvId } = await receiver();
  const video = await alice.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  const audio = await alice.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });

  const vc = await bob.consume(router, recvId, video);
  const ac = await bob.consume(router, recvId, audio);
  for (const c of [vc, ac]) {
    assert.equal(c.paused, true);
    assert.equal((await c.dump()).paused, true, 'paused in the worker too');
  }
  assert.deepEqual(vc.appData, { peerId: bob.id, producerPeerId: alice.id, source: 'webcam' });

  const keyFrameRequests: string[] = [];
  for (const c of [vc, ac]) {
    const original = c.requestKeyFrame.bind(c);
    c.requestKeyFrame = () => {
      keyFrameRequests.push(c.kind);
      return original();
    };
  }
  await bob.resumeConsumer(vc.id);
  await bob.resumeConsumer(ac.id);
  assert.deepEqual(keyFrameRequests, ['video'], 'a key frame is requested for video only');
  for (const c of [vc, ac]) {
    assert.equal(c.paused, false);
    assert.equal((await c.dump()).paused, false);
  }
  assert.deepEqual(
    bob
      .toMediaState()
      .consumers.map((c) => [c.producerId, c.kind, c.paused])
      .sort(),
    [
      [audio.id, 'audio', false],
      [video.id, 'video', false],
    ].sort(),
  );
  await rejectsWith('not_found', bob.resumeConsumer('nope'));
  alice.close();
  bob.close();
});

test('consume: needs join, a recv transport, and matching capabilities', async () => {
  const { peer: alice, sendId } = await sender();
  const video = await alice.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  const { peer: bob, recvId } = await receiver();
  const bobSend = await addWebRtcTransport(bob, 'send');
  await rejectsWith('bad_request', bob.consume(router, bobSend, video));

  const audioOnly = makePeer();
  audioOnly.join({ codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.kind === 'audio'), headerExtensions: [] });
  const audioOnlyRecv = await addWebRtcTransport(audioOnly, 'recv');
  await rejectsWith('bad_request', audioOnly.consume(router, audioOnlyRecv, video));

  const notJoined = makePeer();
  const notJoinedRecv = await addWebRtcTransport(notJoined, 'recv');
  await rejectsWith('bad_request', notJoined.consume(router, notJoinedRecv, video));
  assert.equal(bob.consumers.length + audioOnly.consumers.length + notJoined.consumers.length, 0);
  await bob.consume(router, recvId, video);
  for (const p of [alice, bob, audioOnly, notJoined]) p.close();
});

test('consumerClosed carries the reason: producer closed, transport closed', async () => {
  const { peer: alice, sendId } = await sender();
  const { peer: bob, recvId } = await receiver();
  const video = await alice.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  const audio = await alice.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const vc = await bob.consume(router, recvId, video);
  const ac = await bob.consume(router, recvId, audio);
  const closed = record(bob, ['consumerClosed']);
  const aliceEvents = record(alice, ['producerClosed']);

  alice.closeProducer(video.id);
  assert.deepEqual(aliceEvents, [['producerClosed', video.id]]);
  await until(() => closed.length === 1, 'the consumer of the closed producer to close');
  assert.deepEqual(closed[0], ['consumerClosed', vc.id, 'producer_closed']);
  assert.equal(vc.closed, true);

  bob.getTransport(recvId).close();
  assert.deepEqual(closed[1], ['consumerClosed', ac.id, 'transport_closed']);
  assert.equal(ac.closed, true);
  assert.equal(bob.consumers.length, 0);
  assert.equal(bob.transports.length, 0);
  await rejectsWith('not_found', () => bob.getTransport(recvId));
  alice.close();
  bob.close();
});

test('pause/resume producer: producerUpdated, consumers see producerPaused', async () => {
  const { peer: alice, sendId } = await sender();
  const { peer: bob, recvId } = await receiver();
  const mic = await alice.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const consumer = await bob.consume(router, recvId, mic);
  const updates = record(alice, ['producerUpdated']);

  await alice.pauseProducer(mic.id);
  await alice.pauseProducer(mic.id); // no second event
  assert.equal(mic.paused, true);
  await until(() => consumer.producerPaused, 'consumer to learn the producer paused');
  await alice.resumeProducer(mic.id);
  assert.deepEqual(
    updates.map(([, info]) => (info as { paused: boolean }).paused),
    [true, false],
  );
  await until(() => !consumer.producerPaused, 'consumer to learn the producer resumed');
  await rejectsWith('not_found', alice.pauseProducer('nope'));
  alice.close();
  bob.close();
});

test('setConsumerPreferredLayers applies to simulcast consumers', async () => {
  const { peer: alice, sendId } = await sender();
  const { peer: bob, recvId } = await receiver();
  const video = await alice.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(3), source: 'webcam' });
  const consumer = await bob.consume(router, recvId, video);
  assert.equal(consumer.type, 'simulcast');
  await bob.setConsumerPreferredLayers(consumer.id, { spatialLayer: 1, temporalLayer: 0 });
  assert.deepEqual(consumer.preferredLayers, { spatialLayer: 1, temporalLayer: 0 });

  const mic = await alice.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const simple = await bob.consume(router, recvId, mic);
  await bob.setConsumerPreferredLayers(simple.id, { spatialLayer: 0 }); // no-op, no error
  alice.close();
  bob.close();
});

test('connectTransport again with the same DTLS parameters is answered again (a lost answer), with others a conflict; restartIce gives new ICE parameters', async () => {
  const peer = makePeer();
  const transportId = await addWebRtcTransport(peer, 'send');
  await peer.connectTransport(transportId, clientDtls);
  await peer.connectTransport(transportId, clientDtls);
  const other = { ...clientDtls, role: clientDtls.role === 'client' ? ('server' as const) : ('client' as const) };
  await rejectsWith('conflict', peer.connectTransport(transportId, other));
  const before = (peer.getTransport(transportId) as unknown as { iceParameters: { usernameFragment: string } }).iceParameters;
  const ice = await peer.restartIce(transportId);
  assert.notEqual(ice.usernameFragment, before.usernameFragment);
  await rejectsWith('not_found', peer.restartIce('nope'));
  peer.close();
});

test(`at most ${MAX_TRANSPORTS_PER_PEER} transports per peer`, async () => {
  const peer = makePeer();
  for (let i = 0; i < MAX_TRANSPORTS_PER_PEER; i++) await addWebRtcTransport(peer, i % 2 ? 'recv' : 'send');
  const extra = await router.createWebRtcTransport(webRtcTransportOptions(mediaConfig()));
  await rejectsWith('conflict', () => peer.addTransport(extra));
  assert.equal(extra.closed, true, 'a refused transport is closed, not leaked');
  assert.equal((await router.dump()).transportIds.length, MAX_TRANSPORTS_PER_PEER);
  peer.close();
});

test('close() closes transports, producers and consumers, emits closed once, is idempotent', async () => {
  const { peer: alice, sendId } = await sender();
  const aliceRecv = await addWebRtcTransport(alice, 'recv');
  const { peer: bob, recvId } = await receiver();
  const bobSend = await addWebRtcTransport(bob, 'send');
  const aliceVideo = await alice.produce({ transportId: sendId, kind: 'video', rtpParameters: vp8Parameters(), source: 'webcam' });
  const bobMic = await bob.produce({ transportId: bobSend, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' });
  const bobConsumer = await bob.consume(router, recvId, aliceVideo);
  const aliceConsumer = await alice.consume(router, aliceRecv, bobMic);
  const transports = alice.transports;

  const events = record(alice, ['producerClosed', 'consumerClosed', 'closed']);
  alice.close('removed');
  alice.close('ended');
  assert.equal(alice.closed, true);
  assert.equal(alice.closeReason, 'removed');
  for (const t of transports) assert.equal(t.closed, true);
  assert.equal(aliceVideo.closed, true);
  assert.equal(aliceConsumer.closed, true);
  assert.deepEqual(events.at(-1), ['closed', 'removed']);
  assert.equal(events.filter(([e]) => e === 'closed').length, 1);
  assert.ok(events.some(([e, id]) => e === 'producerClosed' && id === aliceVideo.id));
  assert.deepEqual(alice.toMediaState().producers, []);
  assert.deepEqual(alice.toMediaState().consumers, []);

  // Bob's consumer of Alice's video goes away (worker notification), Bob's own media stays.
  await until(() => bobConsumer.closed, "bob's consumer of alice's producer to close");
  const dump = await router.dump();
  assert.deepEqual(dump.transportIds.sort(), [recvId, bobSend].sort());
  assert.deepEqual(dump.mapProducerIdConsumerIds, [{ key: bobMic.id, values: [] }]);

  await rejectsWith('gone', alice.produce({ transportId: sendId, kind: 'audio', rtpParameters: opusParameters(), source: 'mic' }));
  bob.close();
  const empty = await router.dump();
  assert.deepEqual(empty.transportIds, []);
  assert.deepEqual(empty.mapProducerIdConsumerIds, []);
  assert.deepEqual(empty.mapConsumerIdProducerId, []);
});
