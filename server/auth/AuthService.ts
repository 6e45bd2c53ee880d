import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { fail, unauthenticated } from '../errors.ts';
import { PasswordAttempts, type PasswordAttemptLimits } from '../limits/PasswordAttempts.ts';
import type { WorkGate } from '../limits/WorkGate.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { LoginResponse, StaffUser } from '../protocol/api.ts';
import { staffRoles, partySides, type PartySide, type StaffRole, type InvitedRole } from '../protocol/roles.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { InvitationPrincipal, StaffPrincipal } from './principals.ts';
import { revokeLogins } from './revokeLogins.ts';
import type { StaffSessionEvents } from './staffSessionEvents.ts';
import { TokenService } from './tokens.ts';
import { identify } from '../requestContext.ts';

const LOGIN_FAILED = 'Invalid username or password';

export interface AuthServiceOptions extends PasswordAttemptLimits {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  tokens: TokenService;
  /** Revocations are announced here once committed (open sockets of that login are dropped). */
  staffSessions: StaffSessionEvents;
}

export function toStaffUser(u: { id: string; username: string; displayName: string; role: string; department: string | null }): StaffUser {
  return { id: u.id, username: u.username, displayName: u.displayName, role: asStaffRole(u.role), department: u.department };
}

function asStaffRole(role: string): StaffRole {
  if ((staffRoles as readonly string[]).includes(role)) return role as StaffRole;
  throw new Error(`unknown staff role in database: ${role}`);
}

export class AuthService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly tokens: TokenService;
  readonly #staffSessions: StaffSessionEvents;
  /** The limits on guessing a password: logins and password changes count against the same windows. */
  readonly attempts: PasswordAttempts;
  #dummyHash: Promise<string> | undefined;

  constructor(options: AuthServiceOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#config = options.config;
    this.#log = options.log;
    this.tokens = options.tokens;
    this.#staffSessions = options.staffSessions;
    this.attempts = new PasswordAttempts(options.clock, options.log, options);
    // Computed once up front, so even the first unknown-user login costs one scrypt like any other.
    this.#dummyHash = hashPassword('not-a-real-password-' + newId());
    this.#dummyHash.catch(() => undefined);
  }

  /** Every scrypt of a staff password runs through this gate. */
  get passwordWork(): WorkGate {
    return this.attempts.work;
  }

  async login(username: string, password: string, ip = 'unknown'): Promise<LoginResponse> {
    const name = username.trim();
    return this.attempts.run(name.toLowerCase(), ip, async (attempt) => {
      const user = await this.#db.user.findUnique({ where: { username: name } });
      // Unknown users cost the same scrypt as known ones, so timing does not tell which names exist.
      const ok = await attempt.check(() => (user ? verifyPassword(password, user.passwordHash) : this.#burn(password)));
      // The attempt was counted as a failure on admission; a wrong password leaves it counted.
      if (!user || !ok) throw unauthenticated(LOGIN_FAILED);
      if (user.disabled) throw fail('account_disabled', 'This account is disabled');

      const now = this.#clock.now();
      const expiresAt = new Date(now.getTime() + this.#config.staffSessionSeconds * 1000);
      const session = await this.#db.staffSession.create({
        data: { id: newId(), userId: user.id, createdAt: now, expiresAt },
      });
      await this.#withdrawIfOvertaken(user, session.id, now);
      const token = this.tokens.signStaff({ userId: user.id, staffSessionId: session.id, expiresAt });
      this.#log.info('staff login', { userId: user.id, role: user.role });
      return { token, expiresAt: expiresAt.toISOString(), user: toStaffUser(user) };
    });
  }

  /**
   * A password change or a disable committed while this password was being checked ended the
   * user's logins before this one existed (server/auth/revokeLogins.ts): look again, and
   * withdraw this login if the password it proved is no longer the password.
   */
  async #withdrawIfOvertaken(checked: { id: string; passwordHash: string }, staffSessionId: string, now: Date): Promise<void> {
    const user = await this.#db.user.findUnique({ where: { id: checked.id }, select: { passwordHash: true, disabled: true } });
    if (user && !user.disabled && user.passwordHash === checked.passwordHash) return;
    await this.#db.staffSession.update({ where: { id: staffSessionId }, data: { revokedAt: now } });
    throw user?.disabled ? fail('account_disabled', 'This account is disabled') : unauthenticated(LOGIN_FAILED);
  }

  async logout(principal: StaffPrincipal): Promise<void> {
    const deps = { db: this.#db, clock: this.#clock, staffSessions: this.#staffSessions };
    await revokeLogins(deps, principal.userId, { only: principal.staffSessionId }, 'logout');
  }

  async verifyStaffToken(token: string): Promise<StaffPrincipal> {
    const claims = this.tokens.verifyStaff(token);
    const session = await this.#db.staffSession.findUnique({ where: { id: claims.jti }, include: { user: true } });
    if (!session || session.userId !== claims.sub) throw unauthenticated('session not found');
    if (session.revokedAt) throw unauthenticated('session has been logged out');
    if (session.expiresAt.getTime() <= this.#clock.now().getTime()) throw unauthenticated('session expired');
    if (session.user.disabled) throw unauthenticated('account disabled');
    const principal: StaffPrincipal = {
      kind: 'staff',
      userId: session.user.id,
      username: session.user.username,
      displayName: session.user.displayName,
      role: asStaffRole(session.user.role),
      department: session.user.department,
      staffSessionId: session.id,
      expiresAt: earlier(session.expiresAt, claims.exp),
    };
    identify(principal);
    return principal;
  }

  /**
   * Verifies an invitation token against its row. The session the holder may enter is the
   * token's `sid`, and it must equal the row's session: callers use `principal.sessionId` only.
   * `allowEnded` lets the join page preview an ended session instead of getting `gone`.
   */
  async verifyInvitationToken(token: string, options: { allowEnded?: boolean } = {}): Promise<InvitationPrincipal> {
    const claims = this.tokens.verifyInvitation(token);
    const inv = await this.#db.invitation.findUnique({ where: { id: claims.jti }, include: { session: true } });
    if (!inv) throw unauthenticated('invitation not found');
    if (inv.sessionId !== claims.sid || inv.role !== claims.role) throw unauthenticated('invitation does not match token');
    if (inv.revokedAt) throw unauthenticated('invitation has been revoked');
    if (inv.expiresAt.getTime() <= this.#clock.now().getTime()) throw unauthenticated('invitation expired');
    if (inv.session.status !== 'open' && !options.allowEnded) throw fail('session_ended', 'This mediation session has ended');
    const principal: InvitationPrincipal = {
      kind: 'invitation',
      invitationId: inv.id,
      sessionId: inv.sessionId,
      role: inv.role as InvitedRole,
      displayName: inv.displayName,
      side: inv.side !== null && (partySides as readonly string[]).includes(inv.side) ? (inv.side as PartySide) : null,
      department: inv.department,
      partyId: inv.partyId,
      expiresAt: earlier(inv.expiresAt, claims.exp),
    };
    identify(principal);
    return principal;
  }

  #burn(password: string): Promise<false> {
    this.#dummyHash ??= hashPassword('not-a-real-password-' + newId());
    return this.#dummyHash.then((h) => verifyPassword(password, h)).then(() => false as const);
  }
}

/** The earlier of a row's expiry and a token's `exp` (unix seconds). */
function earlier(rowExpiresAt: Date, tokenExp: number): Date {
  return new Date(Math.min(rowExpiresAt.getTime(), tokenExp * 1000));
}
