import { closedStates } from '../protocol/caseLoop.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { zh } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, fail, fieldFail, notFound, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { supervisionAnswerRequest, supervisionNoteRequest, type SupervisionNoteInfo } from '../protocol/cases.ts';
import { actorOf } from './CaseService.ts';
import { lockCase } from './caseLock.ts';
import { appendTimeline } from './timeline.ts';
import { parseDateInput, stateOf } from './views.ts';

/** Supervision notes (督办): a supervisor's instruction with a due date on a case, answered by its handler. */
export class SupervisionService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { db: Db; clock: Clock; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
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
      include: {
        case: { select: { caseNumber: true } },
        author: { select: { id: true, displayName: true } },
        answeredBy: { select: { id: true, displayName: true } },
      },
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
