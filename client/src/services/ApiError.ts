import type { ErrorCode, WireError } from '@protocol/errors.ts';

/** Codes the client adds for failures that never reached the server. */
export type ClientErrorCode = ErrorCode | 'network' | 'timeout' | 'disconnected';

/** An HTTP API failure, carrying the server's wire error (or a client-side code). */
export class ApiError extends Error {
  readonly code: ClientErrorCode;
  readonly status: number;
  readonly details: Record<string, string> | undefined;

  constructor(code: ClientErrorCode, message: string, status = 0, details?: Record<string, string>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }

  static fromWire(status: number, wire: WireError): ApiError {
    return new ApiError(wire.code, wire.message, status, wire.details);
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
