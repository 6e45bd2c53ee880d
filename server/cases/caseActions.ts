import type { StaffPrincipal } from '../auth/principals.ts';
import { assertEscalation, assertReopenable, deadlineFor, DAY_MS, resolveRule } from '../caseloop/index.ts';
import type { Prisma } from '../db/client.ts';
import { fail, fieldFail } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  grade as gradeSchema,
  level as levelSchema,
  satisfaction,
  type ActionPayload,
  type CaseState,
  type CaseTransitionData,
  type Level,
} from '../protocol/caseLoop.ts';
import type { RoutedAction } from '../protocol/cases.ts';
import { actorOf } from './CaseService.ts';
import type { LoopSettings, RuleSetRecord } from './SettingsService.ts';
import { takeOnChange } from './takeOn.ts';
import { disputeTypeOf, parseDateInput, startOfCstDay } from './views.ts';

/*
 * What each case-loop action does to the case, as a map keyed by every routed action: a new action
 * without its handler, or a handler whose timeline data does not match the action's entry in
 * CaseTransitionData (server/protocol/caseLoop.ts), is a compile error. Handlers run inside the
 * transition's transaction, with the case row locked and the transition already checked; they
 * check what is specific to the action, and return the case update and the timeline data.
 */

type Tx = Prisma.TransactionClient;
export type CaseRow = NonNullable<Awaited<ReturnType<Tx['case']['findUnique']>>>;

export interface ActionContext {
  tx: Tx;
  c: CaseRow;
  principal: StaffPrincipal;
  from: CaseState;
  to: CaseState;
  now: Date;
  rules: RuleSetRecord;
  settings: LoopSettings;
}

export interface ActionOutcome<A extends RoutedAction> {
  /** Case columns beside `state` (which the caller sets, conditionally on the state it read). */
  update: Prisma.CaseUncheckedUpdateManyInput;
  data: CaseTransitionData[A];
}

export type ActionHandlers = { [A in RoutedAction]: (ctx: ActionContext, p: ActionPayload<A>) => Promise<ActionOutcome<A>> };

async function activeUnit(tx: Tx, unitId: string, field: string): Promise<{ id: string; name: string; level: string; kind: string }> {
  const unit = await tx.unit.findUnique({ where: { id: unitId } });
  if (!unit || !unit.active) throw fieldFail(field, 'unit_inactive', 'No such unit (单位不存在或已停用)');
  return unit;
}

/** A lead: an active mediator (any unit), or an official of the case's own unit. */
async function assignee(tx: Tx, userId: string, caseUnitId: string | null): Promise<{ id: string; displayName: string }> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, displayName: true, role: true, disabled: true, unitId: true } });
  if (!user || user.disabled) throw fieldFail('mediatorId', 'staff_inactive', 'No such staff member (人员不存在或已停用)');
  if (user.role === 'mediator') return user;
  if (user.role === 'official' && caseUnitId !== null && user.unitId === caseUnitId) return user;
  throw fieldFail('mediatorId', 'lead_not_eligible', "The lead must be a mediator, or an official of the case's responsible unit");
}

async function leadChange({ tx, c }: ActionContext, mediatorId: string) {
  const lead = await assignee(tx, mediatorId, c.unitId);
  const previous = c.leadMediatorId ? await tx.user.findUnique({ where: { id: c.leadMediatorId }, select: { id: true, displayName: true } }) : null;
  return {
    lead,
    data: {
      mediatorId: lead.id,
      mediatorName: lead.displayName,
      previousMediatorId: previous?.id ?? null,
      previousMediatorName: previous?.displayName ?? null,
    },
  };
}

const followUpDue = ({ now, settings }: ActionContext) => new Date(now.getTime() + settings.followUpDays * DAY_MS);

export const actionHandlers: ActionHandlers = {
  register: async (_ctx, p) => ({ update: {}, data: { note: p.note } }),

  take_on: async ({ tx, c, principal, rules, from, to, now }, p) => {
    const { update, data } = await takeOnChange(tx, c, principal, rules, p, { from, to, now });
    return { update, data };
  },

  grade_and_route: async ({ tx, c, rules, now }, p) => {
    const unit = await activeUnit(tx, p.unitId, 'unitId');
    if (unit.level !== p.level) {
      throw fieldFail('unitId', 'unit_level_mismatch', `${unit.name} is a ${unit.level}-level unit, not ${p.level} (单位层级不符)`, { unit: unit.name });
    }
    const rule = resolveRule(rules.ruleSet, disputeTypeOf(c), p.grade);
    const days = p.timeLimitDays ?? rule.timeLimitDays;
    const deadlineAt = deadlineFor(now, days);
    return {
      update: { grade: p.grade, level: p.level, unitId: unit.id, timeLimitDays: days, startedAt: now, deadlineAt },
      data: {
        grade: p.grade,
        level: p.level,
        unitId: unit.id,
        unitName: unit.name,
        timeLimitDays: days,
        timeLimitSource: p.timeLimitDays !== undefined ? 'override' : `rule:${rule.source}`,
        suggested: { level: rule.level, unitKind: rule.unitKind, department: rule.department ?? null, timeLimitDays: rule.timeLimitDays },
        ruleSetVersion: rules.version,
        startedAt: now.toISOString(),
        deadlineAt: deadlineAt.toISOString(),
        note: p.note,
      },
    };
  },

  assign: async (ctx, p) => {
    const { lead, data } = await leadChange(ctx, p.mediatorId);
    return { update: { leadMediatorId: lead.id }, data: { ...data, note: p.note } };
  },

  reassign: async (ctx, p) => {
    const { lead, data } = await leadChange(ctx, p.mediatorId);
    if (ctx.c.leadMediatorId === lead.id) {
      throw fail('already_lead', `${lead.displayName} already leads this case (已是该案调解员)`, { name: lead.displayName });
    }
    return { update: { leadMediatorId: lead.id }, data: { ...data, reason: p.reason } };
  },

  escalate: async ({ tx, c }, p) => {
    const current: Level = levelSchema.safeParse(c.level).data ?? 'community';
    assertEscalation(current, p.toLevel);
    let unit: { id: string; name: string } | null = null;
    if (p.unitId !== undefined) {
      const u = await activeUnit(tx, p.unitId, 'unitId');
      if (u.level !== p.toLevel) {
        throw fieldFail('unitId', 'unit_level_mismatch', `${u.name} is not a ${p.toLevel}-level unit (单位层级不符)`, { unit: u.name });
      }
      unit = u;
    }
    // The deadline keeps running; routing at the new level (grade_and_route) sets a new one.
    return {
      update: { level: p.toLevel, unitId: unit?.id ?? null, leadMediatorId: null },
      data: {
        fromLevel: current,
        toLevel: p.toLevel,
        reason: p.reason,
        previousUnitId: c.unitId,
        unitId: unit?.id ?? null,
        unitName: unit?.name ?? null,
        previousMediatorId: c.leadMediatorId,
      },
    };
  },

  close_settled: async (ctx, p) => {
    const followUpDueAt = followUpDue(ctx);
    const agreementId = p.agreementId ?? null;
    return {
      update: { closedAt: ctx.now, settled: true, agreementId, followUpDueAt },
      data: { agreementForm: p.agreementForm, summary: p.summary, agreementId, followUpDueAt: followUpDueAt.toISOString() },
    };
  },

  close_unsettled: async (ctx, p) => {
    const followUpDueAt = followUpDue(ctx);
    return {
      update: { closedAt: ctx.now, settled: false, agreementId: null, followUpDueAt },
      data: { reason: p.reason, referredTo: p.referredTo, referralDetail: p.referralDetail, followUpDueAt: followUpDueAt.toISOString() },
    };
  },

  record_follow_up: async ({ tx, c, principal, now }, p) => {
    if (p.method === 'party_link') {
      throw fieldFail('method', 'follow_up_by_link_only', "'party_link' is recorded by the party through the follow-up link");
    }
    const date = parseDateInput(p.date);
    if (date.getTime() > now.getTime()) throw fieldFail('date', 'date_in_future', 'The follow-up date is in the future');
    if (c.closedAt && date.getTime() < startOfCstDay(c.closedAt).getTime()) {
      throw fieldFail('date', 'date_before_close', 'The follow-up date is before the case was closed');
    }
    const f = await writeFollowUp(tx, c.id, { date, method: p.method, satisfaction: p.satisfaction, notes: p.notes }, actorOf(principal), now);
    return {
      update: { lastSatisfaction: p.satisfaction },
      data: { followUpId: f.id, date: date.toISOString(), method: p.method, satisfaction: p.satisfaction, notes: p.notes },
    };
  },

  reopen: async ({ c, rules, now }, p) => {
    assertReopenable(satisfaction.safeParse(c.lastSatisfaction).data);
    const g = gradeSchema.safeParse(c.grade).data;
    const days = c.timeLimitDays ?? (g ? resolveRule(rules.ruleSet, disputeTypeOf(c), g).timeLimitDays : rules.ruleSet.defaults.medium.timeLimitDays);
    const deadlineAt = deadlineFor(now, days);
    return {
      update: { closedAt: null, settled: null, followUpDueAt: null, startedAt: now, deadlineAt, timeLimitDays: days },
      data: { reason: p.reason, timeLimitDays: days, deadlineAt: deadlineAt.toISOString() },
    };
  },
};

/** A follow-up visit's record (回访): by staff through the action, or by the party through a link. */
export async function writeFollowUp(
  tx: Tx,
  caseId: string,
  f: { date: Date; method: string; satisfaction: string; notes: string },
  recordedBy: string,
  now: Date,
): Promise<{ id: string }> {
  return tx.followUp.create({
    data: { id: newId(), caseId, date: f.date, method: f.method, satisfaction: f.satisfaction, notes: f.notes, recordedBy, createdAt: now },
    select: { id: true },
  });
}
