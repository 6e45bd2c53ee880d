import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './freePort.ts';
import { killAndClean } from './processes.ts';
import { until } from './wait.ts';

/*
 * A real Redis 7 (Debian's `redis-server`) for the tests: a temp dir, a free loopback port, no
 * persistence (`--save ''`, no AOF). Stopped by PID; the directory goes with it.
 */
export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-redis-'));
  const port = await freePort();
  const log = path.join(dir, 'redis.log');
  const fd = openSync(log, 'a');
  const child = spawn(
    BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no'],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  child.unref();
  const pid = child.pid!;
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await until(
      async () => {
        if (child.exitCode !== null) return true;
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          probe.disconnect();
          return false;
        }
      },
      () => `redis-server to answer on ${url}; its log:\n${safeRead(log)}`,
      20_000,
      50,
    );
  } finally {
    probe.disconnect();
  }
  if (child.exitCode !== null) throw new Error(`redis-server exited at start-up:\n${safeRead(log)}`);
  return {
    url,
    pid,
    stop: () => killAndClean(pid, 'redis-server', dir),
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}
