/**
 * Real VP8 and Opus RTP for recording tests and the recording bench: an `ffmpeg` child encodes
 * lavfi's testsrc / sine and sends RTP into a PlainTransport (comedia) producer on the router.
 * Key frames every second (ffmpeg ignores PLI), so a recorder gets a picture within a second.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PlainTransport, Producer, Router } from 'mediasoup/types';
import type { ProducerData } from '../../server/media/Peer.ts';
import { until } from './wait.ts';

const LOCALHOST = '127.0.0.1';
const run = promisify(execFile);
let ssrc = 0x3000_0000;

export interface FfmpegRtpSource {
  producer: Producer<ProducerData>;
  child: ChildProcess;
  /**
   * Resolves once a second of media has reached the router: the encoder is past its start, when
   * it lags and then catches up (media time running ahead of the wall clock).
   */
  steady(): Promise<void>;
  close(): void;
}

type Clip = 'vp8' | 'opus' | 'h264';
const clips = new Map<Clip, Promise<string>>();
const clipArgs: Record<Clip, { ext: string; args: string[] }> = {
  vp8: {
    ext: 'webm',
    args: [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=30:duration=10',
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '300k',
      '-g',
      '30',
      '-keyint_min',
      '30',
    ],
  },
  opus: { ext: 'webm', args: ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10', '-ac', '2', '-c:a', 'libopus', '-b:a', '48k'] },
  // Constrained baseline (42e01f, as the router offers it), SPS/PPS before every key frame as browsers send them.
  h264: {
    ext: 'ts',
    args: [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=30:duration=10',
      '-c:v',
      'libx264',
      '-profile:v',
      'baseline',
      '-level',
      '3.1',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '30',
      '-tune',
      'zerolatency',
      '-x264-params',
      'repeat-headers=1',
      '-b:v',
      '300k',
    ],
  },
};

/**
 * The media, encoded once per process (testsrc / sine, 10 s, key frames every second) and then
 * only copied into RTP: sending costs next to nothing, so `-re` keeps media time with the wall
 * clock even on a busy machine (a live encoder falls behind and catches up).
 */
function encoded(kind: Clip): Promise<string> {
  let clip = clips.get(kind);
  if (!clip) {
    clip = (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'rtp-clip-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, `${kind}.${clipArgs[kind].ext}`);
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...clipArgs[kind].args, '-y', file]);
      return file;
    })();
    clips.set(kind, clip);
  }
  return clip;
}

/** RTP parameters of what the ffmpeg sender sends (VP8 payload type 101, Opus 100). */
export function ffmpegRtpParameters(kind: 'audio' | 'video', options: { simulcast?: boolean; h264?: boolean } = {}) {
  const mySsrc = ++ssrc;
  // Simulcast: three encodings as a browser announces them; ffmpeg sends the last (highest) one.
  const lower = options.simulcast ? [{ ssrc: ++ssrc }, { ssrc: ++ssrc }] : [];
  if (kind === 'video' && options.h264) {
    return {
      codecs: [
        {
          mimeType: 'video/H264',
          payloadType: 102,
          clockRate: 90000,
          parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        },
      ],
      encodings: [{ ssrc: mySsrc }],
      rtcp: { cname: `rec-${mySsrc}` },
    };
  }
  return kind === 'video'
    ? {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
        encodings: [...lower, { ssrc: mySsrc }],
        rtcp: { cname: `rec-${mySsrc}` },
      }
    : {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: mySsrc }],
        rtcp: { cname: `rec-${mySsrc}` },
      };
}

/** An ffmpeg child sending the clip as RTP (as `rtpParameters` say) to 127.0.0.1:`port`, looping. */
export async function ffmpegRtpSender(kind: 'audio' | 'video', port: number, rtpParameters: ReturnType<typeof ffmpegRtpParameters>): Promise<ChildProcess> {
  const codec = rtpParameters.codecs[0]!;
  const clip: Clip = kind === 'audio' ? 'opus' : codec.mimeType === 'video/H264' ? 'h264' : 'vp8';
  const input = ['-re', '-stream_loop', '-1', '-i', await encoded(clip), '-map', '0', '-c', 'copy'];
  return spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      ...input,
      '-ssrc',
      String(rtpParameters.encodings.at(-1)!.ssrc),
      '-payload_type',
      String(codec.payloadType),
      '-f',
      'rtp',
      `rtp://${LOCALHOST}:${port}?pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}

/** Resolves once a second of media has reached the producer (see FfmpegRtpSource.steady). */
export async function steadyProducer(producer: Producer): Promise<void> {
  const perSecond = producer.kind === 'video' ? 30 : 50;
  const packets = async () => (await producer.getStats()).reduce((n, s) => n + s.packetCount, 0);
  await until(async () => (await packets()) >= perSecond, `${producer.kind} RTP from ffmpeg`, 15_000, 100);
}

async function source(
  router: Router,
  kind: 'audio' | 'video',
  appData: ProducerData,
  options: { simulcast?: boolean; h264?: boolean } = {},
): Promise<FfmpegRtpSource> {
  const transport: PlainTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCALHOST }, rtcpMux: true, comedia: true });
  const rtpParameters = ffmpegRtpParameters(kind, options);
  const producer = await transport.produce<ProducerData>({ kind, rtpParameters, appData });
  const child = await ffmpegRtpSender(kind, transport.tuple.localPort, rtpParameters);
  return {
    producer,
    child,
    steady: () => steadyProducer(producer),
    close() {
      if (child.exitCode === null) child.kill('SIGKILL');
      transport.close();
    },
  };
}

/** A VP8 camera (source webcam) sent by ffmpeg into `router`. */
export function ffmpegVideoSource(router: Router, peerId = 'peer-1', options: { simulcast?: boolean; h264?: boolean } = {}): Promise<FfmpegRtpSource> {
  return source(router, 'video', { peerId, source: 'webcam' }, options);
}

/** An Opus microphone (source mic) sent by ffmpeg into `router`. */
export function ffmpegAudioSource(router: Router, peerId = 'peer-1'): Promise<FfmpegRtpSource> {
  return source(router, 'audio', { peerId, source: 'mic' });
}
