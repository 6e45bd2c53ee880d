import type { Clock } from '../clock.ts';
import type { Prisma } from '../db/client.ts';

/** Case numbers are per calendar year in China Standard Time (UTC+8, no DST). */
export function caseYear(at: Date): number {
  return new Date(at.getTime() + 8 * 3600_000).getUTCFullYear();
}

export function formatCaseNumber(year: number, n: number): string {
  if (n > 999_999) throw new Error(`case counter for ${year} exhausted`);
  return `DY-${year}-${String(n).padStart(6, '0')}`;
}

export const caseNumberPattern = /^DY-\d{4}-\d{6}$/;

/**
 * The intake lock: the year's counter row, which every case creation locks when it allocates its
 * number. A grid import takes it first, and intake takes it before it resolves a point to a grid,
 * so a new case is placed either against the grids before an import (and the import's scan then
 * sees it) or against the grids after it, never against grids being replaced.
 */
export async function lockCaseIntake(tx: Prisma.TransactionClient, clock: Clock): Promise<void> {
  const year = caseYear(clock.now());
  await tx.caseCounter.upsert({ where: { year }, create: { year, last: 0 }, update: { last: { increment: 0 } } });
}

/** Allocates the next case number. Must run inside the transaction that creates the case. */
export async function allocateCaseNumber(tx: Prisma.TransactionClient, clock: Clock): Promise<string> {
  const year = caseYear(clock.now());
  const counter = await tx.caseCounter.upsert({
    where: { year },
    create: { year, last: 1 },
    update: { last: { increment: 1 } },
  });
  return formatCaseNumber(year, counter.last);
}
