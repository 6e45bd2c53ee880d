import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionMediaState } from '../../server/protocol/api.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { opusParameters, vp8Parameters } from '../helpers/rtp.ts';
import { enterRoom, seatRoom, type Member } from '../helpers/room.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';

/*
 * What one participant may hold in the SFU is what the client uses: one send and one receive
 * transport, one producer per source, one consumer per producer. RTP parameters are bounded by
 * the protocol schema, and a producer's codecs must match its kind.
 */

describe('media resource limits and RTP parameter bounds (real server, socket.io)', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startFullServer();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  const enter = (auth: Parameters<typeof connectSocket>[1]): Promise<Member> => enterRoom(server.baseUrl, sockets, auth);

  async function room() {
    const seated = await seatRoom(server, enter);
    assert.equal((await seated.mediator.s.request('lobby.admitAll', {})).admitted, 2);
    const media = async () => (await server.api('GET', `/api/sessions/${seated.session.id}/media`, { token: seated.token })).body as SessionMediaState;
    return { ...seated, media };
  }

  test('300 concurrent consumers of one producer by one party → one consumer on the server, the rest refused (conflict) or replacing it', async () => {
    const { mediator, a, media } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    const { producerId } = await mediator.s.request('producer.create', { transportId: send, kind: 'video', source: 'webcam', rtpParameters: vp8Parameters() });
    const answers = await Promise.all(Array.from({ length: 300 }, () => a.s.send('consumer.create', { transportId: a.recvId, producerId })));
    const accepted = answers.filter((r) => r.ok).length;
    const codes = new Set(answers.flatMap((r) => (r.ok ? [] : [r.error.code])));
    assert.ok(accepted >= 1 && accepted < 300, `accepted ${accepted}`);
    assert.deepEqual([...codes], ['conflict']);
    const party = (await media()).peers.find((p) => p.peerId === a.id)!;
    assert.equal(party.consumers.length, 1, 'one consumer on the server');
    // Once it is closed (the producer went away and came back), it can be consumed again.
    await mediator.s.request('producer.close', { producerId });
    const again = await mediator.s.request('producer.create', { transportId: send, kind: 'video', source: 'webcam', rtpParameters: vp8Parameters() });
    assert.ok((await a.s.send('consumer.create', { transportId: a.recvId, producerId: again.producerId })).ok);
  });

  test('a consumer asked for again (its answer lost in a drop) replaces the one the client never got', async () => {
    const { mediator, a, media } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    const { producerId } = await mediator.s.request('producer.create', { transportId: send, kind: 'audio', source: 'mic', rtpParameters: opusParameters() });
    const first = await a.s.request('consumer.create', { transportId: a.recvId, producerId });
    const second = await a.s.request('consumer.create', { transportId: a.recvId, producerId });
    assert.notEqual(second.id, first.id);
    await until(() => a.s.notifications.some((n) => n.name === 'consumer.closed' && n.data.consumerId === first.id), 'the old consumer closed');
    const party = (await media()).peers.find((p) => p.peerId === a.id)!;
    assert.deepEqual(
      party.consumers.map((c) => c.id),
      [second.id],
      'only the new one on the server',
    );
  });

  test('a client closes its own transport (to replace one whose first connect failed); what ran on it closes too', async () => {
    const { mediator, b, media } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    const { producerId } = await mediator.s.request('producer.create', { transportId: send, kind: 'audio', source: 'mic', rtpParameters: opusParameters() });
    await until(() => b.s.notifications.some((n) => n.name === 'producer.added' && n.data.producer.id === producerId), 'b sees the producer');
    await mediator.s.request('transport.close', { transportId: send });
    await until(() => b.s.notifications.some((n) => n.name === 'producer.removed' && n.data.producerId === producerId), 'b told it is gone');
    const state = await media();
    assert.equal(state.peers.find((p) => p.peerId === mediator.id)!.producers.length, 0);
    const replacement = await mediator.s.request('transport.create', { direction: 'send' });
    assert.notEqual(replacement.id, send, 'a new send transport fits within the limit');
    const again = await mediator.s.send('transport.close', { transportId: send });
    assert.ok(!again.ok && again.error.code === 'not_found');
    const foreign = await b.s.send('transport.close', { transportId: replacement.id });
    assert.ok(!foreign.ok && foreign.error.code === 'not_found', "another participant's transport is not found for them");
  });

  test('transports: one per direction; concurrent creations cannot slip past the limit', async () => {
    const { a, b, media } = await room();
    // a already has its receive transport (enterRoom).
    const recv = await a.s.send('transport.create', { direction: 'recv' });
    assert.ok(!recv.ok && recv.error.code === 'conflict', 'a second receive transport is refused');
    assert.ok((await a.s.send('transport.create', { direction: 'send' })).ok, 'one send transport');
    const third = await a.s.send('transport.create', { direction: 'send' });
    assert.ok(!third.ok && third.error.code === 'conflict');

    const burst = await Promise.all(Array.from({ length: 20 }, () => b.s.send('transport.create', { direction: 'send' })));
    assert.equal(burst.filter((r) => r.ok).length, 1, 'one of 20 concurrent send transports');
    const state = await media();
    assert.ok(state.peers.every((p) => p.producers.length === 0));
    const bTransports = server.app.rooms.get(state.sessionId)?.getPeer(b.id).transports.length;
    assert.equal(bTransports, 2);
  });

  test('producers: one per source, three at most', async () => {
    const { mediator } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    await mediator.s.request('producer.create', { transportId: send, kind: 'audio', source: 'mic', rtpParameters: opusParameters() });
    await mediator.s.request('producer.create', { transportId: send, kind: 'video', source: 'webcam', rtpParameters: vp8Parameters() });
    await mediator.s.request('producer.create', { transportId: send, kind: 'video', source: 'screen', rtpParameters: vp8Parameters() });
    const fourth = await mediator.s.send('producer.create', { transportId: send, kind: 'video', source: 'webcam', rtpParameters: vp8Parameters() });
    assert.ok(!fourth.ok && fourth.error.code === 'conflict');
  });

  test('nonsense RTP parameters are refused (bad_request) and create nothing', async () => {
    const { mediator, media } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    const video = vp8Parameters();
    const audio = opusParameters();
    const cases: Array<[string, 'audio' | 'video', Record<string, unknown>]> = [
      ['an audio producer carrying VP8', 'audio', { ...video }],
      ['a video producer carrying Opus', 'video', { ...audio }],
      ['a negative SSRC', 'video', { ...video, encodings: [{ ssrc: -5 }] }],
      ['a 2^40 SSRC', 'video', { ...video, encodings: [{ ssrc: 2 ** 40 }] }],
      ['a fractional SSRC', 'video', { ...video, encodings: [{ ssrc: 1.5 }] }],
      ['a negative RTX SSRC', 'video', { ...video, encodings: [{ ssrc: 7, rtx: { ssrc: -1 } }] }],
      ['a 100 kB MID', 'video', { ...video, mid: 'm'.repeat(100_000) }],
      ['a 200 kB CNAME', 'video', { ...video, rtcp: { cname: 'c'.repeat(200_000) } }],
      ['header extension id 99999', 'video', { ...video, headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 99999 }] }],
      ['a 100 kB header extension URI', 'video', { ...video, headerExtensions: [{ uri: 'u'.repeat(100_000), id: 1 }] }],
      ['1000 codecs', 'video', { ...video, codecs: Array.from({ length: 1000 }, () => video.codecs[0]) }],
      ['100 encodings', 'video', { ...video, encodings: Array.from({ length: 100 }, (_, i) => ({ ssrc: 1000 + i })) }],
      ['a 50 kB codec parameter', 'video', { ...video, codecs: [{ ...video.codecs[0], parameters: { x: 'p'.repeat(50_000) } }] }],
      ['clock rate 2^40', 'video', { ...video, codecs: [{ ...video.codecs[0], clockRate: 2 ** 40 }] }],
    ];
    for (const [what, kind, rtpParameters] of cases) {
      const source = kind === 'audio' ? 'mic' : 'webcam';
      const res = await mediator.s.send('producer.create', { transportId: send, kind, source, rtpParameters });
      assert.ok(!res.ok, `${what}: refused`);
      assert.equal(res.error.code, 'bad_request', `${what}: ${res.error.code} ${res.error.message}`);
    }
    const me = (await media()).peers.find((p) => p.role === 'mediator')!;
    assert.equal(me.producers.length, 0, 'no producer was created');
    // Sane parameters still work, and unknown keys are dropped rather than passed on.
    const fine = await mediator.s.send('producer.create', {
      transportId: send,
      kind: 'video',
      source: 'webcam',
      rtpParameters: { ...video, mid: '1', extra: 'x' },
    });
    assert.ok(fine.ok, JSON.stringify(fine));
  });
});
