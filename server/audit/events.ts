import type { AuditAction } from '../protocol/audit.ts';
import { currentRequestContext, type Actor, type RequestContext } from '../requestContext.ts';

/**
 * Records an audit event for the request being handled (its IP, user agent and, unless given,
 * its identified actor). Never throws. Refusals go through recordRefusal (refusals.ts) instead.
 */
export function recordAudit(
  action: Exclude<AuditAction, 'permission_refused'>,
  fields: { actor?: Actor | null; target?: string; detail?: string } = {},
  context: RequestContext | undefined = currentRequestContext(),
): Promise<void> {
  if (!context?.audit) return Promise.resolve();
  return context.audit.record({
    action,
    actor: fields.actor === undefined ? context.actor : fields.actor,
    target: fields.target ?? null,
    detail: fields.detail ?? null,
    ip: context.ip,
    userAgent: context.userAgent,
  });
}
