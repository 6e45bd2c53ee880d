import { EventEmitter } from 'node:events';

/** Why a staff login stopped being valid before it expired. */
export const staffSessionEndReasons = ['logout', 'password_changed', 'account_disabled'] as const;
export type StaffSessionEndReason = (typeof staffSessionEndReasons)[number];

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
 * This in-process bus serves one node; with several nodes the same interface goes over a
 * shared channel (e.g. Redis pub/sub), each node subscribing for its own sockets.
 */
export interface StaffSessionEvents {
  publish(event: StaffSessionRevoked): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: StaffSessionRevoked) => void): () => void;
}

export class LocalStaffSessionEvents implements StaffSessionEvents {
  readonly #emitter = new EventEmitter();

  publish(event: StaffSessionRevoked): void {
    this.#emitter.emit('revoked', event);
  }

  subscribe(listener: (event: StaffSessionRevoked) => void): () => void {
    this.#emitter.on('revoked', listener);
    return () => this.#emitter.off('revoked', listener);
  }
}

/** True when the revocation covers this login. */
export function revokes(event: StaffSessionRevoked, login: { userId: string; staffSessionId: string }): boolean {
  return event.userId === login.userId && event.staffSessionIds.includes(login.staffSessionId);
}
