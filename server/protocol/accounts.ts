import { z } from 'zod';
import type { StaffRole } from './roles.ts';

/** The password policy: at least this many characters (after NFKC, as the hash sees them). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/** `POST /api/auth/password`: the signed-in staff member changes their own password. */
export const changePasswordRequest = z
  .object({
    currentPassword: z.string().min(1, 'The current password is required').max(PASSWORD_MAX_LENGTH),
    newPassword: z.string().min(1, 'The new password is required').max(PASSWORD_MAX_LENGTH),
  })
  .strict();
export type ChangePasswordRequest = z.infer<typeof changePasswordRequest>;

export interface ChangePasswordResponse {
  /** The user's other logins that were signed out (this one stays). */
  otherLoginsEnded: number;
}

/** Why a new password is refused, as a catalogue reason (the server's field error, the client's check before sending). */
export type NewPasswordProblem =
  { reason: 'password_too_short'; params: { min: number } } | { reason: 'password_is_username' } | { reason: 'password_unchanged' };

export function newPasswordProblem(newPassword: string, context: { username: string; currentPassword: string }): NewPasswordProblem | null {
  const normalized = newPassword.normalize('NFKC');
  if ([...normalized].length < PASSWORD_MIN_LENGTH) return { reason: 'password_too_short', params: { min: PASSWORD_MIN_LENGTH } };
  if (normalized.trim().toLowerCase() === context.username.trim().toLowerCase()) return { reason: 'password_is_username' };
  if (normalized === context.currentPassword.normalize('NFKC')) return { reason: 'password_unchanged' };
  return null;
}

/** `PUT /api/admin/users/:userId/disabled` */
export const setAccountDisabledRequest = z.object({ disabled: z.boolean() }).strict();

/** A staff account as the admin's staff list shows it: never a password hash. */
export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  department: string | null;
  unitName: string | null;
  disabled: boolean;
  /** The latest sign-in, or null if never. */
  lastLoginAt: string | null;
}
