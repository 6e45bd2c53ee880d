import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { dbFailureOf } from '../db/failures.ts';
import { transaction } from '../db/transactions.ts';
import { AppError, conflict, fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Room } from '../media/Room.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Participant } from '../signalling/participant.ts';
import type { RecordingControls } from '../signalling/RoomConnection.ts';
import type { TrackClosed, TrackGap, TrackStarted } from './TrackSlot.ts';
import { sha256Of } from './TrackRecorder.ts';

export interface RecordingServiceOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  config: { dir: string; minFreeMb: number };
  /** A recording was queued for composition (the composer is told at once instead of at its next sweep). */
  onQueued?: () => void;
}

/** Free space (MB) on the volume holding `dir` (its nearest existing ancestor). */
export async function freeMegabytes(dir: string): Promise<number> {
  let probe = path.resolve(dir);
  for (;;) {
    try {
      const fs = await statfs(probe);
      return (fs.bavail * fs.bsize) / (1024 * 1024);
    } catch (error) {
      const parent = path.dirname(probe);
      if (parent === probe) throw error;
      probe = parent;
    }
  }
}

/**
 * The database side of recording: the Recording, RecordingTrack and RecordingConsent rows and
 * the case timeline. It attaches to every room this node creates (loads the session's recording
 * and who confirmed; writes what the room's recorders report) and answers the recording requests.
 * Nothing here throws into the room's media: failures to write are logged.
 */
export class RecordingService implements RecordingControls {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #config: { dir: string; minFreeMb: number };
  readonly #onQueued: () => void;
  readonly #loaded = new WeakMap<Room, Promise<void>>();
  /** Per room: row writes in flight (track rows are created before they are updated). */
  readonly #writes = new WeakMap<Room, Set<Promise<unknown>>>();
  /** Rooms closed on this node whose files are still being finished and written down. */
  readonly #finishing = new Set<Promise<unknown>>();

  constructor(options: RecordingServiceOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#config = options.config;
    this.#onQueued = options.onQueued ?? (() => {});
  }

  get dir(): string {
    return this.#config.dir;
  }

  /** A room was created on this node: load its recording, and write what its recorders report. */
  attach(room: Room): void {
    if (this.#loaded.has(room)) return;
    const writes = new Set<Promise<unknown>>();
    this.#writes.set(room, writes);
    const track = (write: () => Promise<unknown>, what: string) => {
      const p = write().catch((error: unknown) => this.#log.warn(`could not record ${what}`, { error, sessionId: room.sessionId }));
      writes.add(p);
      void p.finally(() => writes.delete(p));
      return p;
    };
    const created = new Map<string, Promise<unknown>>();
    room.recording.on('trackStarted', (t) => {
      created.set(
        t.trackId,
        track(() => this.#trackStarted(t), 'a track'),
      );
    });
    room.recording.on('trackClosed', (t) => {
      const before = created.get(t.trackId) ?? Promise.resolve();
      created.delete(t.trackId);
      track(() => before.then(() => this.#trackClosed(room.sessionId, t)), 'a closed track');
    });
    room.recording.on('gap', (g) => {
      track(() => this.#gap(room.sessionId, g), 'a gap');
    });
    room.once('closed', () => {
      const finishing = room.recording
        .close()
        .then(() => Promise.allSettled([...writes]))
        .then(() => this.#queueIfStopped(room.sessionId))
        .catch((error: unknown) => this.#log.warn('could not finish the recording', { error, sessionId: room.sessionId }));
      this.#finishing.add(finishing);
      void finishing.finally(() => this.#finishing.delete(finishing));
    });
    this.#loaded.set(room, this.#load(room));
  }

  /** Waits until the files of every closed room are finished and on the record (server shutdown). */
  async drain(): Promise<void> {
    while (this.#finishing.size > 0) await Promise.allSettled([...this.#finishing]);
  }

  ready(room: Room): Promise<void> {
    if (!this.#loaded.has(room)) this.attach(room);
    return this.#loaded.get(room)!;
  }

  async #load(room: Room): Promise<void> {
    try {
      const [recording, consents] = await Promise.all([
        this.#db.recording.findUnique({ where: { sessionId: room.sessionId } }),
        this.#db.recordingConsent.findMany({ where: { sessionId: room.sessionId }, select: { identity: true } }),
      ]);
      for (const c of consents) room.recording.consent(c.identity);
      if (!recording || (recording.state !== 'recording' && recording.state !== 'paused')) return;
      await this.#closeOrphans(recording.id, recording.caseId, room.sessionId);
      room.recording.start({ recordingId: recording.id, rootDir: this.#config.dir, state: recording.state, since: recording.stateAt });
    } catch (error) {
      this.#log.error('could not load the recording state', { error, sessionId: room.sessionId });
    }
  }

  /**
   * Tracks still open when this node creates the room were written by a room that is gone (a
   * restart, a node that died): their end is not known. They keep endedAt null; bytes and hash
   * are taken from the file when it is here, and the timeline says so.
   */
  async #closeOrphans(recordingId: string, caseId: string, sessionId: string): Promise<void> {
    const open = await this.#db.recordingTrack.findMany({ where: { recordingId, endedAt: null } });
    for (const t of open) {
      const file = path.join(this.#config.dir, recordingId, t.path);
      const found = await stat(file).catch(() => null);
      // The file's last write is the best guess of its end; without the file, nothing is known.
      const endedAt = found?.mtime ?? t.startedAt;
      const now = this.#clock.now();
      const gaps = [
        ...(JSON.parse(t.gaps) as unknown[]),
        { from: endedAt.toISOString(), to: now.toISOString(), reason: 'recorder_restarted', endUnknown: true },
      ];
      await transaction(this.#db, async (tx) => {
        await tx.recordingTrack.update({
          where: { id: t.id },
          data: { endedAt, bytes: found?.size ?? null, sha256: found ? await sha256Of(file) : null, gaps: JSON.stringify(gaps) },
        });
        await appendTimeline(tx, {
          caseId,
          type: 'recording.gap',
          actor: 'system',
          at: now,
          data: {
            sessionId,
            recordingId,
            trackId: t.id,
            displayName: t.displayName,
            role: t.role,
            kind: t.kind,
            reason: 'node_failed',
            endUnknown: true,
            fileFound: found !== null,
          },
        });
      });
      this.#log.warn('recording track of a room that is gone: its end is unknown', { trackId: t.id, recordingId });
    }
  }

  async #caseOf(sessionId: string): Promise<string> {
    const s = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { caseId: true, status: true } });
    if (!s) throw notFound('Session');
    if (s.status !== 'open') throw fail('session_ended', 'This mediation session has ended');
    return s.caseId;
  }

  async #assertDiskSpace(): Promise<void> {
    const free = await freeMegabytes(this.#config.dir);
    if (free < this.#config.minFreeMb) {
      this.#log.warn('recording refused: not enough free space', { freeMb: Math.round(free), floorMb: this.#config.minFreeMb });
      throw new AppError('recording_disk_low', `Only ${Math.round(free)} MB free for recordings; at least ${this.#config.minFreeMb} MB are required`);
    }
  }

  async start(room: Room, by: Participant): Promise<void> {
    await this.ready(room);
    if (room.recording.state !== 'off') throw conflict('This session is already being recorded');
    const caseId = await this.#caseOf(room.sessionId);
    await this.#assertDiskSpace();
    const now = this.#clock.now();
    const recordingId = newId();
    await transaction(this.#db, async (tx) => {
      const existing = await tx.recording.findUnique({ where: { sessionId: room.sessionId } });
      if (existing) throw conflict('This session has been recorded already');
      await tx.recording.create({
        data: { id: recordingId, sessionId: room.sessionId, caseId, state: 'recording', startedById: by.userId ?? by.identity, startedAt: now, stateAt: now },
      });
      await appendTimeline(tx, {
        caseId,
        type: 'recording.started',
        actor: by.identity,
        at: now,
        data: { sessionId: room.sessionId, recordingId, by: by.displayName },
      });
      // Whoever turns it on has confirmed the notice.
      const consented = await tx.recordingConsent.findUnique({ where: { sessionId_identity: { sessionId: room.sessionId, identity: by.identity } } });
      if (!consented) {
        await tx.recordingConsent.create({
          data: { id: newId(), sessionId: room.sessionId, identity: by.identity, invitationId: by.invitationId, consentedAt: now },
        });
      }
    });
    this.#log.info('recording started', { sessionId: room.sessionId, recordingId });
    room.recording.consent(by.identity);
    room.recording.start({ recordingId, rootDir: this.#config.dir, state: 'recording', since: now });
  }

  async pause(room: Room, by: Participant): Promise<void> {
    await this.#switch(room, by, 'recording', 'paused');
  }

  async resume(room: Room, by: Participant): Promise<void> {
    await this.#switch(room, by, 'paused', 'recording');
  }

  async #switch(room: Room, by: Participant, from: 'recording' | 'paused', to: 'recording' | 'paused'): Promise<void> {
    await this.ready(room);
    const recordingId = room.recording.recordingId;
    if (room.recording.state !== from || !recordingId) throw conflict(`The recording is ${room.recording.state}, not ${from}`);
    const caseId = await this.#caseOf(room.sessionId);
    if (to === 'recording') await this.#assertDiskSpace();
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      const changed = await tx.recording.updateMany({ where: { id: recordingId, state: from }, data: { state: to, stateAt: now } });
      if (changed.count !== 1) throw conflict('The recording was changed meanwhile');
      await appendTimeline(tx, {
        caseId,
        type: to === 'paused' ? 'recording.paused' : 'recording.resumed',
        actor: by.identity,
        at: now,
        data: { sessionId: room.sessionId, recordingId, by: by.displayName },
      });
    });
    if (to === 'paused') room.recording.pause(now);
    else room.recording.resume(now);
  }

  async consent(room: Room, participant: Participant, accepted: boolean): Promise<void> {
    await this.ready(room);
    const caseId = await this.#caseOf(room.sessionId);
    const now = this.#clock.now();
    const who = {
      identity: participant.identity,
      invitationId: participant.invitationId,
      displayName: participant.displayName,
      role: participant.role,
      side: participant.side,
    };
    if (!accepted) {
      await transaction(this.#db, (tx) =>
        appendTimeline(tx, { caseId, type: 'recording.declined', actor: participant.identity, at: now, data: { sessionId: room.sessionId, ...who } }),
      );
      room.recording.decline({ displayName: participant.displayName, role: participant.role, side: participant.side, at: now.toISOString() });
      return;
    }
    try {
      await transaction(this.#db, async (tx) => {
        const existing = await tx.recordingConsent.findUnique({ where: { sessionId_identity: { sessionId: room.sessionId, identity: participant.identity } } });
        if (existing) return;
        await tx.recordingConsent.create({
          data: { id: newId(), sessionId: room.sessionId, identity: participant.identity, invitationId: participant.invitationId, consentedAt: now },
        });
        await appendTimeline(tx, { caseId, type: 'recording.consented', actor: participant.identity, at: now, data: { sessionId: room.sessionId, ...who } });
      });
    } catch (error) {
      // Another node (or tab) recorded the same confirmation at the same moment: it is recorded.
      if (dbFailureOf(error) !== 'unique_violation') throw error;
    }
    room.recording.consent(participant.identity);
  }

  async #trackStarted(t: TrackStarted): Promise<void> {
    await this.#db.recordingTrack.create({
      data: {
        id: t.trackId,
        recordingId: t.recordingId,
        identity: t.identity,
        displayName: t.displayName,
        role: t.role,
        side: t.side,
        kind: t.kind,
        source: t.source,
        producerId: t.producerId,
        codec: t.codec,
        path: t.path,
        startedAt: t.startedAt,
        gaps: JSON.stringify(t.gaps),
      },
    });
  }

  async #trackClosed(sessionId: string, t: TrackClosed): Promise<void> {
    const s = await this.#db.mediationSession.findUniqueOrThrow({ where: { id: sessionId }, select: { caseId: true } });
    await transaction(this.#db, async (tx) => {
      await tx.recordingTrack.update({
        where: { id: t.trackId },
        data: { endedAt: t.endedAt, bytes: t.bytes, sha256: t.sha256, gaps: JSON.stringify(t.gaps) },
      });
      await appendTimeline(tx, {
        caseId: s.caseId,
        type: 'recording.file_closed',
        actor: 'system',
        at: t.endedAt,
        data: {
          sessionId,
          recordingId: t.recordingId,
          trackId: t.trackId,
          sha256: t.sha256,
          bytes: t.bytes,
          kind: t.kind,
          displayName: t.displayName,
          role: t.role,
        },
      });
    });
    this.#log.info('recording file closed', { trackId: t.trackId, bytes: t.bytes });
  }

  async #gap(sessionId: string, g: TrackGap): Promise<void> {
    const s = await this.#db.mediationSession.findUniqueOrThrow({ where: { id: sessionId }, select: { caseId: true } });
    await transaction(this.#db, (tx) =>
      appendTimeline(tx, {
        caseId: s.caseId,
        type: 'recording.gap',
        actor: 'system',
        at: this.#clock.now(),
        data: {
          sessionId,
          recordingId: g.recordingId,
          trackId: g.trackId,
          displayName: g.displayName,
          role: g.role,
          kind: g.kind,
          from: g.gap.from,
          to: g.gap.to,
          reason: g.gap.reason,
        },
      }),
    );
  }

  /** After the room's files are closed: a stopped recording (the session ended) is queued for composition. */
  async #queueIfStopped(sessionId: string): Promise<void> {
    const queued = await this.#db.recording.updateMany({ where: { sessionId, state: 'stopped', composeState: 'none' }, data: { composeState: 'queued' } });
    if (queued.count > 0) this.#onQueued();
  }
}
