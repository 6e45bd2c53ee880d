import { satisfaction, type ActionPayload, type CaseState, type Satisfaction } from '../protocol/caseLoop.ts';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StaffPrincipal } from '../auth/principals.ts';
import { applyTransition, canApply, DAY_MS, parseActionPayload, roleMayPerform, transitions, zh } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, fail, notFound, unauthenticated, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { type FollowUpInfo, type FollowUpLinkInfo, type PublicFollowUpPreview } from '../protocol/cases.ts';
import { actorOf } from './CaseService.ts';
import type { SettingsService } from './SettingsService.ts';
import { writeFollowUp } from './caseActions.ts';
import { lockCase } from './caseLock.ts';
import { assertResponsible } from './responsibility.ts';
import { appendTimeline } from './timeline.ts';
import { disputeTypeOf, stateOf } from './views.ts';

/** POST /api/public/followup: the party's own answer. */
export const publicFollowUpRequest = z
  .object({
    satisfaction,
    notes: z.string().trim().max(2000).optional(),
  })
  .strict();

type Tx = Prisma.TransactionClient;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Follow-up visits (回访) beyond the case-loop action: the case's list, and single-use links that let
 * a party record their own satisfaction without a login (token in the URL fragment, only its hash stored).
 */
export class FollowUpService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #settings: SettingsService;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; settings: SettingsService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#settings = deps.settings;
  }

  async list(caseId: string): Promise<FollowUpInfo[]> {
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

  async createLink(caseId: string, principal: StaffPrincipal): Promise<FollowUpLinkInfo> {
    const settings = await this.#settings.settings();
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + settings.followUpLinkDays * DAY_MS);
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      if (!roleMayPerform('record_follow_up', principal.role)) applyTransition(stateOf(c), 'record_follow_up', principal.role);
      await assertResponsible(tx, c, 'record_follow_up', principal);
      applyTransition(stateOf(c), 'record_follow_up', principal.role);
      const id = newId();
      await tx.followUpLink.create({ data: { id, caseId, tokenHash: sha256(token), createdById: principal.userId, createdAt: now, expiresAt } });
      await appendTimeline(tx, {
        caseId,
        type: 'followup.link_created',
        actor: actorOf(principal),
        at: now,
        data: { linkId: id, expiresAt: expiresAt.toISOString() },
      });
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

  async previewLink(token: string | undefined): Promise<PublicFollowUpPreview> {
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
  async recordByLink(token: string | undefined, input: unknown): Promise<{ recorded: true; satisfaction: Satisfaction; satisfactionLabel: string }> {
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
      const f = await writeFollowUp(tx, c.id, { date: now, method: p.method, satisfaction: p.satisfaction, notes: p.notes }, actor, now);
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
}
