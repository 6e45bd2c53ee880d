import { type Level } from '../protocol/caseLoop.ts';
import { levelRank } from '../caseloop/rules.ts';
import type { StaffRole } from '../protocol/roles.ts';

/*
 * Who may do what on ONE case: the object rule, written once. The role table
 * (server/http/routePermissions.ts) says which staff roles may call a route at all; this module
 * says which of them may do it on this particular case. Every route names its object rule in
 * server/http/routeObjects.ts, the socket handshake asks `session.enter`, and the case detail
 * answers `can` from the same two tables, so the client offers only what the server allows.
 *
 * Relations (who stands in which relation to a case):
 *   reader    may read the case record (detail, timeline, sessions, attachments, notes, whistles,
 *             follow-ups, agreement):
 *               admin       every case (configures and audits; never hosts or signs)
 *               supervisor  cases in their scope (below)
 *               mediator    cases they are responsible for; cases routed to their own unit
 *                           (colleagues cover); the intake queue (reported, nobody responsible yet)
 *               official    cases they are responsible for, cases routed to their unit, and cases
 *                           their unit is called in to (an open or accepted whistle)
 *               gridworker  cases they reported, and the cases of the grids they are responsible for
 *               judge       cases with a judicial confirmation application submitted to their court
 *   steward   runs the case: sessions, invitations, hosting, ending, media state, room chat,
 *             agreement work, calling departments in, revealing contacts:
 *               the case's responsible mediator(s) and the supervisors whose scope covers it
 *   signer    signs the agreement as staff: the responsible mediator (as mediator), or an
 *             official who accepted a whistle on this case (as witness)
 *   called    answers a whistle: an official whose unit was ever called in to this case (which
 *             whistle, and whether it is still open, is the whistle service's check)
 *   reviewer  plays, downloads and re-composes the session recordings: the responsible
 *             mediator(s), the supervisors whose scope covers the case, and admins. Never a party
 *             or an official (the role table leaves them out too).
 *   court     reviews and decides a judicial confirmation application, and hosts its hearing: a
 *             judge of the court the application was submitted to
 *
 * Responsible mediator(s): the case's lead (`Case.leadMediatorId`: set by registering at the
 * window, by assignment, cleared by escalation). `responsibleIds` is the one place to add
 * co-mediators.
 * A supervisor's scope: without a unit, every case (the centre's own supervisor); with a unit,
 * cases not yet routed (the intake queue), cases routed to that unit, and cases routed to any
 * unit at a lower or equal level (a county centre supervises the town and community units below
 * it, not the city).
 */

export const relations = ['reader', 'steward', 'signer', 'called', 'reviewer', 'court'] as const;
export type Relation = (typeof relations)[number];

/** Every object-level action, with the relation it needs. Route roles come from routePermissions. */
export const accessActions = {
  'case.read': 'reader',
  /** Adding a photo or PDF to the record: anyone who reads it and whose role may upload. */
  'case.attach': 'reader',
  /** Case-loop transitions, supervision notes, follow-up links: readers here; the case loop then checks responsibility. */
  'case.loop': 'reader',
  'contact.reveal': 'steward',
  'session.start': 'steward',
  'session.end': 'steward',
  /** Entering the room with a staff login (socket handshake): a mediator hosts, a supervisor observes. */
  'session.enter': 'steward',
  'session.media': 'steward',
  'session.chat': 'steward',
  'invitation.list': 'steward',
  'invitation.create': 'steward',
  'invitation.revoke': 'steward',
  'whistle.create': 'steward',
  'agreement.create': 'steward',
  'agreement.edit': 'steward',
  'agreement.freeze': 'steward',
  'agreement.links': 'steward',
  'agreement.finalise': 'steward',
  'agreement.settle': 'steward',
  'agreement.sign': 'signer',
  /** The mediation record (调解笔录): started and put to the parties by whoever runs the case; written also by the recorder chosen (MediationRecordService). */
  'record.create': 'steward',
  'record.edit': 'steward',
  'record.freeze': 'steward',
  'record.finalise': 'steward',
  /** Accepting or declining a whistle (吹哨) addressed to the caller's department. */
  'whistle.respond': 'called',
  /** Listing, playing and downloading the session recordings (录音录像). */
  'recording.review': 'reviewer',
  /** Queueing a failed composition again. */
  'recording.compose': 'reviewer',
  /** Starting the parties' joint application for judicial confirmation (司法确认) of the sealed agreement. */
  'judicial.apply': 'steward',
  /** Reviewing (agreement, record, recordings) and deciding an application submitted to the judge's court. */
  'judicial.review': 'court',
  'judicial.decide': 'court',
  /**
   * Holding a hearing (听证) of an application with the parties: starting it, and in a hearing
   * session everything the steward does in a mediation (enter as host, invite, end): see actionInSession.
   */
  'judicial.hearing': 'court',
} as const satisfies Record<string, Relation>;

export type AccessAction = keyof typeof accessActions;
export const accessActionNames = Object.keys(accessActions) as AccessAction[];

/** What the rule needs to know about the case. */
export interface CaseFacts {
  id: string;
  state: string;
  leadMediatorId: string | null;
  createdById: string | null;
  unitId: string | null;
  unitLevel: Level | null;
  /** The case's grid code (or older free text), null when not known. */
  grid: string | null;
  /** Whistles (calling-in requests) of the case, in any status. */
  whistles: ReadonlyArray<{ unitId: string; status: string; acceptedById: string | null }>;
  /** Courts holding a judicial confirmation application of the case (submitted or decided). */
  courtUnitIds: readonly string[];
}

/** What the rule needs to know about the staff member. */
export interface ActorFacts {
  userId: string;
  role: StaffRole;
  unitId: string | null;
  unitLevel: Level | null;
  /** Codes of the grids the staff member is the grid worker of (server/grids). */
  gridCodes: readonly string[];
}

/** The case's responsible mediator(s). */
export function responsibleIds(c: CaseFacts): string[] {
  return c.leadMediatorId ? [c.leadMediatorId] : [];
}

function isResponsible(a: ActorFacts, c: CaseFacts): boolean {
  return responsibleIds(c).includes(a.userId);
}

function supervises(a: ActorFacts, c: CaseFacts): boolean {
  if (a.role !== 'supervisor') return false;
  if (a.unitId === null) return true;
  if (c.unitId === null || c.unitId === a.unitId) return true;
  return a.unitLevel !== null && c.unitLevel !== null && levelRank(c.unitLevel) <= levelRank(a.unitLevel);
}

function inMyUnit(a: ActorFacts, c: CaseFacts): boolean {
  return a.unitId !== null && c.unitId === a.unitId;
}

function calledIn(a: ActorFacts, c: CaseFacts): boolean {
  return a.unitId !== null && c.whistles.some((w) => w.unitId === a.unitId && (w.status === 'open' || w.status === 'accepted'));
}

function acceptedWhistle(a: ActorFacts, c: CaseFacts): boolean {
  return c.whistles.some((w) => w.status === 'accepted' && w.acceptedById === a.userId);
}

function ofTheCourt(a: ActorFacts, c: CaseFacts): boolean {
  return a.role === 'judge' && a.unitId !== null && c.courtUnitIds.includes(a.unitId);
}

const readerByRole: Record<StaffRole, (a: ActorFacts, c: CaseFacts) => boolean> = {
  admin: () => true,
  supervisor: supervises,
  mediator: (a, c) => isResponsible(a, c) || inMyUnit(a, c) || (c.state === 'reported' && responsibleIds(c).length === 0),
  official: (a, c) => isResponsible(a, c) || inMyUnit(a, c) || calledIn(a, c),
  gridworker: (a, c) => c.createdById === a.userId || (c.grid !== null && a.gridCodes.includes(c.grid)),
  judge: (a, c) => ofTheCourt(a, c),
};

const relationRules: Record<Relation, (a: ActorFacts, c: CaseFacts) => boolean> = {
  reader: (a, c) => readerByRole[a.role](a, c),
  steward: (a, c) => (a.role === 'mediator' && isResponsible(a, c)) || supervises(a, c),
  signer: (a, c) => (a.role === 'mediator' && isResponsible(a, c)) || (a.role === 'official' && acceptedWhistle(a, c)),
  called: (a, c) => a.role === 'official' && a.unitId !== null && c.whistles.some((w) => w.unitId === a.unitId),
  reviewer: (a, c) => (a.role === 'mediator' && isResponsible(a, c)) || supervises(a, c) || a.role === 'admin' || ofTheCourt(a, c),
  court: ofTheCourt,
};

/**
 * The action an object rule stands for in a session of this kind. A hearing is the court's: what
 * the steward (the mediation committee's mediator or supervisor) does in a mediation, the judge
 * of the court does in a hearing, and the steward does not (a hearing is the court's own review of
 * the agreement; the parties attend, the mediators do not). Reading the record stays as it is.
 */
export function actionInSession(kind: 'mediation' | 'hearing', action: AccessAction): AccessAction {
  return kind === 'hearing' && accessActions[action] === 'steward' ? 'judicial.hearing' : action;
}

/** The object rule: may this staff member do this action on this case? (Roles are checked separately.) */
export function allows(actor: ActorFacts, action: AccessAction, kase: CaseFacts): boolean {
  return relationRules[accessActions[action]](actor, kase);
}
