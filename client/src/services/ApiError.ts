import type { clientErrorCodes, ErrorCode, ErrorParams, ErrorReason, FieldProblem, WireError } from '@protocol/errors.ts';

/** Codes the client adds for failures that never reached the server. */
export type ClientErrorCode = ErrorCode | (typeof clientErrorCodes)[number];

/**
 * An HTTP API failure, carrying the server's wire error (or a client-side code).
 * Show it with `errorText` (by reason and code); `message` is the server's English for logs.
 */
export class ApiError extends Error {
  readonly code: ClientErrorCode;
  readonly status: number;
  readonly details: Record<string, string> | undefined;
  readonly reason: ErrorReason | undefined;
  readonly params: ErrorParams | undefined;
  readonly fields: Record<string, FieldProblem> | undefined;

  constructor(
    code: ClientErrorCode,
    message: string,
    status = 0,
    details?: Record<string, string>,
    user: Pick<WireError, 'reason' | 'params' | 'fields'> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.reason = user.reason;
    this.params = user.params;
    this.fields = user.fields;
  }

  static fromWire(status: number, wire: WireError): ApiError {
    return new ApiError(wire.code, wire.message, status, wire.details, wire);
  }
}

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
