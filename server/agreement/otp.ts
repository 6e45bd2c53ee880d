import { randomInt, timingSafeEqual } from 'node:crypto';
import { fail, tooManyRequests } from '../errors.ts';
import { sha256Hex } from './AgreementService.ts';

/*
 * The one-time SMS code, as the agreement's signing and the mediation record's confirmation both
 * use it: six digits, valid 10 minutes, 5 tries, one resend per 30 s and 5 per hour; only a hash
 * bound to its row, its purpose and the revision hash is stored.
 */

export const OTP_TTL_MS = 10 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
export const OTP_RESEND_MS = 30_000;
export const OTP_MAX_PER_HOUR = 5;

/** What the code is for: part of its hash, so a code for one document never opens another kind. */
export type OtpPurpose = 'cm-agreement-otp' | 'cm-record-otp' | 'cm-judicial-otp';

export const newOtpCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

export function otpHash(purpose: OtpPurpose, otpId: string, revisionHash: string, code: string): string {
  return sha256Hex(`${purpose}\u0000${otpId}\u0000${revisionHash}\u0000${code}`);
}

export function otpMatches(purpose: OtpPurpose, row: { id: string; codeHash: string }, revisionHash: string, code: string): boolean {
  return timingSafeEqual(Buffer.from(row.codeHash, 'hex'), Buffer.from(otpHash(purpose, row.id, revisionHash, code), 'hex'));
}

/**
 * Refuses a new code while the last one is under 30 s old or 5 were sent in the last hour.
 * `recent`: the codes sent to this person for this document in the last hour, newest first
 * (counted under the case lock, in one step with the new code).
 */
export function assertOtpSendable(recent: ReadonlyArray<{ createdAt: Date }>, now: Date): void {
  if (recent[0] && now.getTime() - recent[0].createdAt.getTime() < OTP_RESEND_MS) {
    const wait = recent[0].createdAt.getTime() + OTP_RESEND_MS - now.getTime();
    throw tooManyRequests('A code was sent a moment ago; please wait 30 seconds before asking again', wait, {
      reason: 'otp_too_soon',
      params: { seconds: Math.ceil(OTP_RESEND_MS / 1000) },
    });
  }
  const oldest = recent[OTP_MAX_PER_HOUR - 1];
  if (oldest) {
    throw tooManyRequests('Too many codes requested; try again later', oldest.createdAt.getTime() + 3_600_000 - now.getTime(), { reason: 'otp_hourly_limit' });
  }
}

export const oneHourBefore = (now: Date): Date => new Date(now.getTime() - 3_600_000);

/** A code row as every document's OTP table stores it. */
export interface OtpRow {
  id: string;
  codeHash: string;
  attempts: number;
  expiresAt: Date;
}

/** What spendOtp does to a document's OTP table (inside the caller's transaction, under the case lock). */
export interface OtpStore {
  /** The latest unconsumed code for this person and text, or null. */
  latest(): Promise<OtpRow | null>;
  /** Counts one attempt unless the code is consumed or at the limit: the rows changed (0 or 1). */
  countAttempt(id: string): Promise<number>;
  /** Consumes the code (unless already consumed): the rows changed (0 or 1). */
  consume(id: string): Promise<number>;
}

/**
 * Spends a code: the attempt is counted (and committed by the caller, also when the code is wrong)
 * before it is compared, so parallel guesses cannot get past the limit. A wrong code comes back as
 * the attempts left (the caller commits and then refuses with otp_wrong); the right one is consumed.
 */
export async function spendOtp(store: OtpStore, purpose: OtpPurpose, bound: string, code: string, now: Date): Promise<{ attemptsLeft: number } | null> {
  const otp = await store.latest();
  if (!otp || otp.expiresAt.getTime() <= now.getTime())
    throw fail('otp_expired', 'The code has expired or was not requested for this text; request a new code', {}, { code: 'Expired' });
  if ((await store.countAttempt(otp.id)) !== 1) throw tooManyRequests('Too many wrong codes; request a new code', OTP_RESEND_MS, { reason: 'otp_locked' });
  const attempts = otp.attempts + 1;
  if (!otpMatches(purpose, otp, bound, code)) {
    if (attempts >= OTP_MAX_ATTEMPTS) await store.consume(otp.id);
    return { attemptsLeft: OTP_MAX_ATTEMPTS - attempts };
  }
  if ((await store.consume(otp.id)) !== 1) throw fail('otp_used', 'The code was already used; request a new code');
  return null;
}
