/*
 * What must never reach a log line: phone numbers, ID numbers, passwords, tokens (staff and
 * invitation JWTs, signing-link, follow-up and query-code secrets), one-time codes and the links
 * that carry them, TURN credentials. Removed by key (pino redact paths) and by value (patterns inside strings, for
 * error messages, URLs and text that happen to contain them).
 */

/** Field names whose values are always secret or personal, at any of the first three levels. */
const secretKeys = [
  'phone',
  'phones',
  'phoneNumber',
  'mobile',
  'idNumber',
  'idCard',
  'password',
  'passwordHash',
  'currentPassword',
  'newPassword',
  'secret',
  'token',
  'tokens',
  'jwt',
  'accessToken',
  'invitationToken',
  'signingToken',
  'followUpToken',
  'queryCode',
  'otp',
  'otpCode',
  'smsCode',
  'verificationCode',
  'authorization',
  'cookie',
  'signaturePng',
  // TURN: coturn's shared secret, the passwords minted from it, and the servers carrying them.
  'turnSecret',
  'credential',
  'iceServers',
];

export const redactionPaths: string[] = secretKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

const patterns: Array<[RegExp, string]> = [
  // Bearer credentials in a header value.
  [/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  // JWTs (staff logins, invitations): header.payload.signature, base64url.
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[jwt]'],
  // Links that carry a token in the fragment (/join#t=, /sign#t=, /followup#t=).
  [/#t=[^\s"'&]+/g, '#t=[redacted]'],
  // …or in a query parameter.
  [/([?&](?:t|token|access_token|code|queryCode|otp)=)[^\s"'&#]+/gi, '$1[redacted]'],
  // Signing-link tokens outside a link.
  [/\bsl_[A-Za-z0-9_-]{16,}/g, 'sl_[redacted]'],
  // One-time codes in SMS text.
  [/(验证码|查询码)\s*[:：]?\s*[0-9A-Za-z-]{4,10}/g, '$1[redacted]'],
  // Mainland ID numbers (18 digits, last may be X; and the old 15-digit form).
  [/(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g, '[id-number]'],
  // Mainland mobile numbers, optionally with +86.
  [/(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])/g, '[phone]'],
  // Query codes (XXXX-XXXX from a 32-letter alphabet without 0/O/1/I).
  [/(?<![0-9A-Z])[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}(?![0-9A-Z])/g, '[query-code]'],
  // Random base64url secrets (32 bytes → 43 chars; ids are 22): long runs that are not plain hex digests.
  [/(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[g-zG-Z_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g, '[token]'],
];

export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 6;

/** A copy of a log field value with errors serialised and every string scrubbed. */
export function scrubValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[deep]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubText(value.message) };
    if (value.stack) out.stack = scrubText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    if (value.cause !== undefined) out.cause = scrubValue(value.cause, depth + 1, seen);
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1, seen);
  return out;
}
