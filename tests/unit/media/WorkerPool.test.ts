import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { Worker, WorkerSettings } from 'mediasoup/types';
import { WorkerPool } from '../../../server/media/WorkerPool.ts';
import { mediaCodecs } from '../../../server/media/mediaCodecs.ts';
import { log, mediaConfig, nextEvent, rejectsWith, until } from './helpers.ts';

test('starts numWorkers live workers and closes them all (idempotently)', async () => {
  const pool = await WorkerPool.create(mediaConfig(3), log);
  assert.equal(pool.size, 3);
  const workers = pool.workers;
  assert.equal(new Set(workers.map((w) => w.pid)).size, 3);
  for (const w of workers) assert.equal(w.closed, false);

  pool.close();
  pool.close();
  assert.equal(pool.size, 0);
  assert.equal(pool.closed, true);
  for (const w of workers) assert.equal(w.closed, true);
  await rejectsWith('unavailable', () => pool.next());
});

test('next() picks the least-loaded worker and follows routers closing', async () => {
  const pool = await WorkerPool.create(mediaConfig(2), log);
  try {
    const x = pool.next();
    const xRouter = await x.createRouter({ mediaCodecs });
    const y = pool.next();
    assert.notEqual(y, x, 'x has a router, so y is next');
    const yRouters = [await y.createRouter({ mediaCodecs }), await y.createRouter({ mediaCodecs })];
    // x: 1 router, y: 2 routers.
    for (let i = 0; i < 4; i++) assert.equal(pool.next(), x);
    for (const r of yRouters) r.close();
    // x: 1, y: 0.
    for (let i = 0; i < 4; i++) assert.equal(pool.next(), y);
    xRouter.close();
    // Tied at 0: round-robin hands out both.
    assert.equal(new Set([pool.next(), pool.next()]).size, 2);
  } finally {
    pool.close();
  }
});

test('a killed worker is reported, removed and replaced; size recovers', async () => {
  const pool = await WorkerPool.create(mediaConfig(2), log);
  try {
    const [victim, survivor] = pool.workers as [Worker, Worker];
    const router = await victim.createRouter({ mediaCodecs });
    const died = nextEvent(pool, 'workerDied');
    const replaced = nextEvent(pool, 'workerReplaced');

    process.kill(victim.pid, 'SIGKILL');
    const [deadWorker, error] = await died;
    assert.equal(deadWorker, victim);
    assert.ok(error instanceof Error);
    assert.equal(router.closed, true, 'routers of the dead worker are closed');
    assert.equal(pool.workers.includes(victim), false);

    const [dead, replacement] = await replaced;
    assert.equal(dead, victim);
    assert.notEqual(replacement.pid, victim.pid);
    assert.equal(pool.size, 2);
    assert.deepEqual(new Set(pool.workers), new Set([survivor, replacement]));
    // The replacement is usable.
    const r = await pool.next().createRouter({ mediaCodecs });
    assert.equal(r.closed, false);
  } finally {
    pool.close();
  }
});

test('a replacement that fails to start is retried until one starts', async () => {
  let failNext = false;
  let attempts = 0;
  const createWorker = (settings: WorkerSettings) => {
    attempts++;
    if (failNext) {
      failNext = false;
      return Promise.reject(new Error('spawn failed (test)'));
    }
    return mediasoup.createWorker(settings);
  };
  const pool = await WorkerPool.create(mediaConfig(1), log, { createWorker, retryDelayMs: 20 });
  try {
    const [victim] = pool.workers as [Worker];
    failNext = true;
    const replaced = nextEvent(pool, 'workerReplaced');
    process.kill(victim.pid, 'SIGKILL');
    await until(() => pool.size === 0, 'the dead worker to be removed');
    const [, replacement] = await replaced;
    assert.equal(attempts, 3, 'initial start, one failed replacement, one good one');
    assert.equal(pool.size, 1);
    assert.equal(replacement.closed, false);
  } finally {
    pool.close();
  }
});

test('create() rejects and closes already-started workers if one fails to start', async () => {
  const started: Worker[] = [];
  let calls = 0;
  const createWorker = async (settings: WorkerSettings) => {
    if (++calls === 2) throw new Error('spawn failed (test)');
    const w = await mediasoup.createWorker(settings);
    started.push(w);
    return w;
  };
  await assert.rejects(WorkerPool.create(mediaConfig(3), log, { createWorker }), /spawn failed/);
  assert.equal(started.length, 2);
  await until(() => started.every((w) => w.closed), 'started workers to be closed');
});
