import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import type { Logger } from '../logger.ts';
import { appendTimeline } from '../cases/timeline.ts';
import { sessionChapters } from './chapters.ts';
import { composePlan, type ComposeTrack } from './composePlan.ts';
import { runFfmpeg } from './composeRun.ts';
import { COMPOSED_NAME, fileIn, recordingFolder, sha256File, sizeOf } from './files.ts';

/** How often progress is written to the row at most. */
const PROGRESS_EVERY_MS = 1000;
/** How long a claim holds without renewal; renewed every third of it while ffmpeg runs. */
export const COMPOSE_LEASE_MS = 120_000;

export interface ComposerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  recordingDir: string;
  /** The slow look for queued work (another node queued it, or a poke was missed). */
  intervalMs?: number;
  /**
   * One process (no cluster): a row still `running` at start-up was this process's own before a
   * crash or restart, and is queued again at once. With several nodes a running row may be a live
   * node's; it is taken over only when its lease has run out (COMPOSE_LEASE_MS).
   */
  requeueRunningAtStart?: boolean;
  leaseMs?: number;
  ffmpegBin?: string;
}

/**
 * The background worker that composes each ended session's one reviewable file. It claims a
 * queued recording (or one whose claimant's lease ran out) atomically (→ running under this
 * process's run id and a lease, one claimant across the cluster), renews the lease while it composes
 * with ffmpeg (composePlan.ts), and records the result only while the claim is still its own (a
 * node taken over after a stall writes nothing); a failure marks the row failed with its
 * error and never escapes. Runs at start(), when poked (a session ended here, a re-queue), and
 * on a slow interval. One composition at a time per process.
 */
export class Composer {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #dir: string;
  readonly #intervalMs: number;
  readonly #bin: string | undefined;
  readonly #requeueRunning: boolean;
  readonly #leaseMs: number;
  readonly #run = randomBytes(8).toString('hex');
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;
  readonly #abort = new AbortController();

  constructor(o: ComposerOptions) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#dir = o.recordingDir;
    this.#intervalMs = o.intervalMs ?? 60_000;
    this.#bin = o.ffmpegBin;
    this.#requeueRunning = o.requeueRunningAtStart ?? false;
    this.#leaseMs = o.leaseMs ?? COMPOSE_LEASE_MS;
  }

  #lease(): Date {
    return new Date(this.#clock.now().getTime() + this.#leaseMs);
  }

  /** Rows this process may claim: queued, or running under a lease that has run out. */
  #claimable() {
    return { deletedAt: null, OR: [{ composeState: 'queued' }, { composeState: 'running', composeLeaseUntil: { lt: this.#clock.now() } }] };
  }

  /** This process's claim on the row (every write while composing is conditional on it). */
  #mine(id: string) {
    return { id, composeState: 'running', composeRun: this.#run };
  }

  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => this.poke(), this.#intervalMs);
    this.#timer.unref();
    if (!this.#requeueRunning) return this.poke();
    void this.#db.recording
      .updateMany({ where: { composeState: 'running' }, data: { composeState: 'queued', composeProgress: 0, composeRun: null, composeLeaseUntil: null } })
      .then(
        (r) => r.count > 0 && this.#log.info('compositions interrupted by a restart queued again', { count: r.count }),
        (error: unknown) => this.#log.error('could not queue interrupted compositions again', { error }),
      )
      .finally(() => this.poke());
  }

  /** Look for queued work now (returns at once). */
  poke(): void {
    void this.drain();
  }

  /** Composes every queued recording this process can claim; resolves when none is left. */
  drain(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          while (!this.#closed && (await this.#claimAndCompose()));
        } while (this.#again && !this.#closed);
      } catch (error) {
        this.#log.error('composer pass failed', { error });
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** Claims the oldest claimable recording; false when there is none. */
  async #claimAndCompose(): Promise<boolean> {
    const queued = await this.#db.recording.findMany({
      where: this.#claimable(),
      orderBy: [{ endedAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
      take: 5,
    });
    if (queued.length === 0) return false;
    for (const { id } of queued) {
      const claim = await this.#db.recording.updateMany({
        where: { id, ...this.#claimable() },
        data: { composeState: 'running', composeProgress: 0, composeError: null, composeRun: this.#run, composeLeaseUntil: this.#lease() },
      });
      if (claim.count === 1) {
        await this.#composeHeld(id);
        return true;
      }
    }
    return true; // others claimed these first; look again
  }

  /** Composes while renewing the lease; a lost claim (another node took over) stops ffmpeg. */
  async #composeHeld(id: string): Promise<void> {
    const lost = new AbortController();
    const renew = setInterval(() => {
      this.#db.recording
        .updateMany({ where: this.#mine(id), data: { composeLeaseUntil: this.#lease() } })
        .then((r) => {
          if (r.count === 0) lost.abort();
        })
        .catch((error: unknown) => this.#log.warn('could not renew a composition lease', { recordingId: id, error }));
    }, this.#leaseMs / 3);
    try {
      await this.#compose(id, AbortSignal.any([this.#abort.signal, lost.signal]));
    } finally {
      clearInterval(renew);
    }
  }

  async #compose(id: string, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    try {
      const r = await this.#db.recording.findUniqueOrThrow({ where: { id }, include: { tracks: true } });
      const folder = recordingFolder(this.#dir, r.id);
      const tracks: ComposeTrack[] = [];
      for (const t of r.tracks) {
        if (t.kind !== 'audio' && t.kind !== 'video') continue;
        const file = fileIn(folder, t.path);
        if (!(await sizeOf(file))) {
          this.#log.warn('track file missing or empty; composed without it', { recordingId: r.id, trackId: t.id });
          continue;
        }
        tracks.push({ file, identity: t.identity, kind: t.kind, startedAt: t.startedAt, endedAt: t.endedAt });
      }
      if (tracks.length === 0) throw new Error('no track file to compose');
      const lastTrackEnd = Math.max(...r.tracks.map((t) => (t.endedAt ?? t.startedAt).getTime()));
      const endedAt = r.endedAt ?? new Date(lastTrackEnd);
      // Per run: a stalled node that wakes after a take-over must not write into the new claimant's file.
      const output = fileIn(folder, `${COMPOSED_NAME}.${this.#run}.part`);
      const metadataFile = fileIn(folder, 'composed.ffmetadata');
      const plan = composePlan({ startedAt: r.startedAt, endedAt, tracks, chapters: await sessionChapters(this.#db, r, endedAt), output, metadataFile });
      await writeFile(metadataFile, plan.ffmetadata);
      let lastWrite = 0;
      let lastValue = 0;
      let writing: Promise<unknown> = Promise.resolve();
      await runFfmpeg(plan.args, {
        expectedSeconds: plan.durationSeconds,
        signal,
        ...(this.#bin ? { bin: this.#bin } : {}),
        onProgress: (fraction) => {
          const now = Date.now();
          if (now - lastWrite < PROGRESS_EVERY_MS || fraction - lastValue < 0.01) return;
          lastWrite = now;
          lastValue = fraction;
          const value = Math.min(0.99, fraction);
          writing = writing.then(() => this.#db.recording.updateMany({ where: this.#mine(id), data: { composeProgress: value } })).catch(() => undefined);
        },
      });
      await writing;
      const stillMine = await this.#db.recording.updateMany({ where: this.#mine(id), data: { composeLeaseUntil: this.#lease() } });
      if (stillMine.count === 0) {
        await rm(output, { force: true });
        return this.#log.warn('composition finished after its claim was taken over; its result is not recorded', { recordingId: id });
      }
      const final = fileIn(folder, COMPOSED_NAME);
      await rename(output, final);
      await rm(metadataFile, { force: true });
      const [bytes, sha256] = [(await sizeOf(final)) ?? 0, await sha256File(final)];
      const recorded = await transaction(this.#db, async (tx) => {
        const done = await tx.recording.updateMany({
          where: this.#mine(id),
          data: {
            composeState: 'done',
            composeProgress: 1,
            composedPath: COMPOSED_NAME,
            composedBytes: bytes,
            composedSha256: sha256,
            composeError: null,
            composeRun: null,
            composeLeaseUntil: null,
          },
        });
        if (done.count === 0) return false;
        await appendTimeline(tx, {
          caseId: r.caseId,
          type: 'recording.composed',
          actor: 'system',
          at: this.#clock.now(),
          data: { recordingId: id, sessionId: r.sessionId, sha256, bytes },
        });
        return true;
      });
      if (!recorded) return this.#log.warn('composition finished after its claim was taken over; its result is not recorded', { recordingId: id });
      this.#log.info('recording composed', { recordingId: id, bytes, seconds: plan.durationSeconds, tookMs: Date.now() - started });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#log.warn('composition failed', { recordingId: id, error: message });
      await this.#db.recording
        .updateMany({
          where: this.#mine(id),
          data: {
            composeState: this.#closed ? 'queued' : 'failed',
            composeError: this.#closed ? null : message.slice(0, 1000),
            composeRun: null,
            composeLeaseUntil: null,
          },
        })
        .catch((e: unknown) => this.#log.error('could not record a failed composition', { recordingId: id, error: e }));
    }
  }
}
