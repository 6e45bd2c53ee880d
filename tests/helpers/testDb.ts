import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDb, type Db } from '../../server/db/client.ts';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

export interface TestDb {
  dataDir: string;
  databaseUrl: string;
  dbFile: string;
  db: Db;
  /** A raw connection for tampering in tests (UPDATE/DELETE behind Prisma's back). */
  raw(): Database.Database;
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

/** A fresh SQLite database with all migrations, in its own temporary DATA_DIR. */
export function createTestDb(): TestDb {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-test-'));
  const dbFile = path.join(dataDir, 'cloud-mediation.db');
  applyMigrations(dbFile);
  return openTestDb(dataDir);
}

/** An existing DATA_DIR with its database (e.g. one restored from a backup); cleanup() removes it. */
export function openTestDb(dataDir: string): TestDb {
  const dbFile = path.join(dataDir, 'cloud-mediation.db');
  const databaseUrl = `file:${dbFile}`;
  const db = openDb(databaseUrl);
  const raws: Database.Database[] = [];
  return {
    dataDir,
    databaseUrl,
    dbFile,
    db,
    raw() {
      const conn = new Database(dbFile);
      raws.push(conn);
      return conn;
    },
    async cleanup() {
      for (const r of raws) r.close();
      await db.$disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
