import { ZodError } from 'zod';
import { dbFailureOf, type DbFailure } from './db/failures.ts';
import {
  errorReasonCode,
  zodDetails,
  type ErrorCode,
  type ErrorParams,
  type ErrorReason,
  type ErrorReasonParams,
  type FieldProblem,
  type WireError,
} from './protocol/errors.ts';

const httpStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  blank_fields: 422,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
  // Misdirected Request: the connection reached a node that does not hold this session's room.
  wrong_node: 421,
  recording_consent_required: 403,
  // Insufficient Storage
  recording_disk_low: 507,
};

/** What the user is told: a catalogue reason with its parameters, and per-field reasons. */
export interface UserFacing {
  reason?: ErrorReason;
  params?: ErrorParams;
  fields?: Record<string, FieldProblem>;
  /** For too_many_requests: when to try again (HTTP `Retry-After`, whole seconds). */
  retryAfterSeconds?: number;
}

/**
 * An error that knows how it goes on the wire. Anything else becomes `internal`.
 * `message` and `details` are English for developers; users see the client's text for
 * `reason` (or `code`) and `fields`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string> | undefined;
  readonly reason: ErrorReason | undefined;
  readonly params: ErrorParams | undefined;
  readonly fields: Record<string, FieldProblem> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, string>, user: UserFacing = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.reason = user.reason;
    this.params = user.params;
    this.fields = user.fields;
    this.retryAfterSeconds = user.retryAfterSeconds;
  }

  get status(): number {
    return httpStatus[this.code];
  }
}

export const badRequest = (message: string, details?: Record<string, string>) => new AppError('bad_request', message, details);
export const unauthenticated = (message = 'Authentication required') => new AppError('unauthenticated', message);
export const forbidden = (message = 'Not allowed') => new AppError('forbidden', message);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
/** A limit was hit: 429 with `Retry-After`, and the catalogue reason the user is shown (default: the code's text). */
export const tooManyRequests = (message: string, retryAfterMs: number, user: Omit<UserFacing, 'retryAfterSeconds'> = {}) =>
  new AppError('too_many_requests', message, undefined, { ...user, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });

type ParamsArgs<R extends ErrorReason> =
  Record<string, never> extends ErrorReasonParams[R]
    ? [params?: ErrorReasonParams[R], details?: Record<string, string>]
    : [params: ErrorReasonParams[R], details?: Record<string, string>];

/**
 * An error the user is told about by `reason` (its code comes from the reason table):
 * `fail('otp_wrong', 'Wrong code', { attemptsLeft: 4 })`.
 */
export function fail<R extends ErrorReason>(reason: R, message: string, ...[params, details]: ParamsArgs<R>): AppError {
  const user: UserFacing = { reason };
  if (params && Object.keys(params).length > 0) user.params = params as ErrorParams;
  return new AppError(errorReasonCode[reason], message, details, user);
}

/**
 * A bad_request about one field, shown next to it: `fieldFail('date', 'date_in_future', 'The date is in the future')`.
 * `details` keeps the English for developers.
 */
export function fieldFail<R extends ErrorReason>(field: string, reason: R, message: string, ...[params]: ParamsArgs<R>): AppError {
  const problem: FieldProblem = { reason };
  if (params && Object.keys(params).length > 0) problem.params = params as ErrorParams;
  return new AppError('bad_request', `Invalid request: ${message}`, { [field]: message }, { fields: { [field]: problem } });
}

/** One definition for server and client (server/protocol/errors.ts). */
export { zodDetails };

/**
 * What a concurrency failure that reached the caller means to the user: both are 409. A unique key
 * taken by a concurrent writer (the service checked under its lock, so this is the database's
 * last word), or a transaction that kept losing to others after its retries.
 */
const dbFailureError: { readonly [F in DbFailure]: () => AppError } = {
  unique_violation: () => fail('saved_meanwhile', 'A concurrent request saved the same record first'),
  write_conflict: () => fail('write_conflict', 'The transaction kept conflicting with concurrent ones; try again'),
};

/** The one place an error becomes a wire answer; raw Error objects never leave the server. */
export function toWireError(error: unknown): { status: number; body: WireError; unexpected: boolean; retryAfterSeconds?: number } {
  const dbFailure = dbFailureOf(error);
  if (dbFailure) return toWireError(dbFailureError[dbFailure]());
  if (error instanceof AppError) {
    const body: WireError = { code: error.code, message: error.message };
    if (error.reason) body.reason = error.reason;
    if (error.params) body.params = error.params;
    if (error.details) body.details = error.details;
    if (error.fields) body.fields = error.fields;
    const wire = { status: error.status, body, unexpected: false };
    return error.retryAfterSeconds === undefined ? wire : { ...wire, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof ZodError) {
    return {
      status: 400,
      body: { code: 'bad_request', message: 'Invalid input', details: zodDetails(error) },
      unexpected: false,
    };
  }
  return { status: 500, body: { code: 'internal', message: 'Internal server error' }, unexpected: true };
}
