/**
 * Error codes shared by HTTP and socket answers. The client switches on `code`;
 * `message` is for people and may be shown as is.
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
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  /** Field-level problems for bad_request, keyed by dotted path. */
  details?: Record<string, string>;
}
