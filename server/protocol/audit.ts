import { z } from 'zod';

/** What the audit trail records (server/audit). */
export const auditActions = [
  'login_succeeded',
  'login_failed',
  'logout',
  'password_changed',
  /** A wrong current password, or refused by the password-attempt limit (detail: the catalogue reason). */
  'password_change_failed',
  'account_disabled',
  'account_enabled',
  'contact_revealed',
  'permission_refused',
] as const;
export type AuditAction = (typeof auditActions)[number];
export const auditAction = z.enum(auditActions);

const when = z.iso.datetime({ offset: true });

/** `GET /api/admin/audit` query: every filter optional; newest first, `before` pages on. */
export const auditQuery = z
  .object({
    action: auditAction.optional(),
    /** Exact username (the one tried, for failed logins) or display name. */
    user: z.string().trim().min(1).max(64).optional(),
    ip: z.string().trim().min(1).max(64).optional(),
    from: when.optional(),
    to: when.optional(),
    /** The id of the last event of the previous page. */
    before: z.string().min(1).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type AuditQuery = z.input<typeof auditQuery>;

export interface AuditEventInfo {
  id: string;
  at: string;
  action: AuditAction;
  /** `user:<id>` / `invitation:<id>`, or null (nobody identified). */
  actor: string | null;
  userId: string | null;
  actorName: string | null;
  actorRole: string | null;
  target: string | null;
  detail: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditPage {
  events: AuditEventInfo[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: string | null;
}
