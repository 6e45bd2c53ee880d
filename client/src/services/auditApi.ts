import type { AuditAction, AuditPage } from '@protocol/audit.ts';
import { apiFetch } from './api.ts';

export interface AuditFilter {
  action?: AuditAction | undefined;
  user?: string | undefined;
  ip?: string | undefined;
  /** ISO date-times. */
  from?: string | undefined;
  to?: string | undefined;
}

/** The security audit trail (admins): newest first, `before` pages on. */
export function listAudit(filter: AuditFilter, before?: string): Promise<AuditPage> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, before })) if (v) params.set(k, v);
  const qs = params.toString();
  return apiFetch<AuditPage>(`/admin/audit${qs ? `?${qs}` : ''}`);
}
