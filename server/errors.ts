import { ZodError } from 'zod';
import type { ErrorCode, WireError } from './protocol/errors.ts';

const httpStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  blank_fields: 422,
  payload_too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

/** An error that knows how it goes on the wire. Anything else becomes `internal`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string> | undefined;
  /** For too_many_requests: when to try again (HTTP `Retry-After`, whole seconds). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, string>, retryAfterSeconds?: number) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get status(): number {
    return httpStatus[this.code];
  }
}

export const badRequest = (message: string, details?: Record<string, string>) =>
  new AppError('bad_request', message, details);
export const unauthenticated = (message = 'Authentication required') =>
  new AppError('unauthenticated', message);
export const forbidden = (message = 'Not allowed') => new AppError('forbidden', message);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
/** A refusal by a limit: 429 with `Retry-After` (at least one second). */
export const tooManyRequests = (message: string, retryAfterMs: number, details?: Record<string, string>) =>
  new AppError('too_many_requests', message, details, Math.max(1, Math.ceil(retryAfterMs / 1000)));

export function zodDetails(error: ZodError): Record<string, string> {
  const details: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    details[key] ??= issue.message;
  }
  return details;
}

/** The one place an error becomes a wire answer; raw Error objects never leave the server. */
export function toWireError(error: unknown): { status: number; body: WireError; unexpected: boolean; retryAfterSeconds?: number } {
  if (error instanceof AppError) {
    const body: WireError = { code: error.code, message: error.message };
    if (error.details) body.details = error.details;
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
