import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import type { StaffSessionEndReason } from './staffSessionEndReasons.ts';
import type { StaffSessionEvents } from './staffSessionEvents.ts';

export interface RevocationDeps {
  db: Db;
  clock: Clock;
  staffSessions: StaffSessionEvents;
}

/** Which of a user's live logins end: one (logout), all but one (the login that changed the password), or all. */
export type LoginsToEnd = { only: string } | { allBut: string } | 'all';

/**
 * Ends live logins of one user, in one transaction with `change` (the user row's new password or
 * disabled flag), and announces exactly those logins once committed, so their sockets drop on
 * every node. Returns how many ended. The change is written before the logins are read: a login
 * created after that read already sees the change (AuthService.login looks again).
 */
export async function revokeLogins(
  deps: RevocationDeps,
  userId: string,
  which: LoginsToEnd,
  reason: StaffSessionEndReason,
  change?: (tx: Prisma.TransactionClient) => Promise<unknown>,
): Promise<number> {
  const now = deps.clock.now();
  const scope = which === 'all' ? {} : 'only' in which ? { id: which.only } : { id: { not: which.allBut } };
  const ids = await transaction(deps.db, async (tx) => {
    await change?.(tx);
    const live = await tx.staffSession.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: now }, ...scope }, select: { id: true } });
    const ended = live.map((s) => s.id);
    if (ended.length > 0) await tx.staffSession.updateMany({ where: { id: { in: ended }, revokedAt: null }, data: { revokedAt: now } });
    return ended;
  });
  if (ids.length > 0) deps.staffSessions.publish({ userId, staffSessionIds: ids, reason });
  return ids.length;
}
