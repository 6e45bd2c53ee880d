import type { Clock } from '../clock.ts';
import { countRateLimitRefusal } from '../metrics/rateLimit.ts';
import { tooManyRequests } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { InFlight } from './InFlight.ts';
import { memoryWindows } from './MemoryWindow.ts';
import { type SlidingWindow, type SlidingWindows } from './SlidingWindow.ts';
import { WorkGate } from './WorkGate.ts';

export interface PasswordAttemptLimits {
  /** Failed attempts per account+IP before refusing (default 10 per 10 minutes). */
  maxFailures?: number;
  failureWindowMs?: number;
  /** Failed attempts per IP over all accounts (default 50 per 10 minutes). */
  maxFailuresPerIp?: number;
  /** Password checks in progress at once per account and per IP (default 2 and 8); more answer 429 at once. */
  maxInFlightPerAccount?: number;
  maxInFlightPerIp?: number;
  /** The process's gate for password hashing (shared with the public query code checks). */
  passwordWork?: WorkGate;
  /** Where the failure windows are counted (default: in this process; cluster mode: Redis). */
  windows?: SlidingWindows;
}

/** One admitted attempt: `check` compares the password through the work gate and settles the count. */
export interface PasswordAttempt {
  check(verify: () => Promise<boolean>): Promise<boolean>;
}

/** Refused for being in flight or queued: "try again in a second". */
const BUSY_RETRY_MS = 1000;

/**
 * The limits on guessing a staff password, wherever one is typed (the login form, the current
 * password of a password change), so both count against the same windows. An attempt is counted
 * as a failure when admitted, before any password is checked, in one atomic check-and-count, so
 * a concurrent burst cannot outrun the count; a right password takes it back. The failure
 * windows are shared by every node of a cluster (SlidingWindow); the in-flight caps and the work
 * gate stay per process on purpose: they bound this process's CPU and queue, not the guesses.
 */
export class PasswordAttempts {
  readonly #log: Logger;
  readonly #byAccount: SlidingWindow;
  readonly #byIp: SlidingWindow;
  readonly #inFlightByAccount: InFlight;
  readonly #inFlightByIp: InFlight;
  /** Every scrypt of a staff password runs through this gate. */
  readonly work: WorkGate;

  constructor(clock: Clock, log: Logger, limits: PasswordAttemptLimits = {}) {
    this.#log = log;
    const windowMs = limits.failureWindowMs ?? 10 * 60_000;
    const windows = limits.windows ?? memoryWindows(clock);
    this.#byAccount = windows({ name: 'login-account', max: limits.maxFailures ?? 10, windowMs });
    this.#byIp = windows({ name: 'login-ip', max: limits.maxFailuresPerIp ?? 50, windowMs });
    this.#inFlightByAccount = new InFlight(limits.maxInFlightPerAccount ?? 2);
    this.#inFlightByIp = new InFlight(limits.maxInFlightPerIp ?? 8);
    this.work = limits.passwordWork ?? new WorkGate(2, 32);
  }

  /**
   * Runs `body` as one attempt for `account` (lower-cased username) from `ip`, or throws 429 with
   * Retry-After. An attempt refused before its password was looked at (busy, database error) does not count.
   */
  async run<T>(account: string, ip: string, body: (attempt: PasswordAttempt) => Promise<T>): Promise<T> {
    const accountKey = `${account}\u0000${ip}`;
    const release = await this.#admit(account, accountKey, ip);
    let evaluated = false;
    const attempt: PasswordAttempt = {
      check: async (verify) => {
        const ok = await this.work.run(() => {
          evaluated = true;
          return verify();
        });
        if (ok) {
          await this.#settle(this.#byAccount.reset(accountKey));
          await this.#settle(this.#byIp.forgive(ip));
        }
        return ok;
      },
    };
    try {
      return await body(attempt);
    } catch (error) {
      if (!evaluated) {
        await this.#settle(this.#byAccount.forgive(accountKey));
        await this.#settle(this.#byIp.forgive(ip));
      }
      throw error;
    } finally {
      release();
    }
  }

  /**
   * Taking an attempt back (a right password, or one never evaluated) as far as the store
   * answers: a failure is logged, not thrown, so the answer stays the password's (or the
   * request's own error). At worst an attempt stays counted.
   */
  async #settle(taking: Promise<void>): Promise<void> {
    await taking.catch((error: unknown) => this.#log.warn('could not take back a counted password attempt', { error: String(error) }));
  }

  async #admit(account: string, accountKey: string, ip: string): Promise<() => void> {
    const releaseAccount = this.#inFlightByAccount.enter(account);
    const releaseIp = releaseAccount && this.#inFlightByIp.enter(ip);
    if (!releaseAccount || !releaseIp) {
      releaseAccount?.();
      this.#log.warn('password attempt refused: too many in flight', { ip });
      countRateLimitRefusal(releaseAccount ? 'login in progress per address' : 'login in progress per account');
      throw tooManyRequests('Too many attempts in progress; try again in a moment', BUSY_RETRY_MS);
    }
    const release = () => {
      releaseIp();
      releaseAccount();
    };
    let accountWait: number;
    let ipWait: number;
    try {
      accountWait = await this.#byAccount.take(accountKey);
      ipWait = accountWait > 0 ? 0 : await this.#byIp.take(ip);
      if (ipWait > 0) await this.#byAccount.forgive(accountKey);
    } catch (error) {
      release();
      throw error;
    }
    if (accountWait > 0 || ipWait > 0) {
      release();
      const wait = Math.max(accountWait, ipWait);
      this.#log.warn('password attempts rate limited', { ip });
      countRateLimitRefusal(accountWait > 0 ? 'login per account' : 'login per address');
      const minutes = Math.ceil(wait / 60_000);
      throw tooManyRequests(`Too many failed password attempts; try again in ${minutes} minute(s)`, wait, {
        reason: 'login_rate_limited',
        params: { minutes },
      });
    }
    return release;
  }
}
