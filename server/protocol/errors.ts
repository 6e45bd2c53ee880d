import type { ZodError } from 'zod';
/**
 * Errors on the wire, shared by HTTP and socket answers.
 *
 * - `code` is the kind of failure (it decides the HTTP status); the client switches on it.
 * - `reason` (optional) names the exact situation the user is in, with typed `params`
 *   (`otp_wrong` + `{ attemptsLeft: 4 }`); `fields` does the same per form field (dotted path).
 * - The client renders `reason` (else `code`) from its message catalogue in the user's language.
 *   `message` and `details` are English for developers and logs: never shown to users.
 */
export const errorCodes = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'gone',
  /** A draft still has blanks (required fields empty); details name each one. */
  'blank_fields',
  'payload_too_large',
  'too_many_requests',
  'unavailable',
  'internal',
  /** Cluster mode: this session's room lives on another node; `params.node` names it. */
  'wrong_node',
  /** room.join while the session is recorded and this participant has not confirmed the notice (recording.consent). */
  'recording_consent_required',
  /** recording.start / recording.resume refused: the recording volume has less free space than RECORDING_MIN_FREE_MB. */
  'recording_disk_low',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Codes the client adds for failures that never reached the server. */
export const clientErrorCodes = ['network', 'timeout', 'disconnected'] as const;

type None = Record<string, never>;

/**
 * Every reason with the parameters its message needs. Parameters are values, never words:
 * numbers, names the user typed, or enum codes the client labels (`state`, `action`, `status`).
 */
export interface ErrorReasonParams {
  // staff login and links
  login_rate_limited: { minutes: number };
  account_disabled: None;
  account_self_disable: None;
  password_wrong: None;
  password_too_short: { min: number };
  password_is_username: None;
  password_unchanged: None;
  session_ended: None;
  invitation_invalid: None;
  wrong_node: { node: string };
  // the room
  removed_from_session: None;
  chat_not_admitted: None;
  // case loop
  case_action_not_allowed: { action: string };
  case_state_forbids: { action: string; state: string };
  case_not_lead: { action: string };
  case_closed: { state: string };
  case_changed_meanwhile: None;
  case_not_dissatisfied: None;
  escalation_not_higher: None;
  already_lead: { name: string };
  session_state_forbids: { state: string };
  unit_inactive: None;
  unit_level_mismatch: { unit: string };
  staff_inactive: None;
  lead_not_eligible: None;
  unit_name_taken: { name: string };
  rules_changed_meanwhile: None;
  date_in_future: None;
  date_before_close: None;
  due_date_past: None;
  follow_up_by_link_only: None;
  follow_up_link_invalid: None;
  follow_up_not_possible: { state: string };
  supervision_answered: None;
  supervision_not_lead: None;
  whistle_answered: None;
  whistle_not_caller: None;
  whistle_not_unit: { unit: string };
  public_rate_limited: { minutes: number };
  query_no_match: None;
  query_code_no_phone: None;
  attachment_type: None;
  attachment_empty: None;
  attachment_too_large: { mb: number };
  attachment_mismatch: None;
  // agreement and signing
  agreement_none: None;
  agreement_exists: None;
  agreement_sealed: None;
  agreement_not_sealed: None;
  agreement_already_frozen: None;
  agreement_not_latest: { revision: number };
  agreement_draft_changed: { revision: number };
  agreement_incomplete: None;
  agreement_text_changed: None;
  agreement_mediator_only: None;
  signing_link_invalid: None;
  sign_self_only: None;
  sign_official_not_party: None;
  sign_staff_not_party: None;
  sign_witness_official_only: None;
  sign_parties_first: { names: string };
  sign_already_signed: None;
  sign_already_refused: None;
  signature_invalid: None;
  signature_replayed: None;
  signatures_missing: None;
  otp_too_soon: { seconds: number };
  otp_hourly_limit: None;
  otp_expired: None;
  otp_locked: None;
  otp_wrong: { attemptsLeft: number };
  otp_used: None;
  verify_rate_limited: { minutes: number };
  // the mediation record (调解笔录)
  record_none: None;
  record_exists: None;
  record_sealed: None;
  record_draft_changed: { revision: number };
  record_not_confirming: None;
  record_text_changed: None;
  record_already_answered: None;
  record_not_signatory: None;
  record_no_objection: None;
  record_code_required: None;
  record_recorder_invalid: None;
  record_not_writer: None;
  record_answers_missing: None;
  // judicial confirmation (司法确认, server/judicial): the deadline as an ISO time
  judicial_agreement_not_sealed: None;
  judicial_period_over: { deadline: string };
  judicial_application_exists: { status: string };
  judicial_not_a_court: None;
  judicial_link_invalid: None;
  judicial_not_collecting: { status: string };
  judicial_already_confirmed: None;
  judicial_not_submitted: { status: string };
  judicial_already_decided: { status: string };
  judicial_reasons_required: None;
  judicial_no_ruling: None;
  // the grid map (server/grids): the first refused feature (index -1: the file), its code ('' when none), the problem (protocol/grids.ts gridImportProblems), the field ('' when none), how many more
  grid_import_invalid: { index: number; code: string; problem: string; field: string; more: number };
  // judicial confirmation hearing (server/judicial/HearingService.ts)
  judicial_hearing_not_submitted: None;
  // concurrency (server/db/failures.ts)
  saved_meanwhile: None;
  write_conflict: None;
}

export type ErrorReason = keyof ErrorReasonParams;
export type ErrorParams = Record<string, string | number>;

/** Each reason's kind of failure (and so its HTTP status); also the runtime list of reasons. */
export const errorReasonCode: { readonly [R in ErrorReason]: ErrorCode } = {
  login_rate_limited: 'too_many_requests',
  account_disabled: 'forbidden',
  account_self_disable: 'conflict',
  password_wrong: 'bad_request',
  password_too_short: 'bad_request',
  password_is_username: 'bad_request',
  password_unchanged: 'bad_request',
  session_ended: 'gone',
  invitation_invalid: 'unauthenticated',
  wrong_node: 'wrong_node',
  removed_from_session: 'forbidden',
  chat_not_admitted: 'forbidden',
  case_action_not_allowed: 'forbidden',
  case_state_forbids: 'conflict',
  case_not_lead: 'forbidden',
  case_closed: 'conflict',
  case_changed_meanwhile: 'conflict',
  case_not_dissatisfied: 'conflict',
  escalation_not_higher: 'conflict',
  already_lead: 'conflict',
  session_state_forbids: 'conflict',
  unit_inactive: 'bad_request',
  unit_level_mismatch: 'bad_request',
  staff_inactive: 'bad_request',
  lead_not_eligible: 'bad_request',
  unit_name_taken: 'conflict',
  rules_changed_meanwhile: 'conflict',
  date_in_future: 'bad_request',
  date_before_close: 'bad_request',
  due_date_past: 'bad_request',
  follow_up_by_link_only: 'bad_request',
  follow_up_link_invalid: 'unauthenticated',
  follow_up_not_possible: 'conflict',
  supervision_answered: 'conflict',
  supervision_not_lead: 'forbidden',
  whistle_answered: 'conflict',
  whistle_not_caller: 'forbidden',
  whistle_not_unit: 'forbidden',
  public_rate_limited: 'too_many_requests',
  query_no_match: 'not_found',
  query_code_no_phone: 'conflict',
  attachment_type: 'bad_request',
  attachment_empty: 'bad_request',
  attachment_too_large: 'payload_too_large',
  attachment_mismatch: 'bad_request',
  agreement_none: 'not_found',
  agreement_exists: 'conflict',
  agreement_sealed: 'conflict',
  agreement_not_sealed: 'conflict',
  agreement_already_frozen: 'conflict',
  agreement_not_latest: 'conflict',
  agreement_draft_changed: 'conflict',
  agreement_incomplete: 'bad_request',
  agreement_text_changed: 'conflict',
  agreement_mediator_only: 'forbidden',
  signing_link_invalid: 'unauthenticated',
  sign_self_only: 'forbidden',
  sign_official_not_party: 'forbidden',
  sign_staff_not_party: 'forbidden',
  sign_witness_official_only: 'forbidden',
  sign_parties_first: 'conflict',
  sign_already_signed: 'conflict',
  sign_already_refused: 'conflict',
  signature_invalid: 'bad_request',
  signature_replayed: 'conflict',
  signatures_missing: 'conflict',
  otp_too_soon: 'too_many_requests',
  otp_hourly_limit: 'too_many_requests',
  otp_expired: 'bad_request',
  otp_locked: 'too_many_requests',
  otp_wrong: 'bad_request',
  otp_used: 'bad_request',
  verify_rate_limited: 'too_many_requests',
  record_none: 'not_found',
  record_exists: 'conflict',
  record_sealed: 'conflict',
  record_draft_changed: 'conflict',
  record_not_confirming: 'conflict',
  record_text_changed: 'conflict',
  record_already_answered: 'conflict',
  record_not_signatory: 'forbidden',
  record_no_objection: 'forbidden',
  record_code_required: 'bad_request',
  record_recorder_invalid: 'bad_request',
  record_not_writer: 'forbidden',
  record_answers_missing: 'conflict',
  judicial_agreement_not_sealed: 'conflict',
  judicial_period_over: 'conflict',
  judicial_application_exists: 'conflict',
  judicial_not_a_court: 'bad_request',
  judicial_link_invalid: 'unauthenticated',
  judicial_not_collecting: 'conflict',
  judicial_already_confirmed: 'conflict',
  judicial_not_submitted: 'conflict',
  judicial_already_decided: 'conflict',
  judicial_reasons_required: 'bad_request',
  judicial_no_ruling: 'not_found',
  grid_import_invalid: 'bad_request',
  judicial_hearing_not_submitted: 'conflict',
  saved_meanwhile: 'conflict',
  write_conflict: 'conflict',
};

export const errorReasons = Object.keys(errorReasonCode) as ErrorReason[];

export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === 'string' && Object.hasOwn(errorReasonCode, value);
}

/** One form field's problem: a reason and its parameters. */
export interface FieldProblem {
  reason: ErrorReason;
  params?: ErrorParams;
}

export interface WireError {
  code: ErrorCode;
  /** For developers and logs (English); the client never shows it. */
  message: string;
  reason?: ErrorReason;
  params?: ErrorParams;
  /** Field-level problems for bad_request, keyed by dotted path (English, for developers). */
  details?: Record<string, string>;
  /** Field-level problems the client shows, keyed by dotted path. */
  fields?: Record<string, FieldProblem>;
}

/** zod issues in the wire's `details` shape (dotted path → first message), on both sides of the wire. */
export function zodDetails(error: ZodError): Record<string, string> {
  const details: Record<string, string> = {};
  for (const issue of error.issues) details[issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'] ??= issue.message;
  return details;
}
