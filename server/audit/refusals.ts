import type { Principal } from '../auth/principals.ts';
import { createLogger } from '../logger.ts';
import { actorOf, currentRequestContext, type Actor, type RequestContext } from '../requestContext.ts';

const log = createLogger('audit');

export interface Refusal {
  /** What was attempted: a route key (`POST /api/sessions/:sessionId/end`), `socket lobby.admit`, or a service action with its object (`agreement.sign agreement:<id>`). */
  what: string;
  /** Why it was refused, in a few words (the error message is fine; never a token or a phone number). */
  reason: string;
  /** Who, when the request context does not know yet (e.g. refused before the principal was stored). */
  actor?: Principal | Actor;
}

/**
 * Records a permission refusal in the audit trail (who, what, when, from where). The ONE function
 * every permission or object check calls when it refuses someone, from a route, a service or a
 * socket request: the caller's IP, user agent and identity come from the request context.
 *
 * A 403 that reaches the HTTP error handler or a socket request's answer is recorded
 * automatically, so a check that throws `forbidden(...)` needs nothing more. Call this for
 * refusals that answer differently (e.g. 404 to hide that an object exists) or to give a more
 * precise `what`; the automatic recording then skips the request.
 *
 * Never throws and never delays the refusal: await it only to know the row is written (tests).
 */
export function recordRefusal(refusal: Refusal, context: RequestContext | undefined = currentRequestContext()): Promise<void> {
  if (!context?.audit) {
    log.warn('permission refusal outside a request context (not audited)', { what: refusal.what, reason: refusal.reason });
    return Promise.resolve();
  }
  context.refusalRecorded = true;
  const actor = refusal.actor === undefined ? context.actor : 'kind' in refusal.actor ? actorOf(refusal.actor) : refusal.actor;
  return context.audit.record({
    action: 'permission_refused',
    actor,
    target: refusal.what,
    detail: refusal.reason,
    ip: context.ip,
    userAgent: context.userAgent,
  });
}
