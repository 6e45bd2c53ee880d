import type { Db, Prisma } from '../db/client.ts';
import type { AgreementActor } from '../agreement/AgreementService.ts';
import { sideCode } from '../agreement/templates.ts';
import type { RecordSignatoryRole, RecordSignMethod } from '../protocol/mediationRecord.ts';

/*
 * Who signs a session's record: its parties, the officials who were in the room (joined at least
 * once, as the timeline says), the recorder and the mediator. Read from the timeline up to the
 * frozen revision's position, so the list is fixed once the record is put to them.
 *
 * How each proves who they are: a party by a one-time code to the phone on the case; an official
 * by the invitation the mediator admitted to the room (an official's invitation carries no phone);
 * the mediator and the recorder by their staff login, as the mediator signs the agreement. Staff
 * accounts have no phone on record, so a staff code is not possible today; a staff login is
 * personal, password-authenticated and audited, and keeping the record's bar the same as the
 * agreement's keeps the two sealed documents of a case consistent. A stronger bar for staff
 * (a phone on the account) would be raised for both documents together.
 */

export interface RecordSignatory {
  key: string;
  role: RecordSignatoryRole;
  name: string;
  department: string | null;
  partyId: string | null;
  invitationId: string | null;
  userId: string | null;
  method: RecordSignMethod;
  mayObject: boolean;
}

type Reader = Db | Prisma.TransactionClient;

export const partyKey = (partyId: string): string => `party:${partyId}`;
export const invitationKey = (invitationId: string): string => `invitation:${invitationId}`;
export const userKey = (userId: string): string => `user:${userId}`;

/** The parties asked: those invited to this session as parties, else every party of the case. */
async function parties(db: Reader, r: { caseId: string; sessionId: string }): Promise<RecordSignatory[]> {
  const all = await db.party.findMany({ where: { caseId: r.caseId }, orderBy: { position: 'asc' } });
  const invited = await db.invitation.findMany({ where: { sessionId: r.sessionId, role: 'party', partyId: { not: null } }, select: { partyId: true } });
  const ids = new Set(invited.map((i) => i.partyId));
  const inSession = all.filter((p) => ids.has(p.id));
  return (inSession.length > 0 ? inSession : all).map((p) => ({
    key: partyKey(p.id),
    role: sideCode(p.side) ?? 'party',
    name: p.name,
    department: null,
    partyId: p.id,
    invitationId: null,
    userId: null,
    method: 'sms_otp',
    mayObject: true,
  }));
}

/** The officials who joined the session (up to `uptoSeq`), each once, in the order they first came in. */
async function officials(db: Reader, r: { caseId: string; sessionId: string }, uptoSeq: number | null): Promise<RecordSignatory[]> {
  const joins = await db.timelineEntry.findMany({
    where: { caseId: r.caseId, type: 'session.joined', actor: { startsWith: 'invitation:' }, ...(uptoSeq !== null ? { seq: { lte: uptoSeq } } : {}) },
    orderBy: { seq: 'asc' },
    select: { actor: true, data: true },
  });
  const ids: string[] = [];
  for (const j of joins) {
    const d = JSON.parse(j.data) as { sessionId?: unknown; role?: unknown };
    const id = j.actor.slice('invitation:'.length);
    if (d.sessionId === r.sessionId && d.role === 'official' && !ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) return [];
  const rows = await db.invitation.findMany({ where: { id: { in: ids }, sessionId: r.sessionId, role: 'official' } });
  return ids.flatMap((id) => {
    const inv = rows.find((x) => x.id === id);
    if (!inv) return [];
    return [
      {
        key: invitationKey(inv.id),
        role: 'official' as const,
        name: inv.displayName,
        department: inv.department,
        partyId: null,
        invitationId: inv.id,
        userId: null,
        method: 'invitation' as const,
        mayObject: true,
      },
    ];
  });
}

/** The recorder (when not the mediator) and the mediator: the case's lead mediator, else the mediator who started the session. */
async function staff(db: Reader, r: { caseId: string; sessionId: string; recorderId: string }): Promise<RecordSignatory[]> {
  const kase = await db.case.findUniqueOrThrow({ where: { id: r.caseId }, select: { leadMediatorId: true } });
  const session = await db.mediationSession.findUniqueOrThrow({ where: { id: r.sessionId }, select: { startedBy: { select: { id: true, role: true } } } });
  const mediatorId = kase.leadMediatorId ?? (session.startedBy.role === 'mediator' ? session.startedBy.id : null);
  const people: Array<{ id: string; role: 'recorder' | 'mediator' }> = [
    ...(r.recorderId !== mediatorId ? [{ id: r.recorderId, role: 'recorder' as const }] : []),
    ...(mediatorId ? [{ id: mediatorId, role: 'mediator' as const }] : []),
  ];
  const users = await db.user.findMany({ where: { id: { in: people.map((p) => p.id) } }, select: { id: true, displayName: true } });
  return people.map((p) => ({
    key: userKey(p.id),
    role: p.role,
    name: users.find((u) => u.id === p.id)?.displayName ?? '',
    department: null,
    partyId: null,
    invitationId: null,
    userId: p.id,
    method: 'staff_login',
    // They wrote it: what they disagree with they change (which puts it to everyone again).
    mayObject: false,
  }));
}

/** Every signatory of the record, parties first and the mediator last. */
export async function recordSignatories(
  db: Reader,
  r: { caseId: string; sessionId: string; recorderId: string; frozenSeq: number | null },
): Promise<RecordSignatory[]> {
  return [...(await parties(db, r)), ...(await officials(db, r, r.frozenSeq)), ...(await staff(db, r))];
}

/** The caller's key among the signatories: a party's or an official's invitation, or a staff login. */
export function callerKey(actor: AgreementActor): string | null {
  if (actor.kind === 'staff') return userKey(actor.staff.userId);
  if (actor.kind !== 'invitation') return null;
  if (actor.invitation.role === 'party') return actor.partyId ? partyKey(actor.partyId) : null;
  if (actor.invitation.role === 'official') return invitationKey(actor.invitation.invitationId);
  return null;
}
