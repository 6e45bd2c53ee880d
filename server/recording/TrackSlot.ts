import path from 'node:path';
import type { Router } from 'mediasoup/types';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { TypedEmitter } from '../media/TypedEmitter.ts';
import type { MediaProducer } from '../media/Peer.ts';
import { TrackRecorder, type Gap } from './TrackRecorder.ts';

/** A producer to record, with who it belongs to (for the track's row and the timeline). */
export interface RecordableProducer {
  producer: MediaProducer;
  identity: string;
  displayName: string;
  role: string;
  side: string | null;
}

/** Who and what a track file is of. */
export interface TrackMeta {
  trackId: string;
  recordingId: string;
  identity: string;
  displayName: string;
  role: string;
  side: string | null;
  kind: 'audio' | 'video';
  source: 'mic' | 'webcam' | 'screen';
  producerId: string;
  codec: string;
  /** Relative to the recording's folder. */
  path: string;
}

export interface TrackStarted extends TrackMeta {
  startedAt: Date;
  /** Gaps known at the start (a dead predecessor). */
  gaps: Gap[];
}

export interface TrackClosed extends TrackMeta {
  startedAt: Date;
  endedAt: Date;
  bytes: number;
  sha256: string;
  gaps: Gap[];
}

export interface TrackGap extends TrackMeta {
  gap: Gap;
}

export type TrackSlotEvents = {
  started: [track: TrackStarted];
  closed: [track: TrackClosed];
  gap: [gap: TrackGap];
};

/** Restarts allowed per minute before a slot gives up on a producer (a child that cannot run). */
const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 300;

/**
 * One recorded producer: the current TrackRecorder (one file part) and, when its child dies, the
 * next one, with the gap between them recorded. Owns the current recorder; close() closes it.
 * Never throws: failures are logged and become gaps.
 */
export class TrackSlot extends TypedEmitter<TrackSlotEvents> {
  readonly producerId: string;
  readonly #router: Router;
  readonly #item: RecordableProducer;
  readonly #recordingId: string;
  readonly #dir: string;
  readonly #ffmpegPath: string;
  readonly #log: Logger;
  #paused: boolean;
  #current: { recorder: TrackRecorder; meta: TrackMeta } | null = null;
  #opening: Promise<void> | null = null;
  #closed = false;
  #restarts: number[] = [];
  /** When the last part died: the next part's first packet ends the gap. */
  #gapFrom: Date | null = null;
  #parts = 0;
  /** Parts being finished (a dead child's file): close() waits for them too. */
  readonly #finishing = new Set<Promise<unknown>>();

  constructor(options: { router: Router; item: RecordableProducer; recordingId: string; dir: string; ffmpegPath: string; paused: boolean; log: Logger }) {
    super();
    this.producerId = options.item.producer.id;
    this.#router = options.router;
    this.#item = options.item;
    this.#recordingId = options.recordingId;
    this.#dir = options.dir;
    this.#ffmpegPath = options.ffmpegPath;
    this.#paused = options.paused;
    this.#log = options.log;
  }

  /** The current recorder child's pid (benchmark, tests). */
  get pid(): number | undefined {
    return this.#current?.recorder.pid;
  }

  get parts(): number {
    return this.#parts;
  }

  /** Resolves once the current part is open (or failed to open). */
  get ready(): Promise<void> {
    return this.#opening ?? Promise.resolve();
  }

  open(): void {
    if (this.#closed || this.#opening) return;
    this.#opening = this.#openPart().finally(() => {
      this.#opening = null;
    });
  }

  async #openPart(): Promise<void> {
    const producer = this.#item.producer;
    const trackId = newId();
    const base = path.join(this.#dir, `${producer.appData.source}-${trackId}`);
    let recorder: TrackRecorder;
    try {
      recorder = await TrackRecorder.open({
        router: this.#router,
        producer,
        fileBase: base,
        ffmpegPath: this.#ffmpegPath,
        paused: this.#paused,
        log: this.#log,
      });
    } catch (error) {
      if (!this.#closed && !producer.closed) {
        this.#log.warn('could not start a recorder', { error, producerId: producer.id });
        this.#gapFrom ??= new Date();
        this.#restartLater();
      }
      return;
    }
    if (this.#closed) {
      await recorder.close();
      return;
    }
    this.#parts++;
    const meta: TrackMeta = {
      trackId,
      recordingId: this.#recordingId,
      identity: this.#item.identity,
      displayName: this.#item.displayName,
      role: this.#item.role,
      side: this.#item.side,
      kind: producer.kind,
      source: producer.appData.source,
      producerId: producer.id,
      codec: recorder.codec.mimeType,
      path: path.relative(this.#dir, recorder.file),
    };
    this.#current = { recorder, meta };
    recorder.on('started', (at) => {
      const gaps: Gap[] = [];
      if (this.#gapFrom) {
        const gap: Gap = { from: this.#gapFrom.toISOString(), to: at.toISOString(), reason: 'recorder_restarted' };
        this.#gapFrom = null;
        recorder.addGap(gap);
        gaps.push(gap);
        this.emit('gap', { ...meta, gap });
      }
      this.emit('started', { ...meta, startedAt: at, gaps });
    });
    recorder.once('died', (at) => {
      if (this.#current?.recorder !== recorder) return;
      this.#current = null;
      this.#gapFrom = at;
      const finishing = this.#finish(recorder, meta).then((end) => {
        // The gap starts where the dead part's file ends.
        if (end) this.#gapFrom = end;
        this.#restartLater();
      });
      this.#finishing.add(finishing);
      void finishing.finally(() => this.#finishing.delete(finishing));
    });
  }

  #restartLater(): void {
    if (this.#closed || this.#item.producer.closed) return;
    const now = Date.now();
    this.#restarts = this.#restarts.filter((t) => now - t < 60_000);
    if (this.#restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      this.#log.error('recorder keeps failing; this track is no longer recorded', { producerId: this.producerId });
      return;
    }
    this.#restarts.push(now);
    const timer = setTimeout(() => this.open(), RESTART_DELAY_MS);
    timer.unref();
  }

  /** Closes one part's file and tells whoever records the rows (only a part that wrote something). */
  async #finish(recorder: TrackRecorder, meta: TrackMeta): Promise<Date | null> {
    try {
      const file = await recorder.close();
      if (file.startedAt === null) return null;
      this.emit('closed', { ...meta, startedAt: file.startedAt, endedAt: file.endedAt, bytes: file.bytes, sha256: file.sha256, gaps: file.gaps });
      return file.endedAt;
    } catch (error) {
      this.#log.warn('could not close a recording file', { error, file: recorder.file });
      return null;
    }
  }

  pause(at: Date): void {
    this.#paused = true;
    void this.#current?.recorder.pause(at);
  }

  resume(at: Date): void {
    this.#paused = false;
    void this.#current?.recorder.resume(at);
  }

  /** Closes the current part (its file finished, hashed and reported); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    const current = this.#current;
    this.#current = null;
    if (current) await this.#finish(current.recorder, current.meta);
    await Promise.allSettled([...this.#finishing]);
  }
}
