import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import { LuaScript } from '../cluster/luaScript.ts';
import { AppError } from '../errors.ts';
import type { SlidingWindow, SlidingWindows, WindowSpec } from './SlidingWindow.ts';

/** Every counter's Redis key starts with this; then the window's name and the counted key. */
export const LIMIT_KEY_PREFIX = 'cm:limit:';

/*
 * One sorted set per key: a member per counted hit, scored by its time (the injected Clock's ms,
 * passed in, so every node and the tests agree on "now" without Redis's clock). The script trims
 * what left the window, counts, and adds in one step: Redis runs a script alone, so two nodes
 * cannot both pass the check before either is counted. The key expires a window after its last
 * hit, so idle keys leave by themselves.
 */
const TAKE = `
local key, now, window, max, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n >= max then
  local oldest = redis.call('ZRANGE', key, n - max, n - max, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window)
return 0
`;

/** The latest hit still in the window goes (a success, or an attempt never evaluated). */
const FORGIVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZPOPMAX', KEYS[1])
return 0
`;

const take = new LuaScript(TAKE);
const forgive = new LuaScript(FORGIVE);

/** Without Redis no limit can be checked: refused as unavailable (503), never let through uncounted. */
function unavailable(error: unknown): AppError {
  const e = new AppError('unavailable', `The shared rate-limit store does not answer (${(error as Error).message}); try again in a moment`);
  e.cause = error;
  return e;
}

/** A sliding window kept in the cluster's Redis: every node counts against the same hits. */
export class RedisWindow implements SlidingWindow {
  readonly #redis: Redis;
  readonly #clock: Clock;
  readonly #spec: WindowSpec;

  constructor(redis: Redis, clock: Clock, spec: WindowSpec) {
    this.#redis = redis;
    this.#clock = clock;
    this.#spec = spec;
  }

  #key(key: string): string {
    return `${LIMIT_KEY_PREFIX}${this.#spec.name}:${key}`;
  }

  async take(key: string): Promise<number> {
    const now = this.#clock.now().getTime();
    // Unique per hit, so hits at the same millisecond (a fixed test clock, two nodes) all count.
    const member = `${now}:${randomBytes(8).toString('hex')}`;
    const wait = await take.run(this.#redis, [this.#key(key)], [now, this.#spec.windowMs, this.#spec.max, member]).catch((error: unknown) => {
      throw unavailable(error);
    });
    return Number(wait);
  }

  async forgive(key: string): Promise<void> {
    await forgive.run(this.#redis, [this.#key(key)], [this.#clock.now().getTime(), this.#spec.windowMs]).catch((error: unknown) => {
      throw unavailable(error);
    });
  }

  async reset(key: string): Promise<void> {
    await this.#redis.del(this.#key(key)).catch((error: unknown) => {
      throw unavailable(error);
    });
  }
}

/** The windows of a node in cluster mode. */
export function redisWindows(redis: Redis, clock: Clock): SlidingWindows {
  return (spec) => new RedisWindow(redis, clock, spec);
}
