import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { pgPoolConfig } from '../db/provider.ts';
import type { DatabaseSnapshot } from './snapshot.ts';

const run = promisify(execFile);

/** The URL without its password, which goes in PGPASSWORD instead (not in the process list). */
function forTools(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

/** pg_dump / pg_restore from PATH (Debian: postgresql-client), with a clear word when they are missing. */
async function client(tool: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    return (await run(tool, args, { env, maxBuffer: 64 << 20 })).stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${tool} not found on PATH: install the PostgreSQL client tools (Debian: postgresql-client), the server's major version or newer`, { cause: error });
    throw new Error(`${tool} failed: ${(e.stderr ?? e.message).trim()}`, { cause: error });
  }
}

async function query<T>(databaseUrl: string, sql: string): Promise<T[]> {
  const conn = new pg.Client(pgPoolConfig(databaseUrl));
  await conn.connect();
  try {
    return (await conn.query(sql)).rows as T[];
  } finally {
    await conn.end();
  }
}

/** PostgreSQL: pg_dump's custom format, taken in one snapshot transaction while writers carry on; restored with pg_restore in one transaction. */
export function pgSnapshot(databaseUrl: string): DatabaseSnapshot {
  const { host, port, user, database } = pgPoolConfig(databaseUrl);
  const tools = forTools(databaseUrl);
  return {
    file: 'database.pgdump',
    source: `postgresql://${user ?? ''}@${host ?? ''}:${port ?? 5432}/${database}`,
    liveFiles: [],
    async take(to) {
      await client('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${to}`, `--dbname=${tools.url}`], tools.env);
      await client('pg_restore', ['--list', to]); // the archive reads back whole
      const [table] = await query<{ present: boolean }>(databaseUrl, "SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS present");
      if (!table?.present) return [];
      return (await query<{ name: string }>(databaseUrl, 'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name')).map((r) => r.name);
    },
    async assertEmptyTarget() {
      const tables = await query<{ name: string }>(databaseUrl, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
      if (tables.length > 0) throw new Error(`the database ${database} already holds tables; restore into an empty database (createdb --locale=C.UTF-8 --template=template0)`);
    },
    async load(from) {
      await client('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${tools.url}`, from], tools.env);
    },
  };
}
