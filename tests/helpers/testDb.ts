import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDb, type Db } from '../../server/db/client.ts';
import { databaseProvider, pgPoolConfig, type DatabaseProvider } from '../../server/db/provider.ts';
import { adminQuery, TEMPLATE_DB, testCluster } from './postgresCluster.ts';
import { pgRawSql, sqliteRawSql, type RawSql } from './rawSql.ts';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The database engine of this test run: TEST_DATABASE=postgresql, else SQLite. */
export function testDatabaseProvider(): DatabaseProvider {
  const wanted = process.env.TEST_DATABASE ?? 'sqlite';
  if (wanted !== 'sqlite' && wanted !== 'postgresql') throw new Error(`TEST_DATABASE must be sqlite or postgresql, not ${wanted}`);
  return wanted;
}

/** A copy of a database at one moment; each `copy()` is a fresh database with that content. */
export interface DbSnapshot {
  /** A new database with the snapshot's content; resolves to its DATABASE_URL (SQLite: `dataDir`/cloud-mediation.db). */
  copy(dataDir: string): Promise<string>;
}

export interface TestDb {
  provider: DatabaseProvider;
  dataDir: string;
  databaseUrl: string;
  db: Db;
  /** Raw SQL behind Prisma's back (UPDATE/DELETE for tampering), on either engine. */
  sql: RawSql;
  snapshot(): Promise<DbSnapshot>;
  cleanup(): Promise<void>;
}

/** Applies prisma/migrations/<dir>/migration.sql in order, as `prisma migrate deploy` would (minus its bookkeeping table). */
export function applyMigrations(dbFile: string): void {
  const conn = new Database(dbFile);
  try {
    conn.pragma('foreign_keys = ON');
    const dirs = readdirSync(migrationsDir)
      .filter((d) => statSync(path.join(migrationsDir, d)).isDirectory())
      .sort();
    for (const d of dirs) conn.exec(readFileSync(path.join(migrationsDir, d, 'migration.sql'), 'utf8'));
  } finally {
    conn.close();
  }
}

/**
 * A fresh database with all migrations, in its own temporary DATA_DIR: SQLite there, or a PostgreSQL
 * database copied from the migrated template. The engine is this run's unless a test needs one
 * (cluster mode needs PostgreSQL: without TEST_PG_URL the process starts its own cluster).
 */
export async function createTestDb(provider: DatabaseProvider = testDatabaseProvider()): Promise<TestDb> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-test-'));
  if (provider === 'sqlite') {
    applyMigrations(path.join(dataDir, 'cloud-mediation.db'));
    return openTestDb(dataDir);
  }
  return openTestDb(dataDir, await newPgDatabase(TEMPLATE_DB));
}

async function newPgDatabase(template: string): Promise<string> {
  const cluster = await testCluster();
  const name = `cm_${randomBytes(6).toString('hex')}`;
  await adminQuery(cluster, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  return `${cluster}/${name}`;
}

/** A database without tables, e.g. a restore target: a SQLite path in `dataDir` (not created), or an empty PostgreSQL database. */
export async function emptyDatabaseUrl(dataDir: string): Promise<string> {
  return testDatabaseProvider() === 'sqlite' ? `file:${path.join(dataDir, 'cloud-mediation.db')}` : newPgDatabase('template0');
}

const dropDatabase = async (databaseUrl: string) => {
  const { database } = pgPoolConfig(databaseUrl);
  await adminQuery(databaseUrl.slice(0, databaseUrl.lastIndexOf('/')), `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
};

/** An existing DATA_DIR with its database (e.g. one restored from a backup); cleanup() removes both. */
export function openTestDb(dataDir: string, databaseUrl = `file:${path.join(dataDir, 'cloud-mediation.db')}`): TestDb {
  const provider = databaseProvider(databaseUrl);
  const dbFile = provider === 'sqlite' ? databaseUrl.slice('file:'.length) : '';
  const db = openDb(databaseUrl);
  const sql = provider === 'sqlite' ? sqliteRawSql(dbFile) : pgRawSql(pgPoolConfig(databaseUrl));
  const copies: string[] = [];
  return {
    provider,
    dataDir,
    databaseUrl,
    db,
    sql,
    async snapshot() {
      if (provider === 'sqlite') {
        const file = path.join(dataDir, `snapshot-${randomBytes(4).toString('hex')}.db`);
        await sql.run(`VACUUM INTO '${file}'`);
        return {
          async copy(into) {
            writeFileSync(path.join(into, 'cloud-mediation.db'), readFileSync(file));
            return `file:${path.join(into, 'cloud-mediation.db')}`;
          },
        };
      }
      // A template cannot be copied while connected (the server is), so the snapshot is a dump, restored once into a database the copies are made from.
      const base = databaseUrl.slice(0, databaseUrl.lastIndexOf('/'));
      const snap = `${pgPoolConfig(databaseUrl).database}_snap${copies.length}`;
      await adminQuery(base, `CREATE DATABASE ${snap} TEMPLATE template0`);
      copies.push(`${base}/${snap}`);
      const dump = execFileSync(path.join(PG_BIN, 'pg_dump'), ['--no-owner', '--dbname', databaseUrl], { maxBuffer: 256 << 20 });
      execFileSync(path.join(PG_BIN, 'psql'), ['-q', '-v', 'ON_ERROR_STOP=1', '--dbname', `${base}/${snap}`], {
        input: dump,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      return {
        async copy() {
          const name = `${snap}_${copies.length}`;
          await adminQuery(base, `CREATE DATABASE ${name} TEMPLATE ${snap}`);
          copies.push(`${base}/${name}`);
          return `${base}/${name}`;
        },
      };
    },
    async cleanup() {
      await sql.close();
      await db.$disconnect();
      if (provider === 'postgresql') for (const url of [databaseUrl, ...copies]) await dropDatabase(url);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
