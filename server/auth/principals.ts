import type { InvitedRole, PartySide, StaffRole } from '../protocol/roles.ts';

/** A logged-in staff member, from a verified staff token whose session row is live. */
export interface StaffPrincipal {
  kind: 'staff';
  userId: string;
  username: string;
  displayName: string;
  role: StaffRole;
  department: string | null;
  /** The StaffSession id (the token's jti). */
  staffSessionId: string;
  /** When this login ends: the earlier of the token's `exp` and its session row's expiry. */
  expiresAt: Date;
}

/** The holder of a verified, unrevoked, unexpired invitation token for one session. */
export interface InvitationPrincipal {
  kind: 'invitation';
  invitationId: string;
  sessionId: string;
  role: InvitedRole;
  displayName: string;
  side: PartySide | null;
  department: string | null;
  partyId: string | null;
  /** When this invitation ends: the earlier of the token's `exp` and its row's expiry. */
  expiresAt: Date;
}

export type Principal = StaffPrincipal | InvitationPrincipal;
