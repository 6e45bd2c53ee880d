import type { Prisma } from '../db/client.ts';
import { notFound } from '../errors.ts';

/**
 * Takes the case row's write lock until the transaction ends. Every transaction that changes a
 * case or anything belonging to it (timeline, sessions, participations, invitations, whistles,
 * follow-up links, supervision notes, the agreement, its signatures and codes) calls this before
 * it reads what it is going to check, so such transactions run one at a time per case: on
 * PostgreSQL (READ COMMITTED) the second waits here and its next reads see what the first
 * committed; on SQLite the writer lock does the same. Taking the case first everywhere is also
 * the one lock order, so two of them cannot deadlock.
 *
 * It is a no-op update (through Prisma, so one code path for both databases): a row lock is what
 * an UPDATE takes, and SQLite has no SELECT … FOR UPDATE.
 */
export async function lockCase(tx: Prisma.TransactionClient, caseId: string): Promise<void> {
  const { count } = await tx.case.updateMany({ where: { id: caseId }, data: { chainSeq: { increment: 0 } } });
  if (count === 0) throw notFound('Case');
}

/** lockCase for the case of a mediation session (whose case never changes); returns the case id. */
export async function lockCaseOfSession(tx: Prisma.TransactionClient, sessionId: string): Promise<string> {
  const s = await tx.mediationSession.findUnique({ where: { id: sessionId }, select: { caseId: true } });
  if (!s) throw notFound('Session');
  await lockCase(tx, s.caseId);
  return s.caseId;
}
