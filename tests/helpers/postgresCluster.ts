import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './freePort.ts';
import { alive } from './processes.ts';

/*
 * A real PostgreSQL 15 (Debian's `postgresql` package) for the tests, in a temporary directory on a
 * free loopback port, with trust authentication for the `postgres` role. Its template database is
 * migrated with `prisma migrate deploy`; each test database is a copy of it (CREATE DATABASE …
 * TEMPLATE), which takes milliseconds. scripts/run-tests.sh starts one cluster for a whole run and
 * passes it on in TEST_PG_URL; a test process started without it gets its own cluster, stopped by
 * PID when the process exits.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const TEMPLATE_DB = 'cm_template';

export interface PgCluster {
  /** `postgresql://postgres@127.0.0.1:<port>` (add `/<database>`). */
  url: string;
  pid: number;
  dir: string;
}

/** initdb refuses to run as root: as root, PostgreSQL runs as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  return { uid: uid!, gid: gid! };
}

async function ready(url: string, pid: number, log: string): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: `${url}/postgres` });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (!alive(pid) || Date.now() > end) throw new Error(`PostgreSQL did not start (${String(error)}):\n${readFileSync(log, 'utf8')}`, { cause: error });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A new cluster (initdb, C.UTF-8 like the README asks of production databases) with its migrated template (unless `template: false`). */
export async function startCluster(options: { template?: boolean } = {}): Promise<PgCluster> {
  if (!existsSync(path.join(BIN, 'initdb'))) throw new Error(`no PostgreSQL at ${BIN}: apt-get install postgresql (or set PG_BIN)`);
  const user = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  execFileSync(path.join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--locale=C.UTF-8', '--encoding=UTF8', '-N'], {
    ...user,
    stdio: 'pipe',
  });
  const port = await freePort();
  const log = path.join(dir, 'postgres.log');
  // Durability off (a test cluster): no fsync, no full-page writes. Sockets in its own directory.
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
  ];
  const fd = openSync(log, 'a');
  if (user) chownSync(log, user.uid, user.gid);
  const child = spawn(path.join(BIN, 'postgres'), args, { ...user, detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  const cluster = { url: `postgresql://postgres@127.0.0.1:${port}`, pid: child.pid!, dir };
  try {
    await ready(cluster.url, cluster.pid, log);
    if (options.template !== false) await createTemplate(cluster.url);
  } catch (error) {
    stopCluster(cluster);
    throw error;
  }
  return cluster;
}

/** The template every test database copies: all migrations, applied the way a deployment applies them. */
async function createTemplate(url: string): Promise<void> {
  await adminQuery(url, `CREATE DATABASE ${TEMPLATE_DB}`);
  execFileSync(path.join(root, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `${url}/${TEMPLATE_DB}` },
    stdio: 'pipe',
  });
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Immediate shutdown of the postmaster (by its PID), then its directory is removed. Synchronous: it runs at process exit. */
export function stopCluster(cluster: Pick<PgCluster, 'pid' | 'dir'>): void {
  if (alive(cluster.pid)) {
    process.kill(cluster.pid, 'SIGQUIT');
    const end = Date.now() + 10_000;
    while (alive(cluster.pid) && Date.now() < end) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  rmSync(cluster.dir, { recursive: true, force: true });
}

let own: Promise<string> | null = null;

/** The cluster of this test run (TEST_PG_URL), else one for this process. */
export function testCluster(): Promise<string> {
  if (process.env.TEST_PG_URL) return Promise.resolve(process.env.TEST_PG_URL);
  return (own ??= startCluster().then((cluster) => {
    process.once('exit', () => stopCluster(cluster));
    return cluster.url;
  }));
}

// scripts/run-tests.sh, scripts/new-migration.sh: `start [--no-template]` prints the shell variables of a new cluster; `stop PID DIR` stops it.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, pid, dir] = process.argv.slice(2);
  if (command === 'start' && (!pid || pid === '--no-template')) {
    const cluster = await startCluster({ template: !pid });
    process.stdout.write(`TEST_PG_URL=${cluster.url}\nTEST_PG_PID=${cluster.pid}\nTEST_PG_DIR=${cluster.dir}\n`);
  } else if (command === 'stop' && pid && dir) {
    stopCluster({ pid: Number(pid), dir });
  } else {
    process.stderr.write('usage: postgresCluster.ts start [--no-template] | stop PID DIR\n');
    process.exit(2);
  }
}
