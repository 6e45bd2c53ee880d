import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DatabaseSnapshot } from './snapshot.ts';

/** `file:/abs/path.db` → `/abs/path.db`. */
export function sqlitePath(databaseUrl: string): string {
  return path.resolve(databaseUrl.slice('file:'.length).replace(/\?.*$/, ''));
}

/** The embedded database: SQLite's online backup API (a consistent snapshot while writers carry on). */
export function sqliteSnapshot(databaseUrl: string): DatabaseSnapshot {
  const dbFile = sqlitePath(databaseUrl);
  return {
    file: 'database.sqlite',
    source: dbFile,
    liveFiles: [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`],
    async take(to) {
      const source = new Database(dbFile, { fileMustExist: true });
      try {
        await source.backup(to);
      } finally {
        source.close();
      }
      const copy = new Database(to, { readonly: true });
      try {
        const check = copy.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new Error(`the database snapshot failed its integrity check: ${String(check)}`);
        const hasTable = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
        if (!hasTable) return [];
        return (copy.prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name').all() as Array<{ name: string }>).map((r) => r.name);
      } finally {
        copy.close();
      }
    },
    async assertEmptyTarget() {
      const exists = await stat(dbFile).then(
        () => true,
        () => false,
      );
      if (exists) throw new Error(`the database ${dbFile} already exists; restore refuses to overwrite it`);
    },
    async load(from) {
      await mkdir(path.dirname(dbFile), { recursive: true });
      const tmp = `${dbFile}.restore.tmp`;
      await copyFile(from, tmp);
      await rename(tmp, dbFile);
      await rm(`${dbFile}-wal`, { force: true });
      await rm(`${dbFile}-shm`, { force: true });
    },
  };
}
