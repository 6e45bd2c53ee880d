import type { StaffPrincipal } from '../auth/principals.ts';
import { zh } from '../caseloop/index.ts';
import type { Prisma } from '../db/client.ts';
import { fail } from '../errors.ts';
import type { CaseAction } from '../protocol/caseLoop.ts';
import type { CaseRow } from './caseActions.ts';

type Tx = Prisma.TransactionClient;

/**
 * Supervisors act on any case. A mediator acts on cases they lead (registering is window intake:
 * any mediator). An official acts on cases they lead or that are routed to their unit.
 */
export async function assertResponsible(
  tx: Tx,
  c: Pick<CaseRow, 'leadMediatorId' | 'createdById' | 'unitId'>,
  action: CaseAction,
  principal: StaffPrincipal,
): Promise<void> {
  if (principal.role === 'supervisor') return;
  if (action === 'register' && principal.role === 'mediator') return;
  if (c.leadMediatorId === principal.userId) return;
  // The grid worker who reported a case goes back for the follow-up visit (回访).
  if (action === 'record_follow_up' && principal.role === 'gridworker' && c.createdById === principal.userId) return;
  if (principal.role === 'official' && c.unitId !== null) {
    const me = await tx.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
    if (me?.unitId === c.unitId) return;
  }
  throw fail(
    'case_not_lead',
    `Only the case's lead mediator, its responsible unit or a supervisor may ${zh.actions[action]} (${zh.actions[action]}须由承办人或督办人员操作)`,
    { action },
  );
}
