import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AppError, fail, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { LoginResponse, StaffUser } from '../protocol/api.ts';
import { staffRoles, partySides, type PartySide, type StaffRole, type InvitedRole } from '../protocol/roles.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { InvitationPrincipal, StaffPrincipal } from './principals.ts';
import { TokenService } from './tokens.ts';

const LOGIN_FAILED = 'Invalid username or password';

/** Sliding-window failure counter, in memory (one process). */
export class FailureLimiter {
  readonly #hits = new Map<string, number[]>();
  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  #recent(key: string): number[] {
    const cutoff = this.clock.now().getTime() - this.windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > cutoff);
    if (hits.length === 0) this.#hits.delete(key);
    else this.#hits.set(key, hits);
    return hits;
  }

  /** Milliseconds until the key may try again, or 0 when it may now. */
  blockedForMs(key: string): number {
    const hits = this.#recent(key);
    if (hits.length < this.max) return 0;
    const oldest = hits[hits.length - this.max] ?? 0;
    return Math.max(1, oldest + this.windowMs - this.clock.now().getTime());
  }

  fail(key: string): void {
    if (!this.#hits.has(key) && this.#hits.size >= this.maxKeys) this.#prune();
    const hits = this.#recent(key);
    hits.push(this.clock.now().getTime());
    this.#hits.set(key, hits);
  }

  reset(key: string): void {
    this.#hits.delete(key);
  }

  #prune(): void {
    for (const key of [...this.#hits.keys()]) this.#recent(key);
    // Still full: forget the oldest keys (Map keeps insertion order).
    for (const key of this.#hits.keys()) {
      if (this.#hits.size < this.maxKeys) break;
      this.#hits.delete(key);
    }
  }
}

export interface AuthServiceOptions {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  tokens: TokenService;
  /** Failed logins per username+IP before refusing (default 10 per 10 minutes). */
  maxFailures?: number;
  failureWindowMs?: number;
  /** Failed logins per IP over all usernames (default 50 per 10 minutes). */
  maxFailuresPerIp?: number;
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
  readonly #byUser: FailureLimiter;
  readonly #byIp: FailureLimiter;
  #dummyHash: Promise<string> | undefined;

  constructor(options: AuthServiceOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#config = options.config;
    this.#log = options.log;
    this.tokens = options.tokens;
    const windowMs = options.failureWindowMs ?? 10 * 60_000;
    this.#byUser = new FailureLimiter(options.clock, options.maxFailures ?? 10, windowMs);
    this.#byIp = new FailureLimiter(options.clock, options.maxFailuresPerIp ?? 50, windowMs);
    // Computed once up front, so even the first unknown-user login costs one scrypt like any other.
    this.#dummyHash = hashPassword('not-a-real-password-' + newId());
    this.#dummyHash.catch(() => undefined);
  }

  async login(username: string, password: string, ip = 'unknown'): Promise<LoginResponse> {
    const name = username.trim();
    const userKey = `${name.toLowerCase()}\u0000${ip}`;
    const wait = Math.max(this.#byUser.blockedForMs(userKey), this.#byIp.blockedForMs(ip));
    if (wait > 0) {
      this.#log.warn('login rate limited', { ip });
      const minutes = Math.ceil(wait / 60_000);
      throw fail('login_rate_limited', `Too many failed logins; try again in ${minutes} minute(s)`, { minutes });
    }

    const user = await this.#db.user.findUnique({ where: { username: name } });
    // Unknown users cost the same scrypt as known ones, so timing does not tell which names exist.
    const ok = user ? await verifyPassword(password, user.passwordHash) : await this.#burn(password);
    if (!user || !ok) {
      this.#byUser.fail(userKey);
      this.#byIp.fail(ip);
      throw unauthenticated(LOGIN_FAILED);
    }
    if (user.disabled) throw fail('account_disabled', 'This account is disabled');
    this.#byUser.reset(userKey);

    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + this.#config.staffSessionSeconds * 1000);
    const session = await this.#db.staffSession.create({
      data: { id: newId(), userId: user.id, createdAt: now, expiresAt },
    });
    const token = this.tokens.signStaff({ userId: user.id, staffSessionId: session.id, expiresAt });
    this.#log.info('staff login', { userId: user.id, role: user.role });
    return { token, expiresAt: expiresAt.toISOString(), user: toStaffUser(user) };
  }

  async logout(principal: StaffPrincipal): Promise<void> {
    await this.#db.staffSession.updateMany({
      where: { id: principal.staffSessionId, revokedAt: null },
      data: { revokedAt: this.#clock.now() },
    });
  }

  async verifyStaffToken(token: string): Promise<StaffPrincipal> {
    const claims = this.tokens.verifyStaff(token);
    const session = await this.#db.staffSession.findUnique({ where: { id: claims.jti }, include: { user: true } });
    if (!session || session.userId !== claims.sub) throw unauthenticated('session not found');
    if (session.revokedAt) throw unauthenticated('session has been logged out');
    if (session.expiresAt.getTime() <= this.#clock.now().getTime()) throw unauthenticated('session expired');
    if (session.user.disabled) throw unauthenticated('account disabled');
    return {
      kind: 'staff',
      userId: session.user.id,
      username: session.user.username,
      displayName: session.user.displayName,
      role: asStaffRole(session.user.role),
      department: session.user.department,
      staffSessionId: session.id,
    };
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
    return {
      kind: 'invitation',
      invitationId: inv.id,
      sessionId: inv.sessionId,
      role: inv.role as InvitedRole,
      displayName: inv.displayName,
      side: inv.side !== null && (partySides as readonly string[]).includes(inv.side) ? (inv.side as PartySide) : null,
      department: inv.department,
      partyId: inv.partyId,
    };
  }

  #burn(password: string): Promise<false> {
    this.#dummyHash ??= hashPassword('not-a-real-password-' + newId());
    return this.#dummyHash.then((h) => verifyPassword(password, h)).then(() => false as const);
  }
}
