/**
 * Real VP8 and Opus RTP for recording tests and the recording bench: an `ffmpeg` child encodes
 * lavfi's testsrc / sine and sends RTP into a PlainTransport (comedia) producer on the router.
 * Key frames every second (ffmpeg ignores PLI), so a recorder gets a picture within a second.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
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

const clips = new Map<'audio' | 'video', Promise<string>>();

/**
 * The media, encoded once per process (testsrc / sine, 10 s, key frames every second) and then
 * only copied into RTP: sending costs next to nothing, so `-re` keeps media time with the wall
 * clock even on a busy machine (a live encoder falls behind and catches up).
 */
function encoded(kind: 'audio' | 'video'): Promise<string> {
  let clip = clips.get(kind);
  if (!clip) {
    clip = (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'rtp-clip-'));
      const file = path.join(dir, `${kind}.webm`);
      const args =
        kind === 'video'
          ? ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30:duration=10', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '30', '-keyint_min', '30']
          : ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10', '-ac', '2', '-c:a', 'libopus', '-b:a', '48k'];
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args, '-y', file]);
      return file;
    })();
    clips.set(kind, clip);
  }
  return clip;
}

/** RTP parameters of what the ffmpeg sender sends (VP8 payload type 101, Opus 100). */
export function ffmpegRtpParameters(kind: 'audio' | 'video') {
  const mySsrc = ++ssrc;
  return kind === 'video'
    ? {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
        encodings: [{ ssrc: mySsrc }],
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
  const input = ['-re', '-stream_loop', '-1', '-i', await encoded(kind), '-map', '0', '-c', 'copy'];
  const codec = rtpParameters.codecs[0]!;
  return spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', ...input, '-ssrc', String(rtpParameters.encodings[0]!.ssrc), '-payload_type', String(codec.payloadType), '-f', 'rtp', `rtp://${LOCALHOST}:${port}?pkt_size=1200`],
    { stdio: 'ignore' },
  );
}

/** Resolves once a second of media has reached the producer (see FfmpegRtpSource.steady). */
export async function steadyProducer(producer: Producer): Promise<void> {
  const perSecond = producer.kind === 'video' ? 30 : 50;
  const packets = async () => (await producer.getStats())[0]?.packetCount ?? 0;
  await until(async () => (await packets()) >= perSecond, `${producer.kind} RTP from ffmpeg`, 15_000, 100);
}

async function source(router: Router, kind: 'audio' | 'video', appData: ProducerData): Promise<FfmpegRtpSource> {
  const transport: PlainTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCALHOST }, rtcpMux: true, comedia: true });
  const rtpParameters = ffmpegRtpParameters(kind);
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
export function ffmpegVideoSource(router: Router, peerId = 'peer-1'): Promise<FfmpegRtpSource> {
  return source(router, 'video', { peerId, source: 'webcam' });
}

/** An Opus microphone (source mic) sent by ffmpeg into `router`. */
export function ffmpegAudioSource(router: Router, peerId = 'peer-1'): Promise<FfmpegRtpSource> {
  return source(router, 'audio', { peerId, source: 'mic' });
}
