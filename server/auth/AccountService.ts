import { recordAudit } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { AppError, badRequest, fail, fieldFail, notFound, zodDetails } from '../errors.ts';
import type { PasswordAttempts } from '../limits/PasswordAttempts.ts';
import type { Logger } from '../logger.ts';
import { changePasswordRequest, newPasswordProblem, setAccountDisabledRequest, type ChangePasswordResponse, type StaffAccount } from '../protocol/accounts.ts';
import { toStaffUser } from './AuthService.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { StaffPrincipal } from './principals.ts';
import { revokeLogins } from './revokeLogins.ts';
import type { StaffSessionEvents } from './staffSessionEvents.ts';

export interface AccountServiceDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** The login form's limits (AuthService.attempts): a wrong current password counts against them. */
  attempts: PasswordAttempts;
  staffSessions: StaffSessionEvents;
}

const WRONG_PASSWORD = 'The current password is wrong';

/**
 * Staff accounts: a staff member changes their own password; an admin lists accounts and
 * disables or enables them. Either ends logins at once (server/auth/revokeLogins.ts).
 */
export class AccountService {
  readonly #deps: AccountServiceDeps;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  /** Ends every other login of the user; this one stays. Audited, failures included. */
  async changePassword(principal: StaffPrincipal, input: unknown, ip: string): Promise<ChangePasswordResponse> {
    const parsed = changePasswordRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid input', zodDetails(parsed.error));
    const { currentPassword, newPassword } = parsed.data;
    const problem = newPasswordProblem(newPassword, { username: principal.username, currentPassword });
    if (problem) {
      const message = `New password refused: ${problem.reason}`;
      throw problem.reason === 'password_too_short'
        ? fieldFail('newPassword', problem.reason, message, problem.params)
        : fieldFail('newPassword', problem.reason, message);
    }

    const { db, attempts } = this.#deps;
    let provenHash: string;
    try {
      provenHash = await attempts.run(principal.username.toLowerCase(), ip, async (attempt) => {
        const user = await db.user.findUnique({ where: { id: principal.userId }, select: { passwordHash: true } });
        const stored = user?.passwordHash ?? '';
        if (!(await attempt.check(() => verifyPassword(currentPassword, stored)))) throw fieldFail('currentPassword', 'password_wrong', WRONG_PASSWORD);
        return stored;
      });
    } catch (error) {
      if (error instanceof AppError)
        await recordAudit('password_change_failed', { detail: error.reason ?? error.fields?.['currentPassword']?.reason ?? error.code });
      throw error;
    }

    const passwordHash = await attempts.work.run(() => hashPassword(newPassword));
    const ended = await revokeLogins(this.#deps, principal.userId, { allBut: principal.staffSessionId }, 'password_changed', async (tx) => {
      // Compare and set: of two changes proving the same old password, one wins.
      const { count } = await tx.user.updateMany({ where: { id: principal.userId, passwordHash: provenHash }, data: { passwordHash } });
      if (count !== 1) throw fieldFail('currentPassword', 'password_wrong', WRONG_PASSWORD);
    });
    await recordAudit('password_changed', { detail: String(ended) });
    this.#deps.log.info('password changed', { userId: principal.userId, otherLoginsEnded: ended });
    return { otherLoginsEnded: ended };
  }

  /** Every staff account, disabled ones too, for the admin's staff list. */
  async list(): Promise<StaffAccount[]> {
    const rows = await this.#deps.db.user.findMany({
      select: { ...accountFields, sessions: { select: { createdAt: true }, orderBy: { createdAt: 'desc' }, take: 1 } },
      orderBy: [{ disabled: 'asc' }, { role: 'asc' }, { displayName: 'asc' }],
    });
    return rows.map(({ sessions, ...row }) => toAccount(row, sessions[0]?.createdAt ?? null));
  }

  /** Disabling ends all the user's logins at once; enabling lets them sign in again (old logins stay ended). Audited. */
  async setDisabled(userId: string, input: unknown, principal: StaffPrincipal): Promise<StaffAccount> {
    const parsed = setAccountDisabledRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid input', zodDetails(parsed.error));
    const { disabled } = parsed.data;
    const { db, log } = this.#deps;
    const user = await db.user.findUnique({ where: { id: userId }, select: accountFields });
    if (!user) throw notFound('User');
    if (disabled && userId === principal.userId) throw fail('account_self_disable', 'An administrator cannot disable their own account');
    const lastLogin = await db.staffSession.findFirst({ where: { userId }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
    if (user.disabled === disabled) return toAccount(user, lastLogin?.createdAt ?? null);

    let ended = 0;
    if (disabled)
      ended = await revokeLogins(this.#deps, userId, 'all', 'account_disabled', (tx) => tx.user.update({ where: { id: userId }, data: { disabled } }));
    else await db.user.update({ where: { id: userId }, data: { disabled } });
    await recordAudit(disabled ? 'account_disabled' : 'account_enabled', { target: `user:${userId}`, detail: user.username });
    log.info(disabled ? 'account disabled' : 'account enabled', { userId, by: principal.userId, loginsEnded: ended });
    return toAccount({ ...user, disabled }, lastLogin?.createdAt ?? null);
  }
}

const accountFields = {
  id: true,
  username: true,
  displayName: true,
  role: true,
  department: true,
  disabled: true,
  unit: { select: { name: true } },
} as const;

function toAccount(
  row: { id: string; username: string; displayName: string; role: string; department: string | null; disabled: boolean; unit: { name: string } | null },
  lastLoginAt: Date | null,
): StaffAccount {
  return { ...toStaffUser(row), unitName: row.unit?.name ?? null, disabled: row.disabled, lastLoginAt: lastLoginAt?.toISOString() ?? null };
}
