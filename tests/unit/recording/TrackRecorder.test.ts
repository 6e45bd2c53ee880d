import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Consumer, PlainTransport, Router, Transport } from 'mediasoup/types';
import { mediaCodecs } from '../../../server/media/mediaCodecs.ts';
import { TrackRecorder, lostPicture, recorderRtpCapabilities } from '../../../server/recording/TrackRecorder.ts';
import { freeUdpPair, udpPortBound } from '../../../server/recording/udpPorts.ts';
import { ffmpegRtpParameters, ffmpegRtpSender, ffmpegVideoSource, type FfmpegRtpSource } from '../../helpers/ffmpegRtp.ts';
import { until } from '../../helpers/wait.ts';
import { createWorker, log } from '../media/helpers.ts';

/*
 * Why recorded video lost frames (issue 11, seen in Chromium): mediasoup ran bandwidth estimation
 * towards ffmpeg, which never answers, and dropped layers; and ffmpeg, missing a packet for longer
 * than it waits, dropped every picture until the next key frame without asking for one.
 */

let router: Router;
const root = mkdtempSync(path.join(os.tmpdir(), 'track-recorder-test-'));
const sources: FfmpegRtpSource[] = [];

before(async () => {
  const worker = await createWorker();
  router = await worker.createRouter({ mediaCodecs });
});

after(() => {
  for (const s of sources) s.close();
  rmSync(root, { recursive: true, force: true });
});

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** The PlainTransport and consumer the next recorder opens on the router. */
function nextRecorderTransport(): Promise<{ transport: Transport; consumer: Consumer }> {
  return new Promise((resolve) => {
    router.observer.once('newtransport', (transport) => {
      transport.observer.once('newconsumer', (consumer) => resolve({ transport, consumer }));
    });
  });
}

/** A transport's outgoing bandwidth estimate: present only while mediasoup estimates one. */
async function estimate(transport: Transport): Promise<number | undefined> {
  const [stats] = await transport.getStats();
  return (stats as { availableOutgoingBitrate?: number } | undefined)?.availableOutgoingBitrate;
}

test('the recorder’s transport runs no bandwidth estimation and the consumer keeps every frame of the lowest simulcast layer', async () => {
  const video = await ffmpegVideoSource(router, 'peer-bwe', { simulcast: true });
  sources.push(video);
  await video.steady();

  // The cause: a PlainTransport consumer offered the router's capabilities (transport-cc) gets a
  // bandwidth estimator, which nothing on the ffmpeg side ever feeds.
  const control: PlainTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: false });
  await control.consume({ producerId: video.producer.id, rtpCapabilities: router.rtpCapabilities });
  assert.notEqual(await estimate(control), undefined, 'with transport-cc offered, mediasoup estimates bandwidth towards ffmpeg');
  control.close();

  const opened = nextRecorderTransport();
  const recorder = await TrackRecorder.open({ router, producer: video.producer, fileBase: path.join(root, 'bwe'), ffmpegPath: 'ffmpeg', paused: false, log });
  const { transport, consumer } = await opened;
  try {
    assert.equal(await estimate(transport), undefined, 'no bandwidth estimation towards the recorder');
    assert.ok(!consumer.rtpParameters.headerExtensions?.some((e) => e.uri === TRANSPORT_CC));
    const feedback = consumer.rtpParameters.codecs.flatMap((c) => c.rtcpFeedback ?? []);
    assert.deepEqual(
      feedback.filter((fb) => ['transport-cc', 'goog-remb'].includes(fb.type) || (fb.type === 'nack' && !fb.parameter)),
      [],
      'no congestion-control or NACK feedback offered',
    );
    assert.ok(
      feedback.some((fb) => fb.type === 'nack' && fb.parameter === 'pli'),
      'key frames can still be asked for',
    );
    assert.deepEqual(consumer.preferredLayers, { spatialLayer: 0, temporalLayer: 0 }, 'the lowest layer (one temporal layer here: all of them)');
    await until(() => recorder.startedAt !== null, 'the recorder started', 10_000, 50);
    // mediasoup falls back to the layer that is sent (ffmpeg sends only the highest one).
    assert.equal(consumer.currentLayers?.spatialLayer, 2);
  } finally {
    await recorder.close();
  }
});

test('recorderRtpCapabilities keeps the codecs and key-frame feedback and drops congestion control', () => {
  const caps = recorderRtpCapabilities(router.rtpCapabilities);
  assert.deepEqual(
    caps.codecs!.map((c) => c.mimeType),
    router.rtpCapabilities.codecs!.map((c) => c.mimeType),
  );
  assert.ok(
    router.rtpCapabilities.headerExtensions!.some((e) => e.uri === TRANSPORT_CC),
    'the router offers transport-cc',
  );
  assert.ok(!caps.headerExtensions!.some((e) => e.uri === TRANSPORT_CC || e.uri.endsWith('abs-send-time')));
  const vp8 = caps.codecs!.find((c) => c.mimeType === 'video/VP8')!;
  assert.deepEqual(vp8.rtcpFeedback!.map((fb) => `${fb.type} ${fb.parameter ?? ''}`.trim()).sort(), ['ccm fir', 'nack pli']);
});

test('lostPicture recognises what ffmpeg says when a lost packet costs it pictures', async () => {
  // Real VP8 RTP from ffmpeg, through a relay that loses two packets, into an ffmpeg receiver set
  // up as the recorder is (SDP on stdin, warnings on).
  const rtpParameters = ffmpegRtpParameters('video');
  let stderr = '';
  const port = await freeUdpPair();
  const relay = createSocket('udp4');
  await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve));
  let packets = 0;
  let beforeLoss = '';
  relay.on('message', (message) => {
    packets++;
    if (packets === 39) beforeLoss = stderr;
    if (packets === 40 || packets === 41) return;
    relay.send(message, port, '127.0.0.1');
  });
  const sdp = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=t',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=video ${port} RTP/AVP 101`,
    'a=rtpmap:101 VP8/90000',
    'a=recvonly',
    '',
  ].join('\r\n');
  const receiver = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'warning',
      '-protocol_whitelist',
      'pipe,udp,rtp',
      '-max_delay',
      '100000',
      '-f',
      'sdp',
      '-i',
      'pipe:0',
      '-map',
      '0',
      '-c',
      'copy',
      '-f',
      'null',
      '-',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  receiver.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  receiver.stdin.end(sdp);
  await until(() => udpPortBound(port), 'the receiver listens', 10_000, 20);
  const sender = await ffmpegRtpSender('video', relay.address().port, rtpParameters);
  try {
    await until(
      () => lostPicture(stderr),
      () => `ffmpeg reports the lost picture (stderr: ${stderr})`,
      15_000,
      100,
    );
    assert.equal(lostPicture(beforeLoss), false, 'nothing lost before the relay lost packets');
  } finally {
    sender.kill('SIGKILL');
    receiver.kill('SIGKILL');
    relay.close();
  }
  assert.equal(lostPicture('[sdp @ 0x1] RTP: missed 1 packets\n'), false, 'a late packet alone costs no picture');
});
