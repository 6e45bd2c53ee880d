import type { AuthService } from '../auth/AuthService.ts';
import { AppError, forbidden, unauthenticated } from '../errors.ts';
import { staffRoomRoles } from '../signalling/participant.ts';
import type { ProbeCaller } from './ConnectivityProbes.ts';

/**
 * Who may check their connection: whoever may enter a room. An invitation of an open session, or
 * a staff login whose role has a room role (mediators, supervisors). The identity is the one the
 * room gives them, so a TURN credential reads the same as in the room.
 */
export async function probeCaller(auth: Pick<AuthService, 'verifyStaffToken' | 'verifyInvitationToken'>, token: string | undefined): Promise<ProbeCaller> {
  if (!token) throw unauthenticated('An invitation token or a staff login is required');
  try {
    const staff = await auth.verifyStaffToken(token);
    if (staffRoomRoles[staff.role] === null) throw forbidden('This role does not enter mediation rooms');
    return { identity: `user:${staff.userId}`, expiresAt: staff.expiresAt };
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') throw error;
  }
  try {
    const invitation = await auth.verifyInvitationToken(token);
    return { identity: `invitation:${invitation.invitationId}`, expiresAt: invitation.expiresAt };
  } catch (error) {
    // Not a staff login: the invitation's own refusal (revoked, expired, session ended) is the answer.
    throw error instanceof AppError ? error : unauthenticated('Invalid token');
  }
}
