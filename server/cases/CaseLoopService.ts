import { closedStates, grade as gradeSchema, level as levelSchema, satisfaction, type ActionPayload, type CaseAction, type CaseState, type Level, type Satisfaction } from '../protocol/caseLoop.ts';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StaffPrincipal } from '../auth/principals.ts';
import { applyTransition, assertEscalation, assertReopenable, canApply, deadlineFor, DAY_MS, isCaseAction, parseActionPayload, resolveRule, roleMayPerform, transitions, zh } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { AppError, badRequest, fail, fieldFail, notFound, unauthenticated, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import {
  routedActions,
  supervisionAnswerRequest,
  supervisionNoteRequest,
  type CaseDetail,
  type FollowUpInfo,
  type FollowUpLinkInfo,
  type PublicFollowUpPreview,
  type RoutedAction,
  type SupervisionNoteInfo,
} from '../protocol/cases.ts';
import type { CaseService } from './CaseService.ts';
import { actorOf } from './CaseService.ts';
import type { SettingsService } from './SettingsService.ts';
import { takeOnChange } from './takeOn.ts';
import { lockCase } from './caseLock.ts';
import { appendTimeline } from './timeline.ts';
import { disputeTypeOf, parseDateInput, startOfCstDay, stateOf } from './views.ts';

export { routedActions, type RoutedAction };

/** close_settled may name the agreement (from the agreement module) it was closed with. */
const agreementIdField = z.object({ agreementId: z.string().trim().min(1).max(64).optional() }).loose();

export const publicFollowUpRequest = z
  .object({
    satisfaction,
    notes: z.string().trim().max(2000).optional(),
  })
  .strict();

type CaseRow = NonNullable<Awaited<ReturnType<Prisma.TransactionClient['case']['findUnique']>>>;
type Tx = Prisma.TransactionClient;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * The case-loop transitions wired to the database. Every transition runs in one transaction:
 * all checks (role, responsibility, state, payload, referenced rows) come before any write, so a
 * refused move changes nothing; the state update is conditional on the state read (a concurrent
 * move makes it a 409), and the timeline entry is appended in the same transaction.
 */
export class CaseLoopService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #settings: SettingsService;
  readonly #cases: CaseService;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; settings: SettingsService; cases: CaseService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#settings = deps.settings;
    this.#cases = deps.cases;
  }

  async act(caseId: string, action: string, input: unknown, principal: StaffPrincipal): Promise<CaseDetail> {
    if (!isCaseAction(action) || !(routedActions as readonly string[]).includes(action)) throw notFound('Action');
    const a = action as RoutedAction;
    // Read before the transaction (may seed version 1 on first use).
    const rules = a === 'grade_and_route' || a === 'reopen' || a === 'take_on' ? await this.#settings.activeRuleSet() : undefined;
    const settings = a === 'close_settled' || a === 'close_unsettled' ? await this.#settings.settings() : undefined;

    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      const from = stateOf(c);
      // Role first (a caller without the right learns nothing about the case), then responsibility, then state.
      if (!roleMayPerform(a, principal.role)) applyTransition(from, a, principal.role);
      await this.#assertResponsible(tx, c, a, principal);
      const to = applyTransition(from, a, principal.role);
      const now = this.#clock.now();
      const base = { from, to };
      let update: Prisma.CaseUncheckedUpdateManyInput = { state: to };
      let data: Record<string, unknown> = base;

      switch (a) {
        case 'register': {
          const p = parseActionPayload('register', input);
          data = { ...base, note: p.note };
          break;
        }
        case 'take_on': {
          const p = parseActionPayload('take_on', input);
          ({ update, data } = await takeOnChange(tx, c, principal, rules!, p, { from, to, now }));
          break;
        }
        case 'grade_and_route': {
          const p = parseActionPayload('grade_and_route', input);
          const unit = await this.#activeUnit(tx, p.unitId, 'unitId');
          if (unit.level !== p.level) {
            throw fieldFail('unitId', 'unit_level_mismatch', `${unit.name} is a ${unit.level}-level unit, not ${p.level} (单位层级不符)`, { unit: unit.name });
          }
          const rule = resolveRule(rules!.ruleSet, disputeTypeOf(c), p.grade);
          const days = p.timeLimitDays ?? rule.timeLimitDays;
          const deadlineAt = deadlineFor(now, days);
          update = { ...update, grade: p.grade, level: p.level, unitId: unit.id, timeLimitDays: days, startedAt: now, deadlineAt };
          data = {
            ...base,
            grade: p.grade,
            level: p.level,
            unitId: unit.id,
            unitName: unit.name,
            timeLimitDays: days,
            timeLimitSource: p.timeLimitDays !== undefined ? 'override' : `rule:${rule.source}`,
            suggested: { level: rule.level, unitKind: rule.unitKind, department: rule.department ?? null, timeLimitDays: rule.timeLimitDays },
            ruleSetVersion: rules!.version,
            startedAt: now.toISOString(),
            deadlineAt: deadlineAt.toISOString(),
            note: p.note,
          };
          break;
        }
        case 'assign':
        case 'reassign': {
          const p = a === 'assign' ? parseActionPayload('assign', input) : parseActionPayload('reassign', input);
          const lead = await this.#assignee(tx, p.mediatorId, c.unitId);
          if (a === 'reassign' && c.leadMediatorId === lead.id) {
            throw fail('already_lead', `${lead.displayName} already leads this case (已是该案调解员)`, { name: lead.displayName });
          }
          const previous = c.leadMediatorId ? await tx.user.findUnique({ where: { id: c.leadMediatorId }, select: { id: true, displayName: true } }) : null;
          update = { ...update, leadMediatorId: lead.id };
          data = {
            ...base,
            mediatorId: lead.id,
            mediatorName: lead.displayName,
            previousMediatorId: previous?.id ?? null,
            previousMediatorName: previous?.displayName ?? null,
            ...('note' in p ? { note: p.note } : {}),
            ...('reason' in p ? { reason: p.reason } : {}),
          };
          break;
        }
        case 'escalate': {
          const p = parseActionPayload('escalate', input);
          const current: Level = levelSchema.safeParse(c.level).data ?? 'community';
          assertEscalation(current, p.toLevel);
          let unit: { id: string; name: string } | null = null;
          if (p.unitId !== undefined) {
            const u = await this.#activeUnit(tx, p.unitId, 'unitId');
            if (u.level !== p.toLevel) {
              throw fieldFail('unitId', 'unit_level_mismatch', `${u.name} is not a ${p.toLevel}-level unit (单位层级不符)`, { unit: u.name });
            }
            unit = u;
          }
          // The deadline keeps running; routing at the new level (grade_and_route) sets a new one.
          update = { ...update, level: p.toLevel, unitId: unit?.id ?? null, leadMediatorId: null };
          data = {
            ...base,
            fromLevel: current,
            toLevel: p.toLevel,
            reason: p.reason,
            previousUnitId: c.unitId,
            unitId: unit?.id ?? null,
            unitName: unit?.name ?? null,
            previousMediatorId: c.leadMediatorId,
          };
          break;
        }
        case 'close_settled': {
          const extra = agreementIdField.safeParse(input ?? {});
          if (!extra.success) throw badRequest('Invalid close_settled request (提交内容有误)', zodDetails(extra.error));
          const { agreementId, ...rest } = extra.data;
          const p = parseActionPayload('close_settled', rest);
          const followUpDueAt = new Date(now.getTime() + settings!.followUpDays * DAY_MS);
          update = { ...update, status: 'closed', closedAt: now, settled: true, agreementId: agreementId ?? null, followUpDueAt };
          data = { ...base, agreementForm: p.agreementForm, summary: p.summary, agreementId: agreementId ?? null, followUpDueAt: followUpDueAt.toISOString() };
          break;
        }
        case 'close_unsettled': {
          const p = parseActionPayload('close_unsettled', input);
          const followUpDueAt = new Date(now.getTime() + settings!.followUpDays * DAY_MS);
          update = { ...update, status: 'closed', closedAt: now, settled: false, agreementId: null, followUpDueAt };
          data = { ...base, reason: p.reason, referredTo: p.referredTo, referralDetail: p.referralDetail, followUpDueAt: followUpDueAt.toISOString() };
          break;
        }
        case 'record_follow_up': {
          const p = parseActionPayload('record_follow_up', input);
          if (p.method === 'party_link') {
            throw fieldFail('method', 'follow_up_by_link_only', "'party_link' is recorded by the party through the follow-up link");
          }
          const date = parseDateInput(p.date);
          if (date.getTime() > now.getTime()) throw fieldFail('date', 'date_in_future', 'The follow-up date is in the future');
          if (c.closedAt && date.getTime() < startOfCstDay(c.closedAt).getTime()) {
            throw fieldFail('date', 'date_before_close', 'The follow-up date is before the case was closed');
          }
          const f = await this.#writeFollowUp(tx, c.id, { date, method: p.method, satisfaction: p.satisfaction, notes: p.notes }, actorOf(principal), now);
          update = { ...update, lastSatisfaction: p.satisfaction };
          data = { ...base, followUpId: f.id, date: date.toISOString(), method: p.method, satisfaction: p.satisfaction, notes: p.notes };
          break;
        }
        case 'reopen': {
          const p = parseActionPayload('reopen', input);
          assertReopenable(satisfaction.safeParse(c.lastSatisfaction).data);
          const g = gradeSchema.safeParse(c.grade).data;
          const days = c.timeLimitDays ?? (g ? resolveRule(rules!.ruleSet, disputeTypeOf(c), g).timeLimitDays : rules!.ruleSet.defaults.medium.timeLimitDays);
          const deadlineAt = deadlineFor(now, days);
          update = { ...update, status: 'pending', closedAt: null, settled: null, followUpDueAt: null, startedAt: now, deadlineAt, timeLimitDays: days };
          data = { ...base, reason: p.reason, timeLimitDays: days, deadlineAt: deadlineAt.toISOString() };
          break;
        }
      }

      const changed = await tx.case.updateMany({ where: { id: c.id, state: from }, data: update });
      if (changed.count !== 1) throw fail('case_changed_meanwhile', 'The case was changed by someone else meanwhile; reload and try again');
      await appendTimeline(tx, { caseId: c.id, type: `case.${a}`, actor: actorOf(principal), at: now, data });
    });

    this.#log.info('case transition', { caseId, action: a, by: principal.userId });
    return this.#cases.get(caseId, principal);
  }

  /**
   * Supervisors act on any case. A mediator acts on cases they lead (registering is window intake:
   * any mediator). An official acts on cases they lead or that are routed to their unit.
   */
  async #assertResponsible(tx: Tx, c: CaseRow, action: CaseAction, principal: StaffPrincipal): Promise<void> {
    if (principal.role === 'supervisor') return;
    if (action === 'register' && principal.role === 'mediator') return;
    if (c.leadMediatorId === principal.userId) return;
    // The grid worker who reported a case goes back for the follow-up visit (回访).
    if (action === 'record_follow_up' && principal.role === 'gridworker' && c.createdById === principal.userId) return;
    if (principal.role === 'official' && c.unitId !== null) {
      const me = await tx.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
      if (me?.unitId === c.unitId) return;
    }
    throw fail('case_not_lead', `Only the case's lead mediator, its responsible unit or a supervisor may ${zh.actions[action]} (${zh.actions[action]}须由承办人或督办人员操作)`, { action });
  }

  async #activeUnit(tx: Tx, unitId: string, field: string): Promise<{ id: string; name: string; level: string; kind: string }> {
    const unit = await tx.unit.findUnique({ where: { id: unitId } });
    if (!unit || !unit.active) throw fieldFail(field, 'unit_inactive', 'No such unit (单位不存在或已停用)');
    return unit;
  }

  /** A lead: an active mediator (any unit), or an official of the case's own unit. */
  async #assignee(tx: Tx, userId: string, caseUnitId: string | null): Promise<{ id: string; displayName: string }> {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, displayName: true, role: true, disabled: true, unitId: true } });
    if (!user || user.disabled) throw fieldFail('mediatorId', 'staff_inactive', 'No such staff member (人员不存在或已停用)');
    if (user.role === 'mediator') return user;
    if (user.role === 'official' && caseUnitId !== null && user.unitId === caseUnitId) return user;
    throw fieldFail('mediatorId', 'lead_not_eligible', "The lead must be a mediator, or an official of the case's responsible unit");
  }

  async #writeFollowUp(
    tx: Tx,
    caseId: string,
    f: { date: Date; method: string; satisfaction: Satisfaction; notes: string },
    recordedBy: string,
    now: Date,
  ): Promise<{ id: string }> {
    return tx.followUp.create({
      data: { id: newId(), caseId, date: f.date, method: f.method, satisfaction: f.satisfaction, notes: f.notes, recordedBy, createdAt: now },
      select: { id: true },
    });
  }

  async followUps(caseId: string): Promise<FollowUpInfo[]> {
    const kase = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!kase) throw notFound('Case');
    const rows = await this.#db.followUp.findMany({ where: { caseId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map((r) => ({
      id: r.id,
      caseId: r.caseId,
      date: r.date.toISOString(),
      method: r.method as FollowUpInfo['method'],
      satisfaction: r.satisfaction as Satisfaction,
      notes: r.notes,
      recordedBy: r.recordedBy,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Follow-up links (no login; token in the URL fragment, only its hash stored; single use)   */
  /* ---------------------------------------------------------------------------------------- */

  async createFollowUpLink(caseId: string, principal: StaffPrincipal): Promise<FollowUpLinkInfo> {
    const settings = await this.#settings.settings();
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + settings.followUpLinkDays * DAY_MS);
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      if (!roleMayPerform('record_follow_up', principal.role)) applyTransition(stateOf(c), 'record_follow_up', principal.role);
      await this.#assertResponsible(tx, c, 'record_follow_up', principal);
      applyTransition(stateOf(c), 'record_follow_up', principal.role);
      const id = newId();
      await tx.followUpLink.create({ data: { id, caseId, tokenHash: sha256(token), createdById: principal.userId, createdAt: now, expiresAt } });
      await appendTimeline(tx, { caseId, type: 'followup.link_created', actor: actorOf(principal), at: now, data: { linkId: id, expiresAt: expiresAt.toISOString() } });
    });
    this.#log.info('follow-up link created', { caseId, by: principal.userId });
    return { url: `${this.#config.publicUrl}/followup#t=${token}`, expiresAt: expiresAt.toISOString() };
  }

  async #link(tx: Tx | Db, token: string | undefined) {
    if (!token || token.length > 200) throw unauthenticated('Follow-up link token required');
    const link = await tx.followUpLink.findUnique({ where: { tokenHash: sha256(token) }, include: { case: true } });
    const invalid = 'This follow-up link is invalid, used or expired (回访链接无效或已过期)';
    if (!link || link.usedAt !== null || link.expiresAt.getTime() <= this.#clock.now().getTime()) throw fail('follow_up_link_invalid', invalid);
    return link;
  }

  async previewFollowUp(token: string | undefined): Promise<PublicFollowUpPreview> {
    const link = await this.#link(this.#db, token);
    const c = link.case;
    const state = stateOf(c);
    return {
      caseNumber: c.caseNumber,
      disputeType: disputeTypeOf(c),
      disputeTypeLabel: zh.disputeTypes[disputeTypeOf(c)],
      closedAs: c.settled ? 'settled' : 'unsettled',
      closedAt: c.closedAt?.toISOString() ?? null,
      canRecord: canApply(state, 'record_follow_up'),
      expiresAt: link.expiresAt.toISOString(),
    };
  }

  /** The party's own follow-up (method party_link). Completes the loop like a staff follow-up. */
  async recordPublicFollowUp(token: string | undefined, input: unknown): Promise<{ recorded: true; satisfaction: Satisfaction; satisfactionLabel: string }> {
    const parsed = publicFollowUpRequest.safeParse(input);
    const result = await transaction(this.#db, async (tx) => {
      await lockCase(tx, (await this.#link(tx, token)).caseId);
      const link = await this.#link(tx, token);
      if (!parsed.success) throw badRequest('Invalid follow-up (提交内容有误)', zodDetails(parsed.error));
      const c = link.case;
      const from = stateOf(c);
      if (!canApply(from, 'record_follow_up')) {
        throw fail('follow_up_not_possible', `A follow-up can no longer be recorded for this case (${zh.states[from]})`, { state: from });
      }
      const to: CaseState = transitions.record_follow_up.to;
      const now = this.#clock.now();
      const notes = parsed.data.notes || '当事人通过回访链接自评';
      const p: ActionPayload<'record_follow_up'> = parseActionPayload('record_follow_up', {
        date: now.toISOString(),
        method: 'party_link',
        satisfaction: parsed.data.satisfaction,
        notes,
      });
      const used = await tx.followUpLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
      if (used.count !== 1) throw fail('follow_up_link_invalid', 'This follow-up link is invalid, used or expired (回访链接无效或已过期)');
      const actor = `followup-link:${link.id}`;
      const f = await this.#writeFollowUp(tx, c.id, { date: now, method: p.method, satisfaction: p.satisfaction, notes: p.notes }, actor, now);
      const changed = await tx.case.updateMany({ where: { id: c.id, state: from }, data: { state: to, lastSatisfaction: p.satisfaction } });
      if (changed.count !== 1) throw fail('case_changed_meanwhile', 'The case was changed meanwhile; try again');
      await appendTimeline(tx, {
        caseId: c.id,
        type: 'case.record_follow_up',
        actor,
        at: now,
        data: { from, to, followUpId: f.id, date: now.toISOString(), method: p.method, satisfaction: p.satisfaction, notes: p.notes },
      });
      return { caseId: c.id, satisfaction: p.satisfaction };
    });
    this.#log.info('follow-up recorded through link', { caseId: result.caseId });
    return { recorded: true, satisfaction: result.satisfaction, satisfactionLabel: zh.satisfaction[result.satisfaction] };
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Supervision notes (督办)                                                                   */
  /* ---------------------------------------------------------------------------------------- */

  async addSupervisionNote(caseId: string, input: unknown, principal: StaffPrincipal): Promise<SupervisionNoteInfo> {
    const parsed = supervisionNoteRequest.safeParse(input);
    const id = newId();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId }, select: { id: true, state: true } });
      const state = stateOf(c);
      if (closedStates.includes(state)) throw fail('case_closed', `Cannot supervise a case that is '${state}' (${zh.states[state]}的案件无需督办)`, { state });
      if (!parsed.success) throw badRequest('Invalid supervision note (提交内容有误)', zodDetails(parsed.error));
      const now = this.#clock.now();
      const dueAt = parseDateInput(parsed.data.dueAt, true);
      if (dueAt.getTime() <= now.getTime()) throw fieldFail('dueAt', 'due_date_past', 'The due date must be in the future');
      await tx.supervisionNote.create({ data: { id, caseId, authorId: principal.userId, text: parsed.data.text, dueAt, createdAt: now } });
      await appendTimeline(tx, {
        caseId,
        type: 'supervision.added',
        actor: actorOf(principal),
        at: now,
        data: { noteId: id, text: parsed.data.text, dueAt: dueAt.toISOString(), by: principal.displayName },
      });
    });
    this.#log.info('supervision note added', { caseId, noteId: id, by: principal.userId });
    return this.#note(id);
  }

  async answerSupervisionNote(noteId: string, input: unknown, principal: StaffPrincipal): Promise<SupervisionNoteInfo> {
    const parsed = supervisionAnswerRequest.safeParse(input);
    await transaction(this.#db, async (tx) => {
      const found = await tx.supervisionNote.findUnique({ where: { id: noteId }, select: { caseId: true } });
      if (!found) throw notFound('Supervision note');
      await lockCase(tx, found.caseId);
      const note = await tx.supervisionNote.findUniqueOrThrow({ where: { id: noteId }, include: { case: true } });
      if (note.case.leadMediatorId !== principal.userId) {
        let ok = false;
        if (principal.role === 'official' && note.case.unitId !== null) {
          const me = await tx.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
          ok = me?.unitId === note.case.unitId;
        }
        if (!ok) throw fail('supervision_not_lead', "Only the case's lead mediator (or its responsible unit) answers a supervision note (督办由承办人答复)");
      }
      if (note.answeredAt !== null) throw fail('supervision_answered', 'This supervision note has already been answered (已答复)');
      if (!parsed.success) throw badRequest('Invalid answer (提交内容有误)', zodDetails(parsed.error));
      const now = this.#clock.now();
      const changed = await tx.supervisionNote.updateMany({
        where: { id: noteId, answeredAt: null },
        data: { answer: parsed.data.answer, answeredAt: now, answeredById: principal.userId },
      });
      if (changed.count !== 1) throw fail('supervision_answered', 'This supervision note has already been answered (已答复)');
      await appendTimeline(tx, {
        caseId: note.caseId,
        type: 'supervision.answered',
        actor: actorOf(principal),
        at: now,
        data: { noteId, answer: parsed.data.answer, late: now.getTime() > note.dueAt.getTime(), by: principal.displayName },
      });
    });
    this.#log.info('supervision note answered', { noteId, by: principal.userId });
    return this.#note(noteId);
  }

  async caseSupervisionNotes(caseId: string): Promise<SupervisionNoteInfo[]> {
    const c = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!c) throw notFound('Case');
    return this.#notes({ caseId });
  }

  /**
   * Notes across cases. Supervisors and admins see all; mediators and officials only notes on
   * cases they lead (or, officials, routed to their unit). status: open | overdue | answered | all.
   */
  async listSupervisionNotes(principal: StaffPrincipal, status = 'open'): Promise<SupervisionNoteInfo[]> {
    const now = this.#clock.now();
    const where: Prisma.SupervisionNoteWhereInput = {};
    if (status === 'open') where.answeredAt = null;
    else if (status === 'overdue') Object.assign(where, { answeredAt: null, dueAt: { lt: now } });
    else if (status === 'answered') where.answeredAt = { not: null };
    else if (status !== 'all') throw badRequest('Invalid filter', { status: 'One of open, overdue, answered, all' });
    if (principal.role === 'mediator' || principal.role === 'official') {
      const me = await this.#db.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
      where.case = { OR: [{ leadMediatorId: principal.userId }, ...(principal.role === 'official' && me?.unitId ? [{ unitId: me.unitId }] : [])] };
    }
    return this.#notes(where);
  }

  async #note(id: string): Promise<SupervisionNoteInfo> {
    const [n] = await this.#notes({ id });
    if (!n) throw notFound('Supervision note');
    return n;
  }

  /** Overdue first (oldest due date first), then open by due date, then answered. */
  async #notes(where: Prisma.SupervisionNoteWhereInput): Promise<SupervisionNoteInfo[]> {
    const now = this.#clock.now().getTime();
    const rows = await this.#db.supervisionNote.findMany({
      where,
      include: { case: { select: { caseNumber: true } }, author: { select: { id: true, displayName: true } }, answeredBy: { select: { id: true, displayName: true } } },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    });
    const out = rows.map((n) => ({
      id: n.id,
      caseId: n.caseId,
      caseNumber: n.case.caseNumber,
      text: n.text,
      dueAt: n.dueAt.toISOString(),
      createdAt: n.createdAt.toISOString(),
      author: n.author,
      answer: n.answer,
      answeredAt: n.answeredAt?.toISOString() ?? null,
      answeredBy: n.answeredBy ?? null,
      overdue: n.answeredAt === null && n.dueAt.getTime() < now,
    }));
    const rank = (n: SupervisionNoteInfo) => (n.overdue ? 0 : n.answeredAt === null ? 1 : 2);
    return out.sort((a, b) => rank(a) - rank(b));
  }
}
