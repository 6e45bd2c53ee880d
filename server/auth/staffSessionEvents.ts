import { EventEmitter } from 'node:events';

/** Why a staff login stopped being valid before it expired. */
export type StaffSessionEndReason = 'logout';

/**
 * A staff login was revoked: one login (`staffSessionId`) or every login of the user
 * (`staffSessionId: null`, e.g. an account disabled or its password changed).
 */
export interface StaffSessionRevoked {
  userId: string;
  staffSessionId: string | null;
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
  return event.userId === login.userId && (event.staffSessionId === null || event.staffSessionId === login.staffSessionId);
}
