import { type DisputeType } from '@protocol/caseLoop.ts';
import type { CaseSummary } from '@protocol/cases.ts';
import { isErrorReason, type FieldProblem } from '@protocol/errors.ts';
import type { ParticipantRole, PartySide, StaffRole } from '@protocol/roles.ts';
import { hasKey, languageStore, type MessageKey, type Translate } from './index.ts';

type CaseState = CaseSummary['state'];

/** Labels for protocol enums and errors (by code and reason, from the catalogue), in the current language. */

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
export function participantLabel(t: Translate, who: { role: ParticipantRole; side: PartySide | null; department?: string | null }): string {
  if (who.role === 'party') return who.side ? sideLabel(t, who.side) : t('role.party');
  if (who.role === 'official' && who.department) return `${t('role.official')} · ${who.department}`;
  return t(`role.${who.role}`);
}

/** A case's state in the user's language: one label source (`cl.state.*`) for every page and both languages. */
export function caseStateLabel(t: Translate, state: CaseState): string {
  return t(`cl.state.${state}`);
}

const stateTone: Record<CaseState, 'neutral' | 'active' | 'good' | 'bad'> = {
  reported: 'neutral',
  registered: 'neutral',
  routed: 'neutral',
  assigned: 'neutral',
  in_mediation: 'active',
  closed_settled: 'good',
  closed_unsettled: 'bad',
  followed_up: 'good',
  escalated: 'neutral',
  reopened: 'active',
};

export function caseStateTone(state: CaseState): 'neutral' | 'active' | 'good' | 'bad' {
  return stateTone[state];
}

/** The parts of an ApiError / RequestError / wire error that say what went wrong. */
interface ErrorLike {
  code?: unknown;
  reason?: unknown;
  params?: unknown;
}

/** Parameters that arrive as codes are put in as labels (`in_mediation` → 调解中 / In mediation). */
const labelledParams: Record<string, readonly string[]> = {
  state: ['cl.state'],
  action: ['cl.action'],
  // A whistle's status, or a judicial confirmation application's.
  status: ['cl.wh.status', 'jud.status'],
  problem: ['grid.problem'],
};
/** Parameters that arrive as instants are put in as dates (`deadline`: the end of the judicial application period). */
const dateParams = new Set(['deadline']);

function labelParams(t: Translate, params: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (typeof params !== 'object' || params === null) return out;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const key = (labelledParams[name] ?? []).map((group) => `${group}.${String(value)}`).find(hasKey);
    if (key) out[name] = t(key);
    else if (dateParams.has(name) && typeof value === 'string' && !Number.isNaN(Date.parse(value)))
      out[name] = new Date(value).toLocaleDateString(languageStore.getSnapshot() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' });
    else out[name] = value;
  }
  return out;
}

/** The catalogue message for a reason (with its parameters), else null. */
function reasonText(t: Translate, reason: unknown, params: unknown): string | null {
  if (!isErrorReason(reason)) return null;
  const key = `error.${reason}`;
  return hasKey(key) ? t(key, labelParams(t, params)) : null;
}

/**
 * What to tell the user about a failure: the catalogue text for its reason (with parameters),
 * else for its code. Never the server's English `message`.
 */
export function errorText(t: Translate, error: unknown): string {
  const e: ErrorLike = typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
  const byReason = reasonText(t, e.reason, e.params);
  if (byReason !== null) return byReason;
  const key = `error.${String(e.code ?? 'internal')}`;
  return hasKey(key) ? t(key) : t('error.internal');
}

/** Field labels for problems the server names only by field (`parties.0.phone` → phone). */
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
  currentPassword: 'field.currentPassword',
  newPassword: 'field.newPassword',
  reason: 'cl.err.reason',
  summary: 'cl.err.summary',
  notes: 'cl.err.notes',
  need: 'cl.err.need',
  unitId: 'cl.err.department',
  text: 'cl.err.supText',
  answer: 'cl.err.answer',
  referralDetail: 'cl.err.referralDetail',
  date: 'cl.err.date',
  dueAt: 'cl.err.date',
};

/**
 * A field's problem in plain words: the server's reason for it when it gave one
 * (`fields[path]`), else the field's own hint, else a general one.
 */
export function fieldErrorText(t: Translate, path: string, problem?: FieldProblem): string {
  const byReason = problem ? reasonText(t, problem.reason, problem.params) : null;
  if (byReason !== null) return byReason;
  const field =
    path
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? '';
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

/** "14:05" in the user's language (times within today's session). */
export function formatClockTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hour12: false }).format(date);
}
