import { closedStates } from '../protocol/caseLoop.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { zh } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, fail, fieldFail, notFound, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { whistleCloseRequest, whistleRequest, whistleStatuses, type PendingWhistles, type WhistleAcceptance, type WhistleInfo } from '../protocol/cases.ts';
import { actorOf } from './CaseService.ts';
import type { InvitationService } from './InvitationService.ts';
import type { SessionService } from './SessionService.ts';
import { lockCase } from './caseLock.ts';
import { appendTimeline } from './timeline.ts';
import { disputeTypeOf, stateOf, toUnitRef } from './views.ts';

/*
 * 吹哨报到: a mediator calls a department into a case. The department's officials (users whose
 * unitId is that department unit) see the request in their queue and accept it. Accepting gives
 * the official an invitation (role `official`) into the case's open cloud-mediation session; if no
 * session is open, accepting opens one (started by the official, so they can join at once and the
 * mediator finds it as the case's active session). Request, acceptance and the time taken are on
 * the case timeline.
 */

const statusZh: Record<string, string> = { accepted: '报到', cancelled: '取消', declined: '拒绝' };

const include = {
  case: { select: { caseNumber: true, title: true, disputeType: true } },
  unit: true,
  requestedBy: { select: { id: true, displayName: true } },
  acceptedBy: { select: { id: true, displayName: true } },
  closedBy: { select: { id: true, displayName: true } },
} as const satisfies Prisma.WhistleRequestInclude;

type WhistleRow = Prisma.WhistleRequestGetPayload<{ include: typeof include }>;

function toInfo(w: WhistleRow): WhistleInfo {
  return {
    id: w.id,
    caseId: w.caseId,
    caseNumber: w.case.caseNumber,
    caseTitle: w.case.title,
    disputeType: disputeTypeOf(w.case),
    unit: toUnitRef(w.unit),
    need: w.need,
    status: w.status as WhistleInfo['status'],
    requestedBy: w.requestedBy,
    requestedAt: w.requestedAt.toISOString(),
    acceptedBy: w.acceptedBy ?? null,
    acceptedAt: w.acceptedAt?.toISOString() ?? null,
    responseSeconds: w.acceptedAt ? Math.round((w.acceptedAt.getTime() - w.requestedAt.getTime()) / 1000) : null,
    sessionId: w.sessionId,
    invitationId: w.invitationId,
    closedBy: w.closedBy ?? null,
    closedAt: w.closedAt?.toISOString() ?? null,
    closeReason: w.closeReason,
  };
}

export class WhistleService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #sessions: SessionService;
  readonly #invitations: InvitationService;

  constructor(deps: { db: Db; clock: Clock; log: Logger; sessions: SessionService; invitations: InvitationService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#sessions = deps.sessions;
    this.#invitations = deps.invitations;
  }

  async create(caseId: string, input: unknown, principal: StaffPrincipal): Promise<WhistleInfo> {
    const parsed = whistleRequest.safeParse(input);
    const id = newId();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId }, select: { id: true, state: true } });
      const state = stateOf(c);
      if (closedStates.includes(state)) throw fail('case_closed', `Cannot call a department into a case that is '${state}' (${zh.states[state]})`, { state });
      if (!parsed.success) throw badRequest('Invalid request (提交内容有误)', zodDetails(parsed.error));
      const unit = await tx.unit.findUnique({ where: { id: parsed.data.unitId } });
      if (!unit || !unit.active || unit.kind !== 'department') {
        throw fieldFail('unitId', 'unit_inactive', 'Choose an active department (须选择职能部门)');
      }
      const now = this.#clock.now();
      await tx.whistleRequest.create({
        data: { id, caseId, unitId: unit.id, need: parsed.data.need, status: 'open', requestedById: principal.userId, requestedAt: now },
      });
      await appendTimeline(tx, {
        caseId,
        type: 'whistle.requested',
        actor: actorOf(principal),
        at: now,
        data: { whistleId: id, unitId: unit.id, unitName: unit.name, need: parsed.data.need, by: principal.displayName },
      });
    });
    this.#log.info('whistle requested', { caseId, whistleId: id, by: principal.userId });
    return this.#one(id);
  }

  /**
   * The queue. Officials see requests addressed to their unit; with `mine`, mediators see the ones
   * they made; supervisors and admins see all. status: open (default) | accepted | all.
   */
  async list(principal: StaffPrincipal, options: { mine?: boolean; status?: string | undefined } = {}): Promise<WhistleInfo[]> {
    const status = options.status ?? 'open';
    if (status !== 'all' && !(whistleStatuses as readonly string[]).includes(status)) {
      throw badRequest('Invalid filter', { status: `One of ${whistleStatuses.join(', ')}, all` });
    }
    const where: Prisma.WhistleRequestWhereInput = status === 'all' ? {} : { status };
    if (principal.role === 'official') {
      const me = await this.#db.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
      if (!me?.unitId) return [];
      where.unitId = me.unitId;
    } else if (principal.role === 'mediator' && options.mine) {
      where.requestedById = principal.userId;
    }
    const rows = await this.#db.whistleRequest.findMany({ where, include, orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toInfo);
  }

  /**
   * The header badge of an official: open requests to their department, and the newest one (the
   * console announces a request newer than the last it saw). An official without a unit has none.
   */
  async pendingForOfficial(principal: StaffPrincipal): Promise<PendingWhistles> {
    const me = await this.#db.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
    if (principal.role !== 'official' || !me?.unitId) return { count: 0, newest: null };
    const where = { status: 'open', unitId: me.unitId };
    const [count, newest] = await Promise.all([
      this.#db.whistleRequest.count({ where }),
      this.#db.whistleRequest.findFirst({ where, include, orderBy: [{ requestedAt: 'desc' }, { id: 'desc' }] }),
    ]);
    return { count, newest: newest ? toInfo(newest) : null };
  }

  async forCase(caseId: string): Promise<WhistleInfo[]> {
    const c = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!c) throw notFound('Case');
    const rows = await this.#db.whistleRequest.findMany({ where: { caseId }, include, orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toInfo);
  }

  async accept(whistleId: string, principal: StaffPrincipal): Promise<WhistleAcceptance> {
    const { invitation } = await transaction(this.#db, async (tx) => {
      await this.#lockCaseOf(tx, whistleId);
      const w = await tx.whistleRequest.findUniqueOrThrow({ where: { id: whistleId }, include: { unit: true, case: { select: { id: true, state: true } } } });
      const me = await tx.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
      if (principal.role !== 'official' || me?.unitId !== w.unitId) {
        throw fail('whistle_not_unit', `Only officials of ${w.unit.name} may accept this request (仅被呼叫部门人员可响应)`, { unit: w.unit.name });
      }
      if (w.status !== 'open') throw fail('whistle_answered', `This request is already ${w.status} (该请求已${statusZh[w.status] ?? '处理'})`);
      const state = stateOf(w.case);
      if (closedStates.includes(state)) throw fail('case_closed', `The case is already closed (${zh.states[state]})`, { state });
      const now = this.#clock.now();
      const changed = await tx.whistleRequest.updateMany({
        where: { id: whistleId, status: 'open' },
        data: { status: 'accepted', acceptedById: principal.userId, acceptedAt: now },
      });
      if (changed.count !== 1) throw fail('whistle_answered', 'This request was accepted meanwhile (该请求已被响应)');
      const { session } = await this.#sessions.startInTx(tx, w.caseId, principal);
      const invitation = await this.#invitations.createInTx(
        tx,
        session.id,
        { role: 'official', displayName: principal.displayName.slice(0, 50), department: w.unit.name.slice(0, 50) },
        principal,
      );
      await tx.whistleRequest.update({ where: { id: whistleId }, data: { sessionId: session.id, invitationId: invitation.id } });
      await appendTimeline(tx, {
        caseId: w.caseId,
        type: 'whistle.accepted',
        actor: actorOf(principal),
        at: now,
        data: {
          whistleId,
          unitId: w.unitId,
          unitName: w.unit.name,
          by: principal.displayName,
          responseSeconds: Math.round((now.getTime() - w.requestedAt.getTime()) / 1000),
          sessionId: session.id,
          invitationId: invitation.id,
        },
      });
      return { invitation };
    });
    const linked = await this.#invitations.withLink(invitation);
    this.#log.info('whistle accepted', { whistleId, invitationId: invitation.id, by: principal.userId });
    return { whistle: await this.#one(whistleId), sessionId: invitation.sessionId, invitationId: invitation.id, url: linked.url!, expiresAt: linked.expiresAt };
  }

  /** The mediator withdraws an open request (the one who made it, or the case's lead mediator). */
  async cancel(whistleId: string, input: unknown, principal: StaffPrincipal): Promise<WhistleInfo> {
    return this.#close(whistleId, input, principal, 'cancelled');
  }

  /** An official of the called department turns an open request down. */
  async decline(whistleId: string, input: unknown, principal: StaffPrincipal): Promise<WhistleInfo> {
    return this.#close(whistleId, input, principal, 'declined');
  }

  async #close(whistleId: string, input: unknown, principal: StaffPrincipal, to: 'cancelled' | 'declined'): Promise<WhistleInfo> {
    const parsed = whistleCloseRequest.safeParse(input);
    await transaction(this.#db, async (tx) => {
      await this.#lockCaseOf(tx, whistleId);
      const w = await tx.whistleRequest.findUniqueOrThrow({
        where: { id: whistleId },
        include: { unit: true, case: { select: { leadMediatorId: true } } },
      });
      if (to === 'cancelled') {
        const mayCancel = principal.role === 'mediator' && (w.requestedById === principal.userId || w.case.leadMediatorId === principal.userId);
        if (!mayCancel)
          throw fail('whistle_not_caller', 'Only the mediator who made the request or the case’s lead mediator may cancel it (仅吹哨调解员或主办调解员可取消)');
      } else {
        const me = await tx.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
        if (principal.role !== 'official' || me?.unitId !== w.unitId) {
          throw fail('whistle_not_unit', `Only officials of ${w.unit.name} may decline this request (仅被呼叫部门人员可拒绝)`, { unit: w.unit.name });
        }
      }
      if (w.status !== 'open')
        throw fail(
          'whistle_answered',
          `This request is already ${w.status} (该请求已${statusZh[w.status] ?? '处理'}，不能${to === 'cancelled' ? '取消' : '拒绝'})`,
        );
      if (!parsed.success) throw badRequest('Invalid request (提交内容有误)', zodDetails(parsed.error));
      const now = this.#clock.now();
      const changed = await tx.whistleRequest.updateMany({
        where: { id: whistleId, status: 'open' },
        data: { status: to, closedById: principal.userId, closedAt: now, closeReason: parsed.data.reason },
      });
      if (changed.count !== 1) throw fail('whistle_answered', 'This request was answered meanwhile (该请求已被处理)');
      await appendTimeline(tx, {
        caseId: w.caseId,
        type: to === 'cancelled' ? 'whistle.cancelled' : 'whistle.declined',
        actor: actorOf(principal),
        at: now,
        data: { whistleId, unitId: w.unitId, unitName: w.unit.name, reason: parsed.data.reason, by: principal.displayName },
      });
    });
    this.#log.info(`whistle ${to}`, { whistleId, by: principal.userId });
    return this.#one(whistleId);
  }

  async #lockCaseOf(tx: Prisma.TransactionClient, whistleId: string): Promise<void> {
    const w = await tx.whistleRequest.findUnique({ where: { id: whistleId }, select: { caseId: true } });
    if (!w) throw notFound('Whistle request');
    await lockCase(tx, w.caseId);
  }

  async #one(id: string): Promise<WhistleInfo> {
    const row = await this.#db.whistleRequest.findUnique({ where: { id }, include });
    if (!row) throw notFound('Whistle request');
    return toInfo(row);
  }
}
