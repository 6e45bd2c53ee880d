import { closedStates } from '../protocol/caseLoop.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { GroupCommit, type ItemResult } from '../db/groupCommit.ts';
import { transaction } from '../db/transactions.ts';
import { AppError, fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { MediationSessionInfo, SessionKind, SessionParticipationInfo } from '../protocol/api.ts';
import type { TimelineType } from '../protocol/timelineTypes.ts';
import type { ParticipantRole } from '../protocol/roles.ts';
import { applyTransition, zh } from '../caseloop/index.ts';
import { actorOf } from './CaseService.ts';
import { lockCase, lockCaseOfSession } from './caseLock.ts';
import { appendTimeline, appendTimelineEntries } from './timeline.ts';
import { stateOf } from './views.ts';
import { recordingStateOf } from '../recording/state.ts';

type SessionRow = {
  id: string;
  caseId: string;
  kind: string;
  judicialApplicationId: string | null;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
  case: { caseNumber: string };
};

export function sessionKindOf(kind: string): SessionKind {
  return kind === 'hearing' ? 'hearing' : 'mediation';
}

/** The timeline entries a session's start and end write, by what the session is for. */
export const sessionTimelineTypes: Record<SessionKind, { started: TimelineType; ended: TimelineType }> = {
  mediation: { started: 'session.started', ended: 'session.ended' },
  hearing: { started: 'judicial.hearing_started', ended: 'judicial.hearing_ended' },
};

export function toSessionInfo(s: SessionRow, recording: { state: string } | null = null): MediationSessionInfo {
  return {
    id: s.id,
    caseId: s.caseId,
    caseNumber: s.case.caseNumber,
    kind: sessionKindOf(s.kind),
    judicialApplicationId: s.judicialApplicationId,
    status: s.status === 'open' ? 'open' : 'ended',
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    recording: s.status === 'open' ? recordingStateOf(recording) : 'off',
  };
}

const withCase = { case: { select: { caseNumber: true } } } as const;

export interface RecordJoinInput {
  sessionId: string;
  /** Stable identity of the joiner: `user:<userId>` or `invitation:<invitationId>`. */
  identity: string;
  role: ParticipantRole;
  displayName: string;
  /** In the joint session from the start (not the waiting room). */
  admitted?: boolean;
}

/** How long a participation write waits for others of the same session to write with it (nobody waits for the write). */
const JOIN_GATHER_MS = 100;

/** Leave reason of participations that were open when the server stopped without closing them. */
export const SERVER_RESTARTED = 'server_restarted';
/** Leave reason of participations whose node died; another node took their room over. */
export const NODE_FAILED = 'node_failed';

export class SessionService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Cluster mode: this node's NODE_ID, written on each participation it holds; null on a single node. */
  readonly #nodeId: string | null;
  /** A storm of people entering (a hearing starting, a room moving nodes) is written in a few transactions, not one each. */
  readonly #joins = new GroupCommit<RecordJoinInput, string>((sessionId, inputs) => this.#recordJoins(sessionId, inputs), { gatherMs: JOIN_GATHER_MS });

  readonly #admissions = new GroupCommit<{ participationId: string; admitted: boolean }, void>((_, changes) => this.#recordAdmissions(changes));

  constructor(deps: { db: Db; clock: Clock; log: Logger; nodeId?: string | null }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#nodeId = deps.nodeId ?? null;
  }

  /** Opens a session for the case, or returns the one already open (`reused: true`). */
  async start(caseId: string, principal: StaffPrincipal): Promise<{ session: MediationSessionInfo; reused: boolean }> {
    const result = await transaction(this.#db, (tx) => this.startInTx(tx, caseId, principal));
    if (!result.reused) this.#log.info('session started', { sessionId: result.session.id, caseId, by: principal.userId });
    return result;
  }

  /**
   * start, inside the caller's transaction. A closed case gets no session (409). An assigned case
   * moves to in_mediation (the `start_mediation` transition, on the timeline); a case not yet
   * assigned may hold a session (e.g. a first talk at intake) without changing state.
   */
  async startInTx(tx: Prisma.TransactionClient, caseId: string, principal: StaffPrincipal): Promise<{ session: MediationSessionInfo; reused: boolean }> {
    await lockCase(tx, caseId);
    const kase = await tx.case.findUnique({ where: { id: caseId }, select: { id: true, state: true } });
    if (!kase) throw notFound('Case');
    const state = stateOf(kase);
    if (closedStates.includes(state)) {
      throw fail('session_state_forbids', `Cannot start a session on a case that is '${state}' (${zh.states[state]}的案件不能开始调解)`, { state });
    }
    const open = await tx.mediationSession.findFirst({
      where: { caseId, status: 'open', kind: 'mediation' },
      orderBy: { startedAt: 'desc' },
      include: withCase,
    });
    const now = this.#clock.now();
    let session = open;
    if (!session) {
      session = await tx.mediationSession.create({
        data: { id: newId(), caseId, status: 'open', startedById: principal.userId, startedAt: now },
        include: withCase,
      });
      await appendTimeline(tx, {
        caseId,
        type: 'session.started',
        actor: actorOf(principal),
        at: now,
        data: { sessionId: session.id, by: principal.displayName },
      });
    }
    // Also when a session is still open: a case reassigned during mediation is in mediation again
    // as soon as its new lead carries on.
    if (state === 'assigned') {
      const to = applyTransition(state, 'start_mediation', principal.role);
      const changed = await tx.case.updateMany({ where: { id: caseId, state }, data: { state: to } });
      if (changed.count !== 1) throw new AppError('conflict', 'The case was changed by someone else meanwhile; reload and try again');
      await appendTimeline(tx, {
        caseId,
        type: 'case.start_mediation',
        actor: actorOf(principal),
        at: now,
        data: { from: state, to, sessionId: session.id },
      });
    }
    const recording = open ? await tx.recording.findUnique({ where: { sessionId: open.id }, select: { state: true } }) : null;
    return { session: toSessionInfo(session, recording), reused: open !== null };
  }

  /**
   * Ends an open session (idempotent: ending an ended session returns it unchanged).
   * Participations still open are closed with reason `session_ended`.
   */
  async end(sessionId: string, principal: StaffPrincipal): Promise<MediationSessionInfo> {
    const info = await transaction(this.#db, async (tx) => {
      await lockCaseOfSession(tx, sessionId);
      const s = await tx.mediationSession.findUniqueOrThrow({ where: { id: sessionId }, include: withCase });
      if (s.status !== 'open') return toSessionInfo(s);
      const now = this.#clock.now();
      const open = await tx.sessionParticipation.findMany({ where: { sessionId, leftAt: null }, orderBy: { joinedAt: 'asc' } });
      for (const p of open) await this.#leave(tx, s.caseId, p, 'session_ended', now);
      const ended = await tx.mediationSession.update({
        where: { id: sessionId },
        data: { status: 'ended', endedAt: now },
        include: withCase,
      });
      const kind = sessionKindOf(s.kind);
      await appendTimeline(tx, {
        caseId: s.caseId,
        type: sessionTimelineTypes[kind].ended,
        actor: actorOf(principal),
        at: now,
        data: { sessionId, by: principal.displayName, ...(s.judicialApplicationId ? { applicationId: s.judicialApplicationId } : {}) },
      });
      await this.#stopRecording(tx, s.caseId, sessionId, principal, now);
      return toSessionInfo(ended);
    });
    this.#log.info('session ended', { sessionId, by: principal.userId });
    return info;
  }

  /**
   * The session's recording stops with it. Its files are closed by the room going down, which
   * then queues it for composition (server/recording/RecordingService.ts); with no file open
   * (nobody in the room any more) it is queued at once.
   */
  async #stopRecording(tx: Prisma.TransactionClient, caseId: string, sessionId: string, principal: StaffPrincipal, now: Date): Promise<void> {
    const recording = await tx.recording.findUnique({ where: { sessionId } });
    if (!recording || recording.state === 'stopped') return;
    const open = await tx.recordingTrack.count({ where: { recordingId: recording.id, endedAt: null } });
    await tx.recording.update({
      where: { id: recording.id },
      data: { state: 'stopped', stateAt: now, endedAt: now, ...(open === 0 && recording.composeState === 'none' ? { composeState: 'queued' } : {}) },
    });
    await appendTimeline(tx, {
      caseId,
      type: 'recording.stopped',
      actor: actorOf(principal),
      at: now,
      data: { sessionId, recordingId: recording.id, by: principal.displayName },
    });
  }

  async get(sessionId: string): Promise<MediationSessionInfo> {
    const s = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, include: withCase });
    if (!s) throw notFound('Session');
    const recording = await this.#db.recording.findUnique({ where: { sessionId }, select: { state: true } });
    return toSessionInfo(s, recording);
  }

  /** Sessions of a case, newest first. */
  async listForCase(caseId: string): Promise<MediationSessionInfo[]> {
    const kase = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!kase) throw notFound('Case');
    const rows = await this.#db.mediationSession.findMany({
      where: { caseId },
      orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
      include: withCase,
    });
    const recordings = await this.#db.recording.findMany({ where: { sessionId: { in: rows.map((r) => r.id) } }, select: { sessionId: true, state: true } });
    const bySession = new Map(recordings.map((r) => [r.sessionId, r]));
    return rows.map((row) => toSessionInfo(row, bySession.get(row.id)));
  }

  /**
   * Records that someone entered the session's room. The session must be open (else `gone`).
   * People entering the same session while its previous entries are being written are written
   * together, in one transaction (server/db/groupCommit.ts); each gets their own answer.
   */
  recordJoin(input: RecordJoinInput): Promise<string> {
    return this.#joins.submit(input.sessionId, input);
  }

  /** One transaction for the entries of one session: the participations and their timeline entries, in order. */
  async #recordJoins(sessionId: string, inputs: RecordJoinInput[]): Promise<Array<ItemResult<string>>> {
    const ids = inputs.map(() => newId());
    return transaction(this.#db, async (tx) => {
      await lockCaseOfSession(tx, sessionId);
      const s = await tx.mediationSession.findUniqueOrThrow({ where: { id: sessionId }, select: { caseId: true, status: true } });
      if (s.status !== 'open') throw fail('session_ended', 'This mediation session has ended');
      const now = this.#clock.now();
      await tx.sessionParticipation.createMany({
        data: inputs.map((input, i) => ({
          id: ids[i]!,
          sessionId,
          identity: input.identity,
          role: input.role,
          displayName: input.displayName,
          joinedAt: now,
          admittedAt: input.admitted ? now : null,
          nodeId: this.#nodeId,
        })),
      });
      await appendTimelineEntries(
        tx,
        s.caseId,
        inputs.map((input, i) => ({
          type: 'session.joined' as const,
          actor: input.identity,
          at: now,
          data: { sessionId, participationId: ids[i]!, role: input.role, displayName: input.displayName },
        })),
      );
      return ids.map((value) => ({ ok: true as const, value }));
    });
  }

  /** Records a leave. Idempotent: a participation already closed is left as it is. */
  async recordLeave(participationId: string, reason: string): Promise<void> {
    await transaction(this.#db, async (tx) => {
      const p = await tx.sessionParticipation.findUnique({ where: { id: participationId }, include: { session: { select: { caseId: true } } } });
      if (!p) throw notFound('Participation');
      if (p.leftAt) return;
      await lockCase(tx, p.session.caseId);
      await this.#leave(tx, p.session.caseId, p, reason, this.#clock.now());
    });
  }

  /**
   * Admitted to the joint session (true) or sent back to the waiting room (false). Leaves a closed
   * participation alone. An admit-all's many changes are written together (one commit).
   */
  recordAdmission(participationId: string, admitted: boolean): Promise<void> {
    return this.#admissions.submit('', { participationId, admitted });
  }

  async #recordAdmissions(changes: Array<{ participationId: string; admitted: boolean }>): Promise<Array<ItemResult<void>>> {
    // In order: a later change of the same participation wins.
    const latest = new Map(changes.map((c) => [c.participationId, c.admitted]));
    const ids = (admitted: boolean) => [...latest].filter(([, a]) => a === admitted).map(([id]) => id);
    const now = this.#clock.now();
    await this.#db.$transaction([
      this.#db.sessionParticipation.updateMany({ where: { id: { in: ids(true) }, leftAt: null }, data: { admittedAt: now } }),
      this.#db.sessionParticipation.updateMany({ where: { id: { in: ids(false) }, leftAt: null }, data: { admittedAt: null } }),
    ]);
    return changes.map(() => ({ ok: true as const, value: undefined }));
  }

  /**
   * At start-up: participations still open belong to rooms that died with the previous process
   * (crash, kill, power loss). Each is closed with reason `server_restarted`, on its case's
   * timeline. Returns, per open session, the identities that were in the joint session, so the
   * room can let them straight back in when they reconnect. In cluster mode only this node's
   * participations are closed: the other nodes' rooms are alive.
   */
  async closeInterrupted(): Promise<Map<string, Set<string>>> {
    const where: Prisma.SessionParticipationWhereInput = this.#nodeId === null ? { leftAt: null } : { leftAt: null, nodeId: this.#nodeId };
    const { admitted, closed } = await this.#closeOpen(where, SERVER_RESTARTED);
    if (closed > 0) this.#log.warn('closed participations left open by the previous run', { count: closed });
    return admitted;
  }

  /**
   * Cluster mode, when this node creates a session's room: participations of that session still
   * open on nodes that are no longer alive (`liveNodes`) belong to a room that died with its node.
   * They are closed with reason `node_failed` (the timeline shows the failover), and whoever was
   * in the joint session is let straight back in (returned), as after a restart.
   */
  async closeOrphaned(sessionId: string, liveNodes: readonly string[]): Promise<Set<string>> {
    const where: Prisma.SessionParticipationWhereInput = {
      sessionId,
      leftAt: null,
      OR: [{ nodeId: null }, { nodeId: { notIn: [...liveNodes] } }],
    };
    const { admitted, closed } = await this.#closeOpen(where, NODE_FAILED);
    if (closed > 0) this.#log.warn('took over a room from a node that stopped answering', { sessionId, participations: closed });
    return admitted.get(sessionId) ?? new Set();
  }

  /** Closes the matching open participations, oldest first; returns the admitted identities per open session. */
  async #closeOpen(where: Prisma.SessionParticipationWhereInput, reason: string): Promise<{ admitted: Map<string, Set<string>>; closed: number }> {
    const bySession = new Map<string, Set<string>>();
    const open = await this.#db.sessionParticipation.findMany({
      where,
      orderBy: [{ joinedAt: 'asc' }, { id: 'asc' }],
      include: { session: { select: { caseId: true, status: true } } },
    });
    for (const p of open) {
      // #leave is conditional: two nodes closing the same participation close it once.
      await transaction(this.#db, async (tx) => {
        await lockCase(tx, p.session.caseId);
        await this.#leave(tx, p.session.caseId, p, reason, this.#clock.now());
      });
      if (p.admittedAt && p.session.status === 'open') {
        const set = bySession.get(p.sessionId) ?? new Set<string>();
        set.add(p.identity);
        bySession.set(p.sessionId, set);
      }
    }
    return { admitted: bySession, closed: open.length };
  }

  async listParticipations(sessionId: string): Promise<SessionParticipationInfo[]> {
    const s = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { id: true } });
    if (!s) throw notFound('Session');
    const rows = await this.#db.sessionParticipation.findMany({ where: { sessionId }, orderBy: [{ joinedAt: 'asc' }, { id: 'asc' }] });
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.sessionId,
      role: r.role as ParticipantRole,
      displayName: r.displayName,
      joinedAt: r.joinedAt.toISOString(),
      leftAt: r.leftAt?.toISOString() ?? null,
      leaveReason: r.leaveReason,
    }));
  }

  /** Closes a participation still open (claimed by a conditional update), with its timeline entry. */
  async #leave(
    tx: Prisma.TransactionClient,
    caseId: string,
    p: { id: string; sessionId: string; identity: string; role: string; displayName: string },
    reason: string,
    now: Date,
  ): Promise<void> {
    const why = reason.slice(0, 64);
    const claimed = await tx.sessionParticipation.updateMany({ where: { id: p.id, leftAt: null }, data: { leftAt: now, leaveReason: why } });
    if (claimed.count === 0) return;
    await appendTimeline(tx, {
      caseId,
      type: 'session.left',
      actor: p.identity,
      at: now,
      data: { sessionId: p.sessionId, participationId: p.id, role: p.role, displayName: p.displayName, reason: why },
    });
  }
}
