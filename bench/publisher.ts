/**
 * One synthetic publisher for the benches: VP8 (~600 kbps, 30 fps, 1100-byte packets, keyframes at
 * start, every 4 s and on PLI/FIR) and Opus (50 pps) RTP sent from Node over UDP into a
 * PlainTransport, the same stream bench/consumers.ts sends per participant (see bench/README.md).
 */
import type { PlainTransport, Producer, Router } from 'mediasoup/types';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { hasKeyframeRequest, isRtcp, opusPayloadTemplate, rtpHeader, RTP_HEADER_BYTES, VP8_DESCRIPTOR_BYTES, vp8Header, vp8PayloadTemplates } from './rtp.ts';

const LOCALHOST = '127.0.0.1';
const VIDEO_PT = 96;
const AUDIO_PT = 111;
const FPS = 30;
const VIDEO_BPS = 600_000;
const PACKET_BYTES = 1100;
const KEYFRAME_PACKETS = 10;
const KEYFRAME_INTERVAL_MS = 4000;
const MIN_KEYFRAME_GAP_MS = 300;
const AUDIO_PAYLOAD_BYTES = 100;
const MAX_CATCH_UP_MS = 200;
const TICK_MS = 5;

export interface Publisher {
  video: Producer;
  audio: Producer;
  /** RTP packets sent so far (audio + video). */
  sentPackets(): number;
  /** Frames/audio packets skipped as too late (the sender could not keep up). */
  skipped(): number;
  close(): void;
}

export async function startPublisher(router: Router): Promise<Publisher> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, LOCALHOST, () => resolve());
  });
  const transport: PlainTransport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOCALHOST },
    rtcpMux: true,
    comedia: false,
  });
  await transport.connect({ ip: LOCALHOST, port: sock.address().port });
  await new Promise<void>((resolve) => sock.connect(transport.tuple.localPort, LOCALHOST, resolve));

  const videoSsrc = 0x11111111;
  const audioSsrc = 0x22222222;
  const video = await transport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: VIDEO_PT,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        },
      ],
      encodings: [{ ssrc: videoSsrc }],
      rtcp: { cname: 'publisher', reducedSize: true },
    },
  });
  const audio = await transport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: audioSsrc }],
      rtcp: { cname: 'publisher', reducedSize: true },
    },
  });

  const vp8 = vp8PayloadTemplates(PACKET_BYTES - RTP_HEADER_BYTES - VP8_DESCRIPTOR_BYTES);
  const opus = opusPayloadTemplate(AUDIO_PAYLOAD_BYTES);
  const bytesPerFrame = VIDEO_BPS / 8 / FPS;
  const start = performance.now();
  const v = { seq: 1000, frame: 0, pictureId: 1, budget: 0, nextAt: start, lastKey: start, wantKey: false };
  const a = { seq: 2000, n: 0, nextAt: start + 7 };
  let sent = 0;
  let skipped = 0;

  sock.on('message', (msg) => {
    if (isRtcp(msg) && hasKeyframeRequest(msg)) v.wantKey = true;
  });

  const sendFrame = (now: number): void => {
    const key = v.frame === 0 || now - v.lastKey >= KEYFRAME_INTERVAL_MS || (v.wantKey && now - v.lastKey >= MIN_KEYFRAME_GAP_MS);
    v.budget += bytesPerFrame;
    const packets = key ? KEYFRAME_PACKETS : Math.max(1, Math.round(v.budget / PACKET_BYTES));
    v.budget = Math.max(v.budget - packets * PACKET_BYTES, -2 * KEYFRAME_PACKETS * PACKET_BYTES);
    if (key) {
      v.wantKey = false;
      v.lastKey = now;
    }
    const ts = (v.frame * (90000 / FPS)) >>> 0;
    for (let i = 0; i < packets; i++) {
      const header = vp8Header(VIDEO_PT, i === packets - 1, v.seq, ts, videoSsrc, i === 0, v.pictureId & 0x7fff);
      sock.send([header, i === 0 ? (key ? vp8.keyStart : vp8.deltaStart) : vp8.cont]);
      v.seq = (v.seq + 1) & 0xffff;
      sent++;
    }
  };

  const timer = setInterval(() => {
    const now = performance.now();
    for (; v.nextAt <= now; v.nextAt += 1000 / FPS) {
      if (now - v.nextAt > MAX_CATCH_UP_MS) skipped++;
      else sendFrame(now);
      v.frame++;
      v.pictureId++;
    }
    for (; a.nextAt <= now; a.nextAt += 20) {
      if (now - a.nextAt > MAX_CATCH_UP_MS) skipped++;
      else {
        sock.send([rtpHeader(AUDIO_PT, false, a.seq, a.n * 960, audioSsrc), opus]);
        a.seq = (a.seq + 1) & 0xffff;
        sent++;
      }
      a.n++;
    }
  }, TICK_MS);

  let closed = false;
  return {
    video,
    audio,
    sentPackets: () => sent,
    skipped: () => skipped,
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      transport.close();
      sock.close();
    },
  };
}
