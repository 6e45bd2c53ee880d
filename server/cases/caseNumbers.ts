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
