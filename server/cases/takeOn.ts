import { level as levelSchema, type ActionPayload, type CaseState, type CaseTimelineData } from '../protocol/caseLoop.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { deadlineFor, resolveRule } from '../caseloop/index.ts';
import type { Prisma } from '../db/client.ts';
import type { RuleSetRecord } from './SettingsService.ts';
import { disputeTypeOf } from './views.ts';

/*
 * Window intake (窗口受理, the `take_on` transition): the mediator who registered a case at the
 * window works it in their own unit, at the rule's time limit for the grade (一般 unless said), so
 * the case is assigned, timed and closable by them at once. Used by the actions endpoint and by
 * registration itself (same transaction as the insert).
 */

export interface TakeOnChange {
  update: Prisma.CaseUncheckedUpdateManyInput;
  data: CaseTimelineData<'take_on'>;
}

export async function takeOnChange(
  tx: Prisma.TransactionClient,
  c: { disputeType: string },
  principal: StaffPrincipal,
  rules: RuleSetRecord,
  p: ActionPayload<'take_on'>,
  move: { from: CaseState; to: CaseState; now: Date },
): Promise<TakeOnChange> {
  const me = await tx.user.findUnique({ where: { id: principal.userId }, select: { unit: true } });
  const unit = me?.unit && me.unit.active ? me.unit : null;
  const grade = p.grade ?? 'low';
  const rule = resolveRule(rules.ruleSet, disputeTypeOf(c), grade);
  const level = levelSchema.safeParse(unit?.level).data ?? rule.level;
  const deadlineAt = deadlineFor(move.now, rule.timeLimitDays);
  return {
    update: {
      state: move.to,
      leadMediatorId: principal.userId,
      grade,
      level,
      unitId: unit?.id ?? null,
      timeLimitDays: rule.timeLimitDays,
      startedAt: move.now,
      deadlineAt,
    },
    data: {
      from: move.from,
      to: move.to,
      mediatorId: principal.userId,
      mediatorName: principal.displayName,
      grade,
      level,
      unitId: unit?.id ?? null,
      unitName: unit?.name ?? null,
      timeLimitDays: rule.timeLimitDays,
      timeLimitSource: `rule:${rule.source}`,
      ruleSetVersion: rules.version,
      startedAt: move.now.toISOString(),
      deadlineAt: deadlineAt.toISOString(),
      note: p.note,
    },
  };
}
