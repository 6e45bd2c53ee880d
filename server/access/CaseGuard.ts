import { level as levelSchema, type Level } from '../protocol/caseLoop.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { Db, Prisma } from '../db/client.ts';
import { AppError, notFound } from '../errors.ts';
import { actionInSession, allows, accessActionNames, type ActorFacts, type AccessAction, type CaseFacts } from './caseAccess.ts';
import type { RefusalSink } from './refusals.ts';

/** What a route's path parameter names; each resolves to exactly one case. */
export const objectKinds = ['caseId', 'sessionId', 'agreementId', 'invitationId', 'whistleId', 'noteId', 'recordingId', 'recordId', 'applicationId'] as const;
export type ObjectKind = (typeof objectKinds)[number];

/** Application statuses in which the court holds the case (server/protocol/judicial.ts). */
const courtHeldStatuses = ['submitted', 'confirmed', 'rejected'] as const;

const factsSelect = {
  id: true,
  state: true,
  leadMediatorId: true,
  createdById: true,
  unitId: true,
  grid: true,
  unit: { select: { level: true } },
  whistles: { select: { unitId: true, status: true, acceptedById: true } },
  judicialApplications: { where: { status: { in: [...courtHeldStatuses] } }, select: { courtUnitId: true } },
} satisfies Prisma.CaseSelect;

type FactsRow = {
  id: string;
  state: string;
  leadMediatorId: string | null;
  createdById: string | null;
  unitId: string | null;
  grid: string | null;
  unit: { level: string } | null;
  whistles: Array<{ unitId: string; status: string; acceptedById: string | null }>;
  judicialApplications: Array<{ courtUnitId: string }>;
};

function levelOf(unit: { level: string } | null | undefined): Level | null {
  const parsed = levelSchema.safeParse(unit?.level);
  return parsed.success ? parsed.data : null;
}

function toFacts(r: FactsRow): CaseFacts {
  return {
    id: r.id,
    state: r.state,
    leadMediatorId: r.leadMediatorId,
    createdById: r.createdById,
    unitId: r.unitId,
    unitLevel: levelOf(r.unit),
    grid: r.grid,
    whistles: r.whistles,
    courtUnitIds: [...new Set(r.judicialApplications.map((a) => a.courtUnitId))],
  };
}

const select = { caseId: true } as const;
/** How each kind of object finds its case (null: no such object). */
const caseOf: Record<ObjectKind, (db: Db, id: string) => Promise<string | null>> = {
  caseId: async (db, id) => (await db.case.findUnique({ where: { id }, select: { id: true } }))?.id ?? null,
  sessionId: async (db, id) => (await db.mediationSession.findUnique({ where: { id }, select }))?.caseId ?? null,
  agreementId: async (db, id) => (await db.agreement.findUnique({ where: { id }, select }))?.caseId ?? null,
  invitationId: async (db, id) => (await db.invitation.findUnique({ where: { id }, select: { session: { select } } }))?.session.caseId ?? null,
  whistleId: async (db, id) => (await db.whistleRequest.findUnique({ where: { id }, select }))?.caseId ?? null,
  noteId: async (db, id) => (await db.supervisionNote.findUnique({ where: { id }, select }))?.caseId ?? null,
  recordingId: async (db, id) => (await db.recording.findUnique({ where: { id }, select }))?.caseId ?? null,
  recordId: async (db, id) => (await db.mediationRecord.findUnique({ where: { id }, select }))?.caseId ?? null,
  applicationId: async (db, id) => (await db.judicialApplication.findUnique({ where: { id }, select }))?.caseId ?? null,
};

/** The session an object stands in, for the objects that are in one (its kind decides whose room it is). */
const sessionOf: Partial<Record<ObjectKind, (db: Db, id: string) => Promise<{ kind: string } | null>>> = {
  sessionId: (db, id) => db.mediationSession.findUnique({ where: { id }, select: { kind: true } }),
  invitationId: async (db, id) => (await db.invitation.findUnique({ where: { id }, select: { session: { select: { kind: true } } } }))?.session ?? null,
};

/** A 403 that says which object rule refused (`details.action`), so the client can explain it. */
export function refused(action: AccessAction): AppError {
  return new AppError('forbidden', `Not allowed on this case: ${action}`, { action });
}

/**
 * Applies the object rule (caseAccess.ts) with facts from the database. Used by the route
 * registrar for every route's object rule, by the socket handshake, and for `can` and lists.
 */
export class CaseGuard {
  readonly #db: Db;
  readonly #refuse: RefusalSink;

  constructor(deps: { db: Db; refusals: RefusalSink }) {
    this.#db = deps.db;
    this.#refuse = deps.refusals;
  }

  async actor(principal: Pick<StaffPrincipal, 'userId' | 'role'>): Promise<ActorFacts> {
    const me = await this.#db.user.findUnique({
      where: { id: principal.userId },
      select: { unitId: true, unit: { select: { level: true } }, gridsPatrolled: principal.role === 'gridworker' ? { select: { code: true } } : false },
    });
    const gridCodes = (me?.gridsPatrolled ?? []).map((g) => g.code);
    return { userId: principal.userId, role: principal.role, unitId: me?.unitId ?? null, unitLevel: levelOf(me?.unit), gridCodes };
  }

  async facts(caseId: string): Promise<CaseFacts> {
    const row = await this.#db.case.findUnique({ where: { id: caseId }, select: factsSelect });
    if (!row) throw notFound('Case');
    return toFacts(row);
  }

  /** The case a session, agreement, invitation, whistle or supervision note belongs to (404 if unknown). */
  async caseIdOf(kind: ObjectKind, id: string): Promise<string> {
    const caseId = await caseOf[kind](this.#db, id);
    if (caseId === null) throw new AppError('not_found', 'Not found');
    return caseId;
  }

  /**
   * The case behind a route's object and the action its rule stands for there: in a hearing
   * session the steward's actions are the court's (caseAccess.ts actionInSession).
   */
  async target(kind: ObjectKind, id: string, action: AccessAction): Promise<{ caseId: string; action: AccessAction }> {
    const caseId = await this.caseIdOf(kind, id);
    const session = await sessionOf[kind]?.(this.#db, id);
    return { caseId, action: session ? actionInSession(session.kind === 'hearing' ? 'hearing' : 'mediation', action) : action };
  }

  /** Throws a recorded 403 unless the object rule allows `action` on the case. */
  async assert(principal: StaffPrincipal, action: AccessAction, caseId: string, via: string): Promise<void> {
    const [actor, kase] = await Promise.all([this.actor(principal), this.facts(caseId)]);
    if (allows(actor, action, kase)) return;
    this.#refuse({ userId: principal.userId, role: principal.role, action, caseId, via });
    throw refused(action);
  }

  /** Whether the object rule allows `action` on the case (no refusal recorded: for checks that choose among several rules). */
  async allowed(principal: Pick<StaffPrincipal, 'userId' | 'role'>, action: AccessAction, caseId: string): Promise<boolean> {
    const [actor, kase] = await Promise.all([this.actor(principal), this.facts(caseId)]);
    return allows(actor, action, kase);
  }

  /** Every action's object rule on this case, each ANDed with `roleMay` (the role tables). */
  async can(principal: StaffPrincipal, caseId: string, roleMay: (action: AccessAction) => boolean): Promise<Record<AccessAction, boolean>> {
    const [actor, kase] = await Promise.all([this.actor(principal), this.facts(caseId)]);
    return Object.fromEntries(accessActionNames.map((a) => [a, roleMay(a) && allows(actor, a, kase)])) as Record<AccessAction, boolean>;
  }

  /**
   * The items whose case the caller may read (lists are filtered, never refused). With
   * `addressedTo`, an item addressed to the caller's own unit stays too (a department's whistle
   * inbox keeps requests that were cancelled or declined, though the case is no longer theirs).
   */
  async readable<T>(principal: StaffPrincipal, items: readonly T[], caseIdOf: (item: T) => string, addressedTo?: (item: T) => string): Promise<T[]> {
    if (items.length === 0) return [];
    const ids = [...new Set(items.map(caseIdOf))];
    const [actor, rows] = await Promise.all([this.actor(principal), this.#db.case.findMany({ where: { id: { in: ids } }, select: factsSelect })]);
    const ok = new Set(
      rows
        .map(toFacts)
        .filter((f) => allows(actor, 'case.read', f))
        .map((f) => f.id),
    );
    const mine = (item: T) => addressedTo !== undefined && actor.unitId !== null && addressedTo(item) === actor.unitId;
    return items.filter((item) => ok.has(caseIdOf(item)) || mine(item));
  }
}
