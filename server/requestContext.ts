import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './auth/principals.ts';

/** Who is behind a request, as the audit trail names them (never a token or a phone number). */
export interface Actor {
  /** `user:<id>` or `invitation:<id>`; null when nobody was identified (a failed login: `name` is the one tried). */
  actor: string | null;
  userId: string | null;
  /** The staff username, or the invitation's display name. */
  name: string | null;
  role: string | null;
}

/** Where audit events go (server/audit/AuditLog.ts); an interface so this module stays dependency-free. */
export interface AuditSink {
  record(event: {
    action: string;
    actor: Actor | null;
    target?: string | null;
    detail?: string | null;
    ip: string | null;
    userAgent: string | null;
  }): Promise<void>;
}

/**
 * What the server knows about the request being handled: an HTTP request (from the route
 * registrar) or one socket request (from the signalling observer). Code deep in a service can
 * reach it (recordRefusal does) without every call passing it along.
 */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  /** Set once a token was verified (requireStaff, socket handshake). */
  actor: Actor | null;
  audit: AuditSink | null;
  /** A refusal of this request is already in the audit trail (the automatic 403 recording skips it). */
  refusalRecorded: boolean;
  /** Counts a rate-limit refusal (server/metrics); null when metrics are off. */
  countRateLimited: ((limiter: string) => void) | null;
  /** A rate-limit refusal of this request was counted (the automatic 429 count skips it). */
  rateLimitCounted: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function newRequestContext(fields: Partial<RequestContext> = {}): RequestContext {
  return {
    ip: null,
    userAgent: null,
    actor: null,
    audit: null,
    refusalRecorded: false,
    countRateLimited: null,
    rateLimitCounted: false,
    ...fields,
  };
}

export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context of the request being handled, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export function actorOf(principal: Principal): Actor {
  return principal.kind === 'staff'
    ? { actor: `user:${principal.userId}`, userId: principal.userId, name: principal.username, role: principal.role }
    : { actor: `invitation:${principal.invitationId}`, userId: null, name: principal.displayName, role: principal.role };
}

/** Names the verified principal behind the current request (before any permission check runs). */
export function identify(principal: Principal): void {
  const context = storage.getStore();
  if (context) context.actor = actorOf(principal);
}
