import { execFile, type ChildProcess } from 'node:child_process';
import { spawnTied } from './tiedChild.ts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Consumer, PlainTransport, Router, RtpCapabilities, RtpCodecParameters } from 'mediasoup/types';
import type { Logger } from '../logger.ts';
import type { MediaProducer } from '../media/Peer.ts';
import { TypedEmitter } from '../media/TypedEmitter.ts';
import { freeUdpPair, udpPortBound } from './udpPorts.ts';

/** How long a recorder child may take to bind its ports, and to finish its file after SIGINT. */
const LISTEN_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;
/** Key frames are asked for this often until the first video packet went out to the recorder. */
const KEYFRAME_INTERVAL_MS = 500;
/** How long ffmpeg waits for a missing RTP packet (µs) before it gives it up. */
const REORDER_DELAY_US = 1_000_000;
/** Key frames asked for after ffmpeg dropped a picture: at most this often. */
const LOST_PICTURE_KEYFRAME_MS = 300;

export interface Gap {
  from: string;
  to: string;
  reason: 'recorder_restarted' | 'paused';
}

/** One closed file. `startedAt` null: nothing was ever written (the file is removed). */
export interface RecordedFile {
  file: string;
  codec: string;
  startedAt: Date | null;
  endedAt: Date;
  bytes: number;
  sha256: string;
  gaps: Gap[];
  /** The child died before it was asked to stop. */
  died: boolean;
}

export type TrackRecorderEvents = {
  /** The first packet went out to the recorder (≈ written). */
  started: [at: Date];
  /** The child exited without being asked to: call close() to finish the file. */
  died: [at: Date];
};

export interface TrackRecorderOptions {
  router: Router;
  producer: MediaProducer;
  /** Absolute path without extension; `.webm` or `.mkv` is added by codec. */
  fileBase: string;
  ffmpegPath: string;
  /** Open with the consumer paused (recording paused). */
  paused: boolean;
  log: Logger;
}

/** The container by codec: WebM takes VP8, VP9 and Opus; H264 goes into Matroska. */
function extensionFor(codec: RtpCodecParameters): string {
  return codec.mimeType.toLowerCase() === 'video/h264' ? '.mkv' : '.webm';
}

function sdpFor(kind: 'audio' | 'video', codec: RtpCodecParameters, port: number): string {
  const name = codec.mimeType.split('/')[1]!;
  const channels = kind === 'audio' && codec.channels ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=recording',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\r\n');
}

/** Feedback ffmpeg never sends: with it offered, mediasoup would wait for it (see below). */
const UNANSWERED_FEEDBACK = new Set(['transport-cc', 'goog-remb', 'nack']);
const UNANSWERED_EXTENSIONS = new Set([
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);

/**
 * What the recorder (ffmpeg) can receive: the router's codecs, without the feedback and header
 * extensions of congestion control. Offered transport-cc or REMB, mediasoup runs bandwidth
 * estimation on the recorder's transport; ffmpeg never answers, so the estimate falls and the
 * consumer drops temporal layers (half the frames and more) and switches simulcast layers (frames
 * lost until the next key frame). Without them the consumer forwards the layers it is told to
 * (recordedLayers). Plain NACK goes too (ffmpeg asks for no retransmission); PLI and FIR stay.
 */
export function recorderRtpCapabilities(router: RtpCapabilities): RtpCapabilities {
  return {
    codecs: (router.codecs ?? []).map((codec) => ({
      ...codec,
      rtcpFeedback: (codec.rtcpFeedback ?? []).filter((fb) => !(UNANSWERED_FEEDBACK.has(fb.type) && !fb.parameter)),
    })),
    headerExtensions: (router.headerExtensions ?? []).filter((ext) => !UNANSWERED_EXTENSIONS.has(ext.uri)),
  };
}

/**
 * The layers a recorder takes: every temporal layer (every frame), and of a simulcast camera the
 * lowest spatial layer. A browser turns its upper simulcast layers off and on with its bandwidth
 * estimate and CPU load (the lowest one stays); mediasoup notices that a layer stopped only when
 * its score falls to 0 (over a second later) and then waits for a key frame of the next one, so a
 * file of the upper layer loses a second or more at every switch, and changes resolution. The
 * lowest layer is continuous; while it is absent mediasoup forwards the next one. SVC layers
 * travel in one stream: its highest.
 */
export function recordedLayers(type: Consumer['type']): { spatialLayer: number; temporalLayer: number } {
  return { spatialLayer: type === 'simulcast' ? 0 : 15, temporalLayer: 15 };
}

/**
 * Whether ffmpeg's output says it lost a picture: missing a packet for longer than `-max_delay`,
 * its VP8 depacketizer drops every frame until the next key frame ("Missed a picture, sequence
 * broken", "Received no start marker; dropping frame") or, without picture ids, passes on
 * pictures it knows are damaged ("corrupt input packet"). ffmpeg sends no PLI itself.
 */
export function lostPicture(stderr: string): boolean {
  return /sequence broken|dropping frame|corrupt input packet/i.test(stderr);
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * One file of one producer: a PlainTransport on the room's router, a consumer (paused until the
 * child listens) and an `ffmpeg` child copying the RTP into WebM/Matroska without re-encoding.
 * Owns all three; close() stops the child first (SIGINT: it finishes the file), then the transport.
 */
export class TrackRecorder extends TypedEmitter<TrackRecorderEvents> {
  readonly file: string;
  readonly codec: RtpCodecParameters;
  readonly #transport: PlainTransport;
  readonly #consumer: Consumer;
  readonly #child: ChildProcess;
  readonly #log: Logger;
  readonly #exited: Promise<void>;
  readonly #ffmpegPath: string;
  #startedAt: Date | null = null;
  #pausedAt: Date | null = null;
  readonly #gaps: Gap[] = [];
  #keyFrames: NodeJS.Timeout | undefined;
  #stopping = false;
  #diedAt: Date | null = null;
  #closing: Promise<RecordedFile> | undefined;
  #lostAskedAt = 0;
  #picturesLost = 0;

  /** Starts everything; resolves once the child listens and the consumer is resumed. */
  static async open(options: TrackRecorderOptions): Promise<TrackRecorder> {
    const { router, producer } = options;
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
      appData: { recording: true },
    });
    let child: ChildProcess | undefined;
    try {
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: recorderRtpCapabilities(router.rtpCapabilities), paused: true });
      const codec = consumer.rtpParameters.codecs[0]!;
      if (consumer.type === 'simulcast' || consumer.type === 'svc') await consumer.setPreferredLayers(recordedLayers(consumer.type));
      const port = await freeUdpPair();
      const file = `${options.fileBase}${extensionFor(codec)}`;
      await mkdir(path.dirname(file), { recursive: true });
      const format = extensionFor(codec) === '.mkv' ? 'matroska' : 'webm';
      child = spawnTied(
        options.ffmpegPath,
        [
          // Warnings: a picture ffmpeg had to drop (lostPicture). `-max_delay`: how long a missing
          // packet is waited for (ffmpeg's default, 0.1 s, is shorter than a retransmission from a
          // busy sender takes to come through mediasoup).
          ...['-hide_banner', '-loglevel', 'warning', '-protocol_whitelist', 'pipe,udp,rtp', '-max_delay', String(REORDER_DELAY_US)],
          ...['-f', 'sdp', '-i', 'pipe:0', '-map', '0', '-c', 'copy'],
          // Written out as it comes (a cluster per 200 ms): a child that dies loses about that much.
          ...['-flush_packets', '1', '-cluster_time_limit', '200', '-cluster_size_limit', '1048576'],
          ...['-f', format, '-y', file],
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
        'INT',
      );
      const recorder = new TrackRecorder(transport, consumer, child, file, codec, options.ffmpegPath, options.log);
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(sdpFor(consumer.kind, codec, port));
      await recorder.#waitListening(port);
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
      if (options.paused) recorder.#pausedAt = new Date();
      else await recorder.#flow();
      return recorder;
    } catch (error) {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      transport.close();
      throw error;
    }
  }

  private constructor(
    transport: PlainTransport,
    consumer: Consumer,
    child: ChildProcess,
    file: string,
    codec: RtpCodecParameters,
    ffmpegPath: string,
    log: Logger,
  ) {
    super();
    this.#ffmpegPath = ffmpegPath;
    this.#transport = transport;
    this.#consumer = consumer;
    this.#child = child;
    this.file = file;
    this.codec = codec;
    this.#log = log.child(`track:${path.basename(file)}`);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-2000);
      if (lostPicture(text)) this.#pictureLost();
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.#stopping) {
          this.#diedAt = new Date();
          this.#log.warn('recorder exited unexpectedly', { code, signal, stderr });
          this.emit('died', this.#diedAt);
        } else if (code !== 0 && code !== 255) {
          this.#log.warn('recorder exited with an error', { code, signal, stderr });
        }
        resolve();
      });
      child.once('error', (error) => {
        this.#log.warn('recorder could not run', { error });
        resolve();
      });
    });
    void this.#consumer.enableTraceEvent(['rtp']).catch(() => undefined);
    this.#consumer.on('trace', (trace) => {
      if (trace.type !== 'rtp' || this.#startedAt) return;
      this.#startedAt = new Date();
      clearInterval(this.#keyFrames);
      void this.#consumer.enableTraceEvent([]).catch(() => undefined);
      this.emit('started', this.#startedAt);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get startedAt(): Date | null {
    return this.#startedAt;
  }

  get kind(): 'audio' | 'video' {
    return this.#consumer.kind;
  }

  async #waitListening(port: number): Promise<void> {
    const deadline = Date.now() + LISTEN_TIMEOUT_MS;
    while (!(await udpPortBound(port))) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) throw new Error('the recorder exited before listening');
      if (Date.now() > deadline) throw new Error('the recorder did not listen in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Resume the consumer; video: ask for key frames until the first packet went out. */
  async #flow(): Promise<void> {
    await this.#consumer.resume();
    if (this.#consumer.kind !== 'video') return;
    const ask = () => {
      if (this.#startedAt || this.#consumer.closed) return clearInterval(this.#keyFrames);
      void this.#consumer.requestKeyFrame().catch(() => undefined);
    };
    clearInterval(this.#keyFrames);
    this.#keyFrames = setInterval(ask, KEYFRAME_INTERVAL_MS);
    this.#keyFrames.unref();
    ask();
  }

  /** ffmpeg dropped a picture: ask for a key frame so that it writes again soon. */
  #pictureLost(): void {
    const now = Date.now();
    if (this.#consumer.closed || this.#consumer.kind !== 'video' || now - this.#lostAskedAt < LOST_PICTURE_KEYFRAME_MS) return;
    this.#lostAskedAt = now;
    this.#picturesLost++;
    void this.#consumer.requestKeyFrame().catch(() => undefined);
  }

  /** Pictures ffmpeg reported dropped, each answered with a key-frame request (tests, logs). */
  get picturesLost(): number {
    return this.#picturesLost;
  }

  /** The recording is paused: nothing is written until resume (which records the gap). */
  async pause(at: Date): Promise<void> {
    if (this.#pausedAt || this.#closing) return;
    this.#pausedAt = at;
    await this.#consumer.pause().catch(() => undefined);
  }

  async resume(at: Date): Promise<void> {
    const from = this.#pausedAt;
    if (!from || this.#closing) return;
    this.#pausedAt = null;
    if (this.#startedAt) this.#gaps.push({ from: from.toISOString(), to: at.toISOString(), reason: 'paused' });
    // Video: mediasoup sends nothing until a key frame; #flow asks for one (again, if started).
    await this.#flow().catch(() => undefined);
    if (this.#consumer.kind === 'video') void this.#consumer.requestKeyFrame().catch(() => undefined);
  }

  /** A gap before this file's first packet (a dead predecessor), kept with this file. */
  addGap(gap: Gap): void {
    this.#gaps.push(gap);
  }

  /**
   * Stops the child (SIGINT finishes the file; SIGKILL after a while), closes the transport,
   * then measures and hashes the file. A file of a child that died is remuxed first so it has
   * its index and duration. Idempotent: every call gets the same result.
   */
  close(): Promise<RecordedFile> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<RecordedFile> {
    clearInterval(this.#keyFrames);
    const endedAt = this.#diedAt ?? new Date();
    if (this.#pausedAt && this.#startedAt) this.#gaps.push({ from: this.#pausedAt.toISOString(), to: endedAt.toISOString(), reason: 'paused' });
    this.#stopping = this.#diedAt === null;
    let unfinished = false;
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      // SIGINT: ffmpeg finishes the file. Waiting for input that does not come (a paused or
      // closed producer), ffmpeg 5 only leaves on a second one, which also skips the trailer.
      this.#child.kill('SIGINT');
      if (!(await this.#exitedWithin(STOP_TIMEOUT_MS / 5))) {
        unfinished = true;
        this.#child.kill('SIGINT');
        if (!(await this.#exitedWithin(STOP_TIMEOUT_MS))) this.#child.kill('SIGKILL');
        await this.#exited;
      }
    }
    this.#transport.close();
    const died = this.#diedAt !== null;
    if (this.#startedAt === null) {
      await rm(this.file, { force: true });
      return { file: this.file, codec: this.codec.mimeType, startedAt: null, endedAt, bytes: 0, sha256: '', gaps: [], died };
    }
    let end = endedAt;
    if (died || unfinished) {
      await this.#repair();
      // What the file holds ends where its media ends (a lost last cluster is part of the gap).
      const seconds = await this.#duration();
      if (seconds !== null) end = new Date(Math.min(endedAt.getTime(), this.#startedAt.getTime() + seconds * 1000));
    }
    const bytes = (await stat(this.file).catch(() => ({ size: 0 }))).size;
    const sha256 = bytes > 0 ? await sha256Of(this.file) : '';
    return { file: this.file, codec: this.codec.mimeType, startedAt: this.#startedAt, endedAt: end, bytes, sha256, gaps: [...this.#gaps], died };
  }

  /** The file's duration in seconds (ffprobe next to the ffmpeg binary), null when unknown. */
  #duration(): Promise<number | null> {
    const dir = path.dirname(this.#ffmpegPath);
    const ffprobe = dir === '.' ? 'ffprobe' : path.join(dir, 'ffprobe');
    return new Promise((resolve) => {
      execFile(ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', this.file], (error, stdout) => {
        const seconds = Number(String(stdout).trim());
        resolve(error || !Number.isFinite(seconds) ? null : seconds);
      });
    });
  }

  #exitedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.#exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** A killed child leaves a file without its index: copy it once more (no re-encoding). */
  async #repair(): Promise<void> {
    const ext = path.extname(this.file);
    const temp = `${this.file}.repair${ext}`;
    const ok = await new Promise<boolean>((resolve) => {
      const child = spawnTied(
        this.#ffmpegPath,
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', this.file, '-map', '0', '-c', 'copy', '-y', temp],
        { stdio: 'ignore' },
        'KILL',
      );
      child.once('exit', (code) => resolve(code === 0));
      child.once('error', () => resolve(false));
    });
    if (ok) await rename(temp, this.file);
    else await rm(temp, { force: true });
  }
}
