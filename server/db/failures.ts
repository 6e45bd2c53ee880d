/*
 * The two database failures that concurrency produces, recognised the same on SQLite and
 * PostgreSQL. Prisma reports most as a known request error with a P-code; PostgreSQL errors it has
 * no P-code for (a deadlock, 40P01) arrive as the driver adapter's own error with the SQLSTATE.
 */

export const dbFailures = [
  /** A unique key was taken by a concurrent writer (P2002; PostgreSQL 23505). */
  'unique_violation',
  /** A serialisation failure or deadlock (P2034; PostgreSQL 40001, 40P01): the transaction may simply run again. */
  'write_conflict',
] as const;

export type DbFailure = (typeof dbFailures)[number];

const byPrismaCode: Record<string, DbFailure> = { P2002: 'unique_violation', P2034: 'write_conflict' };
const bySqlState: Record<string, DbFailure> = { '23505': 'unique_violation', '40001': 'write_conflict', '40P01': 'write_conflict' };

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;

export function dbFailureOf(error: unknown): DbFailure | undefined {
  const code = field(error, 'code');
  if (typeof code === 'string' && Object.hasOwn(byPrismaCode, code)) return byPrismaCode[code];
  // DriverAdapterError: { cause: { kind: 'postgres', code: '40P01', … } }
  const cause = field(error, 'cause');
  const state = field(cause, 'kind') === 'postgres' ? field(cause, 'code') : undefined;
  if (typeof state === 'string' && Object.hasOwn(bySqlState, state)) return bySqlState[state];
  return undefined;
}

/** A write whose unique violation means something the caller can say better (`unit_name_taken`). */
export async function uniqueAs<T>(write: PromiseLike<T>, error: () => Error): Promise<T> {
  try {
    return await write;
  } catch (e) {
    throw dbFailureOf(e) === 'unique_violation' ? error() : e;
  }
}

/**
 * The newest row of a versioned table, writing version 1 first when there is none. Two first
 * uses may both try to seed; the loser's unique violation is the winner's row, read back.
 */
export async function latestOrSeed<T>(latest: () => PromiseLike<T | null>, seed: () => PromiseLike<unknown>, what: string): Promise<T> {
  const row = await latest();
  if (row) return row;
  try {
    await seed();
  } catch (error) {
    if (dbFailureOf(error) !== 'unique_violation') throw error;
  }
  const seeded = await latest();
  if (!seeded) throw new Error(`could not seed ${what}`);
  return seeded;
}
