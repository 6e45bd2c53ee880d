import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../../../server/clock.ts';
import { AppError } from '../../../server/errors.ts';
import { LIMIT_KEY_PREFIX, RedisWindow, redisWindows } from '../../../server/limits/RedisWindow.ts';
import { memoryWindows } from '../../../server/limits/MemoryWindow.ts';
import { type SlidingWindows } from '../../../server/limits/SlidingWindow.ts';
import { startRedis, type RedisServer } from '../../helpers/redisServer.ts';

/*
 * The sliding-window counters: the in-memory one (one process) and the Redis one (a cluster),
 * against a real redis-server. Both must give the same answers for the same hits at the same
 * (injected) times; the Redis one must also hold its limit under concurrency, across connections.
 */

let server: RedisServer;
const connections: Redis[] = [];
function connect(): Redis {
  const r = new Redis(server.url, { maxRetriesPerRequest: 1 });
  connections.push(r);
  return r;
}

before(async () => {
  server = await startRedis();
});
after(async () => {
  for (const r of connections) r.disconnect();
  await server?.stop();
});

const MINUTE = 60_000;

/** One scenario, run on either implementation: what each step answered. */
async function scenario(make: (clock: ManualClock) => SlidingWindows): Promise<number[]> {
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  const w = make(clock)({ name: `scenario-${Math.random()}`, max: 3, windowMs: 10 * MINUTE });
  const out: number[] = [];
  const step = async (p: Promise<number>) => out.push(await p);
  await step(w.take('k')); // 0
  clock.advance(MINUTE);
  await step(w.take('k')); // 0
  await step(w.take('k')); // 0
  await step(w.take('k')); // blocked until the first leaves: 9 min
  clock.advance(9 * MINUTE - 1);
  await step(w.take('k')); // 1 ms
  clock.advance(1);
  await step(w.take('k')); // the first has left: counted
  await step(w.take('other')); // another key: its own window
  await w.forgive('k');
  await step(w.take('k')); // the forgiven hit's place: counted again
  await step(w.take('k')); // full again: waits for the hit at +1 min
  await w.reset('k');
  await step(w.take('k'));
  return out;
}

const EXPECTED = [0, 0, 0, 9 * MINUTE, 1, 0, 0, 0, MINUTE, 0];

describe('sliding window: in memory and in Redis answer alike', () => {
  test('in memory', async () => {
    assert.deepEqual(await scenario((clock) => memoryWindows(clock)), EXPECTED);
  });
  test('in Redis, time from the injected clock', async () => {
    const redis = connect();
    assert.deepEqual(await scenario((clock) => redisWindows(redis, clock)), EXPECTED);
  });
});

describe('the Redis window under concurrency', () => {
  test('50 takes at once with max 5: exactly 5 counted, the other 45 told the same wait', async () => {
    const clock = new ManualClock();
    const w = new RedisWindow(connect(), clock, { name: 'burst', max: 5, windowMs: MINUTE });
    const waits = await Promise.all(Array.from({ length: 50 }, () => w.take('10.0.0.1')));
    assert.equal(waits.filter((x) => x === 0).length, 5);
    assert.deepEqual([...new Set(waits.filter((x) => x > 0))], [MINUTE], 'every refusal waits for the window (same clock)');
  });

  test('two connections (two nodes) count against the same hits', async () => {
    const clock = new ManualClock();
    const spec = { name: 'shared', max: 5, windowMs: MINUTE };
    const [a, b] = [new RedisWindow(connect(), clock, spec), new RedisWindow(connect(), clock, spec)];
    const waits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).take('acct')));
    assert.equal(waits.filter((x) => x === 0).length, 5, 'five in all, not five per node');
    assert.ok((await a.take('acct')) > 0 && (await b.take('acct')) > 0);
    await a.reset('acct');
    assert.equal(await b.take('acct'), 0, "one node's reset frees the other's");
    clock.advance(MINUTE);
    assert.equal(await a.take('acct'), 0);
  });

  test('keys under cm:limit:<name>:, expiring a window after the last hit; names never share', async () => {
    const redis = connect();
    const clock = new ManualClock();
    const login = new RedisWindow(redis, clock, { name: 'login-ip', max: 1, windowMs: 5 * MINUTE });
    const report = new RedisWindow(redis, clock, { name: 'public-report-ip', max: 1, windowMs: 5 * MINUTE });
    assert.equal(await login.take('192.0.2.7'), 0);
    assert.equal(await report.take('192.0.2.7'), 0, 'another limit, another count');
    const key = `${LIMIT_KEY_PREFIX}login-ip:192.0.2.7`;
    assert.equal(await redis.zcard(key), 1);
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 4 * MINUTE && ttl <= 5 * MINUTE, `expiry ${ttl} ms`);
  });

  test('Redis gone: refused as unavailable (503), never let through uncounted', async () => {
    const lost = await startRedis();
    const redis = new Redis(lost.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    const w = new RedisWindow(redis, new ManualClock(), { name: 'gone', max: 5, windowMs: MINUTE });
    assert.equal(await w.take('k'), 0);
    await lost.stop();
    await assert.rejects(w.take('k'), (error: unknown) => error instanceof AppError && error.code === 'unavailable');
    redis.disconnect();
  });
});
