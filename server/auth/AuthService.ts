import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AppError, fail, tooManyRequests, unauthenticated } from '../errors.ts';
import { FailureLimiter } from '../limits/FailureLimiter.ts';
import { InFlight } from '../limits/InFlight.ts';
import { WorkGate } from '../limits/WorkGate.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { LoginResponse, StaffUser } from '../protocol/api.ts';
import { staffRoles, partySides, type PartySide, type StaffRole, type InvitedRole } from '../protocol/roles.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { InvitationPrincipal, StaffPrincipal } from './principals.ts';
import type { StaffSessionEvents } from './staffSessionEvents.ts';
import { TokenService } from './tokens.ts';
import { identify } from '../requestContext.ts';

const LOGIN_FAILED = 'Invalid username or password';

export interface AuthServiceOptions {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  tokens: TokenService;
  /** Revocations are announced here once committed (open sockets of that login are dropped). */
  staffSessions: StaffSessionEvents;
  /** Failed logins per username+IP before refusing (default 10 per 10 minutes). */
  maxFailures?: number;
  failureWindowMs?: number;
  /** Failed logins per IP over all usernames (default 50 per 10 minutes). */
  maxFailuresPerIp?: number;
  /** Password checks in progress at once per account and per IP (default 2 and 8); more answer 429 at once. */
  maxInFlightPerAccount?: number;
  maxInFlightPerIp?: number;
  /** The process's gate for password hashing (shared with the public query code checks). */
  passwordWork?: WorkGate;
}

/** Logins answer "try again in a second" when refused for being in flight or queued. */
const BUSY_RETRY_MS = 1000;

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
  readonly #byUser: FailureLimiter;
  readonly #byIp: FailureLimiter;
  readonly #inFlightByAccount: InFlight;
  readonly #inFlightByIp: InFlight;
  /** Every scrypt of a login runs through this gate. */
  readonly passwordWork: WorkGate;
  #dummyHash: Promise<string> | undefined;

  constructor(options: AuthServiceOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#config = options.config;
    this.#log = options.log;
    this.tokens = options.tokens;
    this.#staffSessions = options.staffSessions;
    const windowMs = options.failureWindowMs ?? 10 * 60_000;
    this.#byUser = new FailureLimiter(options.clock, options.maxFailures ?? 10, windowMs);
    this.#byIp = new FailureLimiter(options.clock, options.maxFailuresPerIp ?? 50, windowMs);
    this.#inFlightByAccount = new InFlight(options.maxInFlightPerAccount ?? 2);
    this.#inFlightByIp = new InFlight(options.maxInFlightPerIp ?? 8);
    this.passwordWork = options.passwordWork ?? new WorkGate(2, 32);
    // Computed once up front, so even the first unknown-user login costs one scrypt like any other.
    this.#dummyHash = hashPassword('not-a-real-password-' + newId());
    this.#dummyHash.catch(() => undefined);
  }

  async login(username: string, password: string, ip = 'unknown'): Promise<LoginResponse> {
    const name = username.trim();
    const userKey = `${name.toLowerCase()}\u0000${ip}`;
    const release = this.#admitLogin(name.toLowerCase(), userKey, ip);
    let evaluated = false;
    try {
      const user = await this.#db.user.findUnique({ where: { username: name } });
      // Unknown users cost the same scrypt as known ones, so timing does not tell which names exist.
      const ok = await this.passwordWork.run(() => {
        evaluated = true;
        return user ? verifyPassword(password, user.passwordHash) : this.#burn(password);
      });
      // The attempt was counted as a failure on admission; a wrong password leaves it counted.
      if (!user || !ok) throw unauthenticated(LOGIN_FAILED);
      this.#byUser.reset(userKey);
      this.#byIp.forgive(ip);
      if (user.disabled) throw fail('account_disabled', 'This account is disabled');

      const now = this.#clock.now();
      const expiresAt = new Date(now.getTime() + this.#config.staffSessionSeconds * 1000);
      const session = await this.#db.staffSession.create({
        data: { id: newId(), userId: user.id, createdAt: now, expiresAt },
      });
      const token = this.tokens.signStaff({ userId: user.id, staffSessionId: session.id, expiresAt });
      this.#log.info('staff login', { userId: user.id, role: user.role });
      return { token, expiresAt: expiresAt.toISOString(), user: toStaffUser(user) };
    } catch (error) {
      if (!evaluated) {
        // Refused before the password was looked at (server busy, database error): it does not count.
        this.#byUser.forgive(userKey);
        this.#byIp.forgive(ip);
      }
      throw error;
    } finally {
      release();
    }
  }

  /**
   * Admits one login attempt or throws 429 with Retry-After: at most a few in flight per account
   * and per IP, and the attempt is counted against the failure windows here, before any password
   * is checked, in one synchronous step, so a concurrent burst cannot outrun the count.
   */
  #admitLogin(account: string, userKey: string, ip: string): () => void {
    const releaseAccount = this.#inFlightByAccount.enter(account);
    const releaseIp = releaseAccount && this.#inFlightByIp.enter(ip);
    if (!releaseAccount || !releaseIp) {
      releaseAccount?.();
      this.#log.warn('login refused: too many in flight', { ip });
      throw tooManyRequests('Too many logins in progress; try again in a moment', BUSY_RETRY_MS);
    }
    const release = () => {
      releaseIp();
      releaseAccount();
    };
    const userWait = this.#byUser.take(userKey);
    const ipWait = userWait > 0 ? 0 : this.#byIp.take(ip);
    if (userWait > 0 || ipWait > 0) {
      if (ipWait > 0) this.#byUser.forgive(userKey);
      release();
      const wait = Math.max(userWait, ipWait);
      this.#log.warn('login rate limited', { ip });
      const minutes = Math.ceil(wait / 60_000);
      throw tooManyRequests(`Too many failed logins; try again in ${minutes} minute(s)`, wait, { reason: 'login_rate_limited', params: { minutes } });
    }
    return release;
  }

  async logout(principal: StaffPrincipal): Promise<void> {
    await this.#db.staffSession.updateMany({
      where: { id: principal.staffSessionId, revokedAt: null },
      data: { revokedAt: this.#clock.now() },
    });
    this.#staffSessions.publish({ userId: principal.userId, staffSessionId: principal.staffSessionId, reason: 'logout' });
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
    };
    identify(principal);
    return principal;
  }

  #burn(password: string): Promise<false> {
    this.#dummyHash ??= hashPassword('not-a-real-password-' + newId());
    return this.#dummyHash.then((h) => verifyPassword(password, h)).then(() => false as const);
  }
}
