import type { DisputeType } from '@protocol/cases.ts';
import type { ParticipantRole, PartySide, StaffRole } from '@protocol/roles.ts';
import { hasKey, type MessageKey, type Translate } from './index.ts';

/** Labels for protocol enums and server errors, in the current language. */

export const disputeTypeLabel = (t: Translate, type: DisputeType | string): string => {
  const key = `disputeType.${type}`;
  return hasKey(key) ? t(key) : type;
};

export const sideLabel = (t: Translate, side: PartySide): string => t(`side.${side}`);

export const staffRoleLabel = (t: Translate, role: StaffRole | string): string => {
  const key = `staffRole.${role}`;
  return hasKey(key) ? t(key) : role;
};

/** 调解员 / 申请人 / 被申请人 / 部门人员 (with the department when known). */
export function participantLabel(
  t: Translate,
  who: { role: ParticipantRole; side: PartySide | null; department?: string | null },
): string {
  if (who.role === 'party') return who.side ? sideLabel(t, who.side) : t('role.party');
  if (who.role === 'official' && who.department) return `${t('role.official')} · ${who.department}`;
  return t(`role.${who.role}`);
}

/** Case status strings are free-form on the server; common ones are translated. */
const statusAliases: Record<string, MessageKey> = {
  new: 'caseStatus.pending',
  registered: 'caseStatus.pending',
  pending: 'caseStatus.pending',
  open: 'caseStatus.pending',
  accepted: 'caseStatus.pending',
  mediating: 'caseStatus.mediating',
  in_mediation: 'caseStatus.mediating',
  in_progress: 'caseStatus.mediating',
  active: 'caseStatus.mediating',
  resolved: 'caseStatus.resolved',
  mediated: 'caseStatus.resolved',
  settled: 'caseStatus.resolved',
  agreement: 'caseStatus.resolved',
  failed: 'caseStatus.failed',
  unresolved: 'caseStatus.failed',
  closed: 'caseStatus.closed',
  archived: 'caseStatus.closed',
  withdrawn: 'caseStatus.withdrawn',
};

export function caseStatusLabel(t: Translate, status: string): string {
  const key = statusAliases[status];
  return key ? t(key) : status;
}

export function caseStatusTone(status: string): 'neutral' | 'active' | 'good' | 'bad' {
  const key = statusAliases[status];
  if (key === 'caseStatus.mediating') return 'active';
  if (key === 'caseStatus.resolved') return 'good';
  if (key === 'caseStatus.failed') return 'bad';
  return 'neutral';
}

/** A message for an ApiError / RequestError code. */
export function errorText(t: Translate, error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : 'internal';
  const key = `error.${code}`;
  return hasKey(key) ? t(key) : t('error.internal');
}

/** Server validation messages we know, mapped to friendlier wording. */
const knownMessages: Record<string, MessageKey> = {
  'Name is required': 'field.name',
  'Enter a valid phone number': 'field.phone',
  'ID number must be 18 characters': 'field.idNumber',
  'Title is required': 'field.title',
  'Description is required': 'field.description',
  'At least one party is required': 'field.parties',
  'Display name is required': 'field.displayName',
  'Username is required': 'field.username',
  'Password is required': 'field.password',
};

const byField: Record<string, MessageKey> = {
  title: 'field.title',
  description: 'field.description',
  name: 'field.name',
  phone: 'field.phone',
  idNumber: 'field.idNumber',
  disputeType: 'field.disputeType',
  parties: 'field.parties',
  side: 'field.side',
  displayName: 'field.displayName',
  department: 'field.department',
  username: 'field.username',
  password: 'field.password',
};

/** A field error from the API `details` (path like `parties.0.phone`) in plain words. */
export function fieldErrorText(t: Translate, path: string, message: string): string {
  const known = knownMessages[message];
  if (known) return t(known);
  const field = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? '';
  const key = byField[field];
  return key ? t(key) : t('field.invalid');
}

export function formatDateTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
}
