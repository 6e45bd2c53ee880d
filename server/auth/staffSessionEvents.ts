import type { ClusterBus } from '../cluster/ClusterBus.ts';
import type { StaffSessionEndReason } from './staffSessionEndReasons.ts';

/**
 * Staff logins were revoked: exactly the ones named, all of one user. Naming them (rather than
 * "every login of the user") keeps a login made after the revocation, with the new password or
 * after the account was enabled again, out of it.
 */
export interface StaffSessionRevoked {
  userId: string;
  staffSessionIds: readonly string[];
  reason: StaffSessionEndReason;
}

/**
 * Where revocations are announced, after they are committed to the database. Whoever holds
 * live connections for a login (the signalling server's sockets) subscribes and drops them.
 * It rides the cluster bus: with several nodes each node hears every revocation and drops its
 * own sockets.
 */
export interface StaffSessionEvents {
  publish(event: StaffSessionRevoked): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: StaffSessionRevoked) => void): () => void;
}

export class BusStaffSessionEvents implements StaffSessionEvents {
  constructor(
    private readonly bus: ClusterBus,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  publish(event: StaffSessionRevoked): void {
    // The database already says the logins are revoked: a handshake or request with them is
    // refused whatever happens here; this only drops the sockets that are open now.
    this.bus.publish('staff.loginsRevoked', { userId: event.userId, staffSessionIds: [...event.staffSessionIds], reason: event.reason }).catch(this.onFailure);
  }

  subscribe(listener: (event: StaffSessionRevoked) => void): () => void {
    return this.bus.subscribe('staff.loginsRevoked', listener);
  }
}

/** True when the revocation covers this login. */
export function revokes(event: StaffSessionRevoked, login: { userId: string; staffSessionId: string }): boolean {
  return event.userId === login.userId && event.staffSessionIds.includes(login.staffSessionId);
}
