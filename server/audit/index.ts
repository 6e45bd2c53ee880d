export { AuditLog, type AuditEntry } from './AuditLog.ts';
export { recordAudit } from './events.ts';
export { auditedLogin } from './login.ts';
export { recordRefusal, type Refusal } from './refusals.ts';
