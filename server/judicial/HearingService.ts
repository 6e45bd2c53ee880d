import type { StaffPrincipal } from '../auth/principals.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { StartHearingResponse } from '../protocol/hearing.ts';
import { actorOf } from '../cases/CaseService.ts';
import { lockCase } from '../cases/caseLock.ts';
import type { InvitationRow, InvitationService } from '../cases/InvitationService.ts';
import { sessionTimelineTypes, toSessionInfo, type SessionService } from '../cases/SessionService.ts';
import { appendTimeline } from '../cases/timeline.ts';

const withCase = { case: { select: { caseNumber: true } } } as const;

/**
 * The judge's video hearing (听证) of a judicial confirmation application: a session of the
 * application's case, of kind `hearing`, in the same room machinery as a mediation with the judge
 * as host (server/signalling/participant.ts). Its end is SessionService.end, as for any session.
 */
export class HearingService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #invitations: InvitationService;

  readonly #sessions: SessionService;

  constructor(deps: { db: Db; clock: Clock; log: Logger; invitations: InvitationService; sessions: SessionService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#invitations = deps.invitations;
    this.#sessions = deps.sessions;
  }

  /** Ends the application's open hearings (its decision ends them); returns their ids, for closing the rooms. */
  async endOpen(applicationId: string, by: StaffPrincipal): Promise<string[]> {
    const open = await this.#db.mediationSession.findMany({ where: { judicialApplicationId: applicationId, status: 'open' }, select: { id: true } });
    for (const s of open) await this.#sessions.end(s.id, by);
    return open.map((s) => s.id);
  }

  /**
   * Opens the application's hearing, or returns the one still open, with a new invitation link for
   * each party of the case. Only while the application is submitted (not yet decided): otherwise
   * `judicial_hearing_not_submitted`. Which judge may is the route's object rule (`judicial.hearing`).
   */
  async start(applicationId: string, principal: StaffPrincipal): Promise<StartHearingResponse> {
    const result = await transaction(this.#db, async (tx) => {
      const found = await tx.judicialApplication.findUnique({ where: { id: applicationId }, select: { caseId: true } });
      if (!found) throw notFound('Application');
      const caseId = found.caseId;
      await lockCase(tx, caseId);
      const application = await tx.judicialApplication.findUniqueOrThrow({ where: { id: applicationId }, select: { status: true } });
      if (application.status !== 'submitted') {
        throw fail('judicial_hearing_not_submitted', `A hearing needs a submitted application; this one is '${application.status}'`);
      }
      const open = await tx.mediationSession.findFirst({
        where: { judicialApplicationId: applicationId, status: 'open' },
        orderBy: { startedAt: 'desc' },
        include: withCase,
      });
      let session = open;
      if (!session) {
        const now = this.#clock.now();
        session = await tx.mediationSession.create({
          data: { id: newId(), caseId, kind: 'hearing', judicialApplicationId: applicationId, status: 'open', startedById: principal.userId, startedAt: now },
          include: withCase,
        });
        await appendTimeline(tx, {
          caseId,
          type: sessionTimelineTypes.hearing.started,
          actor: actorOf(principal),
          at: now,
          data: { sessionId: session.id, applicationId, by: principal.displayName },
        });
      }
      const parties = await tx.party.findMany({ where: { caseId }, orderBy: [{ position: 'asc' }, { id: 'asc' }], select: { id: true, name: true } });
      const rows: InvitationRow[] = [];
      for (const party of parties) {
        rows.push(await this.#invitations.createInTx(tx, session.id, { role: 'party', displayName: party.name.slice(0, 50), partyId: party.id }, principal));
      }
      return { session: toSessionInfo(session), reused: open !== null, rows };
    });
    const invitations = await Promise.all(result.rows.map((row) => this.#invitations.withLink(row)));
    if (!result.reused) this.#log.info('hearing started', { sessionId: result.session.id, applicationId, by: principal.userId });
    return { session: result.session, reused: result.reused, invitations };
  }
}
