import type { Principal, StaffPrincipal } from '../auth/principals.ts';
import { forbidden } from '../errors.ts';
import { isHost, type ParticipantRole, type PartySide, type StaffRole } from '../protocol/roles.ts';

/** Who is on the other end of a socket, as the room sees them. */
export interface Participant {
  /** Stable key for the person: the same person rejoining replaces their old peer. */
  identity: string;
  sessionId: string;
  role: ParticipantRole;
  displayName: string;
  side: PartySide | null;
  department: string | null;
  invitationId: string | null;
  userId: string | null;
  /** The staff login behind a mediator/observer (acts on the case record: revoke, end). */
  staff: StaffPrincipal | null;
  /** When the login or invitation behind this connection ends (nothing minted for it outlives this). */
  expiresAt: Date;
}

/** Invitation holders (parties, officials, invited observers) wait until the host admits them. */
export function mustWait(participant: Participant): boolean {
  return participant.invitationId !== null && !isHost(participant.role);
}

/**
 * The room role of each staff role entering with a staff login: mediators host, supervisors
 * observe; a judge hosts the hearing of an application their court holds; officials join by
 * invitation (a called-in department), admins and grid workers do not enter. Which rooms they may
 * enter is the object rule `session.enter` on the session's case, which for a hearing is the
 * court's (server/access/caseAccess.ts actionInSession): judges enter only hearings, mediators
 * and supervisors only mediations.
 */
export const staffRoomRoles: Record<StaffRole, ParticipantRole | null> = {
  mediator: 'mediator',
  supervisor: 'observer',
  admin: null,
  official: null,
  gridworker: null,
  judge: 'judge',
};

/** Maps a verified principal to its room role: mediators and judges host, supervisors watch. */
export function participantFor(principal: Principal, sessionId: string): Participant {
  if (principal.kind === 'invitation') {
    return {
      identity: `invitation:${principal.invitationId}`,
      sessionId: principal.sessionId,
      role: principal.role,
      displayName: principal.displayName,
      side: principal.side,
      department: principal.department,
      invitationId: principal.invitationId,
      userId: null,
      staff: null,
      expiresAt: principal.expiresAt,
    };
  }
  const role = staffRoomRoles[principal.role];
  if (role === null) throw forbidden('Only mediators, supervisors and judges can enter a session with a staff login; others join by invitation');
  return {
    identity: `user:${principal.userId}`,
    sessionId,
    role,
    displayName: principal.displayName,
    side: null,
    department: principal.department,
    invitationId: null,
    userId: principal.userId,
    staff: principal,
    expiresAt: principal.expiresAt,
  };
}
