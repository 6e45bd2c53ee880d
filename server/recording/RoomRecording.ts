import path from 'node:path';
import type { Router } from 'mediasoup/types';
import type { Logger } from '../logger.ts';
import { TypedEmitter } from '../media/TypedEmitter.ts';
import type { RecordingDeclineInfo, RecordingState, RecordingStateInfo } from '../protocol/recording.ts';
import { isHost, type ParticipantRole } from '../protocol/roles.ts';
import { TrackSlot, type RecordableProducer, type TrackClosed, type TrackGap, type TrackStarted } from './TrackSlot.ts';

/** A producer the room wants recorded, and whose it is. */
export type RoomRecordingEvents = {
  /** state, consents or declines changed: every participant's room state may differ. */
  changed: [];
  /** A track file got its first packet (its row can be written). */
  trackStarted: [track: TrackStarted];
  /** A track file is closed and hashed. */
  trackClosed: [track: TrackClosed];
  /** Nothing was written for a while on a track (a recorder died and was restarted). */
  gap: [gap: TrackGap];
};

export interface RoomRecordingOptions {
  router: Router;
  log: Logger;
  /** The recorder binary (Debian's ffmpeg). */
  ffmpegPath?: string;
}

/**
 * The recording of one room: its state (off, recording, paused), who confirmed or declined the
 * notice, and one TrackSlot per recorded producer. The Room owns it and tells it, on every change,
 * which producers should be recorded (reconcile); it never throws into the Room: a recorder that
 * fails is logged and restarted by its slot.
 */
export class RoomRecording extends TypedEmitter<RoomRecordingEvents> {
  readonly #router: Router;
  readonly #log: Logger;
  readonly #ffmpegPath: string;
  #state: RecordingState = 'off';
  #since: Date | null = null;
  #recordingId: string | null = null;
  #dir: string | null = null;
  readonly #consented = new Set<string>();
  #declined: RecordingDeclineInfo[] = [];
  readonly #slots = new Map<string, TrackSlot>();
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: RoomRecordingOptions) {
    super();
    this.#router = options.router;
    this.#log = options.log.child('recording');
    this.#ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  }

  get state(): RecordingState {
    return this.#state;
  }

  get recordingId(): string | null {
    return this.#recordingId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether this identity's media may be recorded (and its room.join let through while on). */
  isConsented(identity: string): boolean {
    return this.#consented.has(identity);
  }

  /** What `identity` (a participant of `role`) sees of the recording in its room state. */
  stateFor(identity: string, role: ParticipantRole): RecordingStateInfo {
    return {
      state: this.#state,
      since: this.#since?.toISOString() ?? null,
      consented: this.#consented.has(identity),
      declined: isHost(role) ? [...this.#declined] : [],
    };
  }

  /** Confirmations known so far (also loaded from the database when the room is created). */
  consent(identity: string): void {
    if (this.#consented.has(identity)) return;
    this.#consented.add(identity);
    this.emit('changed');
  }

  decline(info: RecordingDeclineInfo): void {
    this.#declined = [info, ...this.#declined].slice(0, 50);
    this.emit('changed');
  }

  /**
   * Turns recording on (or restores it after a restart or failover): files go to
   * `<rootDir>/<recordingId>/`. `paused` restores a paused recording.
   */
  start(options: { recordingId: string; rootDir: string; state: 'recording' | 'paused'; since: Date }): void {
    if (this.#closed) return;
    this.#recordingId = options.recordingId;
    this.#dir = path.join(options.rootDir, options.recordingId);
    this.#state = options.state;
    this.#since = options.since;
    this.emit('changed');
  }

  pause(at: Date): void {
    if (this.#state !== 'recording') return;
    this.#state = 'paused';
    this.#since = at;
    for (const slot of this.#slots.values()) slot.pause(at);
    this.emit('changed');
  }

  resume(at: Date): void {
    if (this.#state !== 'paused') return;
    this.#state = 'recording';
    this.#since = at;
    for (const slot of this.#slots.values()) slot.resume(at);
    this.emit('changed');
  }

  /**
   * The producers that should be recorded now: new ones get a slot (a recorder), producers no
   * longer wanted (closed, owner left) have theirs closed, which closes their file.
   */
  reconcile(wanted: RecordableProducer[]): void {
    if (this.#closed) return;
    const dir = this.#dir;
    const recordingId = this.#recordingId;
    const on = this.#state !== 'off' && dir !== null && recordingId !== null;
    const keep = new Set<string>();
    for (const item of on ? wanted : []) {
      if (item.producer.closed) continue;
      keep.add(item.producer.id);
      if (this.#slots.has(item.producer.id)) continue;
      const slot = new TrackSlot({
        router: this.#router,
        item,
        recordingId: recordingId!,
        dir: dir!,
        ffmpegPath: this.#ffmpegPath,
        paused: this.#state === 'paused',
        log: this.#log,
      });
      slot.on('started', (track) => this.emit('trackStarted', track));
      slot.on('closed', (track) => this.emit('trackClosed', track));
      slot.on('gap', (gap) => this.emit('gap', gap));
      this.#slots.set(item.producer.id, slot);
      slot.open();
    }
    for (const [producerId, slot] of this.#slots) {
      if (keep.has(producerId)) continue;
      this.#slots.delete(producerId);
      void slot.close();
    }
  }

  /** Slots (recorded producers) now: for tests and the benchmark. */
  get slots(): TrackSlot[] {
    return [...this.#slots.values()];
  }

  /** Closes every recorder (files are finalised and hashed); idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      const slots = [...this.#slots.values()];
      this.#slots.clear();
      await Promise.all(slots.map((slot) => slot.close()));
    })();
    return this.#closing;
  }
}
