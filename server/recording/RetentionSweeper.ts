import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import type { Logger } from '../logger.ts';
import { appendTimeline } from '../cases/timeline.ts';
import { recordingFolder, sizeOf } from './files.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Retention (RECORDING_RETENTION_DAYS): the files of a recording whose session ended longer ago
 * are deleted; the row stays with `deletedAt`, and the timeline says `recording.deleted` with the
 * bytes removed. The row is claimed first (deletedAt null → now, one claimant across the
 * cluster) in the same transaction as the timeline entry; the folder is removed after that, and
 * a folder left behind by a crash is removed on the next sweep. Runs at start() and on an interval,
 * with the injected clock.
 */
export class RetentionSweeper {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #dir: string;
  readonly #days: number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | null = null;

  constructor(o: { db: Db; clock: Clock; log: Logger; recordingDir: string; retentionDays: number; intervalMs?: number }) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#dir = o.recordingDir;
    this.#days = o.retentionDays;
    this.#intervalMs = o.intervalMs ?? 3600_000;
  }

  /** When the files of a recording that ended at `endedAt` are deleted. */
  deleteAfter(endedAt: Date): Date {
    return new Date(endedAt.getTime() + this.#days * DAY_MS);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.#intervalMs);
    this.#timer.unref();
    void this.sweep();
  }

  close(): Promise<unknown> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#running ?? Promise.resolve();
  }

  /** One pass; resolves to the number of recordings this process deleted. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep()
      .catch((error: unknown) => {
        this.#log.error('retention sweep failed', { error });
        return 0;
      })
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  async #sweep(): Promise<number> {
    const now = this.#clock.now();
    const cutoff = new Date(now.getTime() - this.#days * DAY_MS);
    const due = await this.#db.recording.findMany({
      where: { deletedAt: null, state: 'stopped', endedAt: { lt: cutoff }, composeState: { not: 'running' } },
      select: { id: true, caseId: true, sessionId: true },
    });
    let deleted = 0;
    for (const r of due) {
      const folder = recordingFolder(this.#dir, r.id);
      const bytes = await folderBytes(folder);
      const claimed = await transaction(this.#db, async (tx) => {
        const claim = await tx.recording.updateMany({ where: { id: r.id, deletedAt: null }, data: { deletedAt: now } });
        if (claim.count !== 1) return false;
        await appendTimeline(tx, {
          caseId: r.caseId,
          type: 'recording.deleted',
          actor: 'system',
          at: now,
          data: { recordingId: r.id, sessionId: r.sessionId, bytes, retentionDays: this.#days },
        });
        return true;
      });
      if (!claimed) continue;
      await rm(folder, { recursive: true, force: true });
      deleted++;
      this.#log.info('recording deleted (retention)', { recordingId: r.id, bytes });
    }
    // Folders of recordings already deleted (a crash between the claim and the removal).
    const leftovers = await this.#db.recording.findMany({ where: { deletedAt: { not: null } }, select: { id: true } });
    for (const { id } of leftovers) {
      const folder = recordingFolder(this.#dir, id);
      if ((await sizeOf(folder)) !== null) await rm(folder, { recursive: true, force: true });
    }
    return deleted;
  }
}

/** Bytes of the files in a recording's folder (0 if it is gone). */
export async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const e of entries) if (e.isFile()) total += (await sizeOf(path.join(e.parentPath, e.name))) ?? 0;
  return total;
}
