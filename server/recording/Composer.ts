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

export interface ComposerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  recordingDir: string;
  /** The slow look for queued work (another node queued it, or a poke was missed). */
  intervalMs?: number;
  /**
   * One process (no cluster): a row still `running` at start-up was this process's own before a
   * crash or restart, and is queued again. Several nodes cannot tell whose it is (not done).
   */
  requeueRunningAtStart?: boolean;
  ffmpegBin?: string;
}

/**
 * The background worker that composes each ended session's one reviewable file. It claims a
 * queued recording atomically (queued → running, one claimant across the cluster), composes it
 * with ffmpeg (composePlan.ts), and records the result; a failure marks the row failed with its
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
  }

  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => this.poke(), this.#intervalMs);
    this.#timer.unref();
    if (!this.#requeueRunning) return this.poke();
    void this.#db.recording
      .updateMany({ where: { composeState: 'running' }, data: { composeState: 'queued', composeProgress: 0 } })
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

  /** Claims the oldest queued recording; false when there is none. */
  async #claimAndCompose(): Promise<boolean> {
    const queued = await this.#db.recording.findMany({
      where: { composeState: 'queued', deletedAt: null },
      orderBy: [{ endedAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
      take: 5,
    });
    if (queued.length === 0) return false;
    for (const { id } of queued) {
      const claim = await this.#db.recording.updateMany({
        where: { id, composeState: 'queued', deletedAt: null },
        data: { composeState: 'running', composeProgress: 0, composeError: null },
      });
      if (claim.count === 1) {
        await this.#compose(id);
        return true;
      }
    }
    return true; // others claimed these first; look again
  }

  async #compose(id: string): Promise<void> {
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
      const output = fileIn(folder, `${COMPOSED_NAME}.part`);
      const metadataFile = fileIn(folder, 'composed.ffmetadata');
      const plan = composePlan({ startedAt: r.startedAt, endedAt, tracks, chapters: await sessionChapters(this.#db, r, endedAt), output, metadataFile });
      await writeFile(metadataFile, plan.ffmetadata);
      let lastWrite = 0;
      let lastValue = 0;
      let writing: Promise<unknown> = Promise.resolve();
      await runFfmpeg(plan.args, {
        expectedSeconds: plan.durationSeconds,
        signal: this.#abort.signal,
        ...(this.#bin ? { bin: this.#bin } : {}),
        onProgress: (fraction) => {
          const now = Date.now();
          if (now - lastWrite < PROGRESS_EVERY_MS || fraction - lastValue < 0.01) return;
          lastWrite = now;
          lastValue = fraction;
          const value = Math.min(0.99, fraction);
          writing = writing
            .then(() => this.#db.recording.updateMany({ where: { id, composeState: 'running' }, data: { composeProgress: value } }))
            .catch(() => undefined);
        },
      });
      await writing;
      const final = fileIn(folder, COMPOSED_NAME);
      await rename(output, final);
      await rm(metadataFile, { force: true });
      const [bytes, sha256] = [(await sizeOf(final)) ?? 0, await sha256File(final)];
      await transaction(this.#db, async (tx) => {
        await tx.recording.update({
          where: { id },
          data: { composeState: 'done', composeProgress: 1, composedPath: COMPOSED_NAME, composedBytes: bytes, composedSha256: sha256, composeError: null },
        });
        await appendTimeline(tx, {
          caseId: r.caseId,
          type: 'recording.composed',
          actor: 'system',
          at: this.#clock.now(),
          data: { recordingId: id, sessionId: r.sessionId, sha256, bytes },
        });
      });
      this.#log.info('recording composed', { recordingId: id, bytes, seconds: plan.durationSeconds, tookMs: Date.now() - started });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#log.warn('composition failed', { recordingId: id, error: message });
      await this.#db.recording
        .updateMany({
          where: { id, composeState: 'running' },
          data: { composeState: this.#closed ? 'queued' : 'failed', composeError: this.#closed ? null : message.slice(0, 1000) },
        })
        .catch((e: unknown) => this.#log.error('could not record a failed composition', { recordingId: id, error: e }));
    }
  }
}
