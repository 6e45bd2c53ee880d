import type { Db, Prisma } from './client.ts';
import { dbFailureOf } from './failures.ts';

/** Waiting for a connection / the SQLite writer, and the longest a transaction may run. */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/** Attempts of one transaction when it loses a serialisation failure or deadlock. */
export const MAX_TX_ATTEMPTS = 4;

/**
 * Runs `fn` in an interactive transaction (PostgreSQL: READ COMMITTED, the default; SQLite: one
 * writer at a time) and runs it again, a bounded number of times, when the database aborted it as
 * a serialisation failure or deadlock. `fn` must only touch the database: it may run more than once.
 * Whatever it checks must come after the row it depends on is locked (server/cases/caseLock.ts).
 */
export async function transaction<T>(
  db: Db,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  options: { maxWait: number; timeout: number } = TX_OPTIONS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, options);
    } catch (error) {
      if (attempt >= MAX_TX_ATTEMPTS || dbFailureOf(error) !== 'write_conflict') throw error;
      // Jittered, growing pause so the transactions that collided do not collide again.
      await new Promise((resolve) => setTimeout(resolve, (5 + Math.random() * 20) * 2 ** attempt));
    }
  }
}
