import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Worker } from 'mediasoup/types';
import { mediaCodecs, webRtcTransportOptions, INITIAL_AVAILABLE_OUTGOING_BITRATE } from '../../../server/media/mediaCodecs.ts';
import { createWorker, mediaConfig } from './helpers.ts';

let worker: Worker;
before(async () => {
  worker = await createWorker();
});
after(() => worker.close());

test('webRtcTransportOptions: UDP and TCP on the configured IP and port range, UDP preferred', () => {
  const options = webRtcTransportOptions({ ...mediaConfig(), listenIp: '10.0.0.5', minPort: 41000, maxPort: 41100 }, { peerId: 'p' });
  assert.deepEqual(options.listenInfos, [
    { protocol: 'udp', ip: '10.0.0.5', portRange: { min: 41000, max: 41100 } },
    { protocol: 'tcp', ip: '10.0.0.5', portRange: { min: 41000, max: 41100 } },
  ]);
  assert.equal(options.enableUdp, true);
  assert.equal(options.enableTcp, true);
  assert.equal(options.preferUdp, true);
  assert.equal(options.initialAvailableOutgoingBitrate, INITIAL_AVAILABLE_OUTGOING_BITRATE);
  assert.deepEqual(options.appData, { peerId: 'p' });
});

test('webRtcTransportOptions: announcedAddress only when configured', () => {
  const options = webRtcTransportOptions({ ...mediaConfig(), listenIp: '0.0.0.0', announcedAddress: '203.0.113.7' });
  for (const info of options.listenInfos ?? []) assert.equal(info.announcedAddress, '203.0.113.7');
  const plain = webRtcTransportOptions(mediaConfig());
  for (const info of plain.listenInfos ?? []) assert.equal('announcedAddress' in info, false);
});

test('a router built from mediaCodecs offers Opus, VP8 and both H264 profiles', async () => {
  const router = await worker.createRouter({ mediaCodecs });
  try {
    const codecs = router.rtpCapabilities.codecs ?? [];
    const opus = codecs.find((c) => c.mimeType === 'audio/opus');
    assert.ok(opus);
    assert.equal(opus.clockRate, 48000);
    assert.equal(opus.channels, 2);
    assert.ok(codecs.some((c) => c.mimeType === 'video/VP8' && c.clockRate === 90000));
    const h264 = codecs.filter((c) => c.mimeType === 'video/H264');
    assert.deepEqual(h264.map((c) => c.parameters?.['profile-level-id']).sort(), ['42e01f', '4d0032']);
    for (const c of h264) {
      assert.equal(c.parameters?.['packetization-mode'], 1);
      assert.equal(c.parameters?.['level-asymmetry-allowed'], 1);
    }
  } finally {
    router.close();
  }
});
