import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DataLocations } from '../config.ts';

/*
 * Backup of the embedded default (SQLite + files in DATA_DIR), safe while the server runs:
 *  1. the database through SQLite's online backup API (a consistent snapshot, writers carry on);
 *  2. then every file of DATA_DIR (seal keys, sealed PDFs, attachments, JWT secret, …).
 * In that order a row in the snapshot always finds its file: agreements and attachments write
 * and rename their file before the row that names it is committed. A file written after the
 * snapshot is an orphan that start-up recovery removes.
 */

export const MANIFEST = 'manifest.json';
export const DATABASE_FILE = 'database.sqlite';
export const FILES_DIR = 'data';

export interface BackupManifest {
  format: 'cloud-mediation-backup/1';
  createdAt: string;
  /** The database the snapshot was taken from, and the migrations it had. */
  database: { source: string; file: typeof DATABASE_FILE; sha256: string; size: number; migrations: string[] };
  /** Files under `data/`, relative to DATA_DIR, with their hashes (checked by restore). */
  files: Array<{ path: string; sha256: string; size: number }>;
  /** Secrets that came from the environment and are NOT in the backup (keep them elsewhere). */
  notIncluded: string[];
}

/** `file:/abs/path.db` → `/abs/path.db`; other URLs are not the embedded database. */
export function sqlitePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) throw new Error(`backup handles the embedded SQLite database only (DATABASE_URL ${databaseUrl.split(':')[0]}:…)`);
  return path.resolve(databaseUrl.slice('file:'.length).replace(/\?.*$/, ''));
}

/** Files that are never copied: the live database, and half-written files (*.tmp, *.part, seal key being generated). */
function skipped(name: string, liveDb: Set<string>, full: string): boolean {
  return liveDb.has(full) || name.endsWith('.tmp') || name.endsWith('.part') || name.startsWith('.seal-tmp-');
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

async function listFiles(root: string, exclude: (name: string, full: string) => boolean, rel = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw error;
  }
  for (const entry of entries) {
    const relPath = path.join(rel, entry.name);
    const full = path.join(root, relPath);
    if (exclude(entry.name, full)) continue;
    if (entry.isDirectory()) out.push(...(await listFiles(root, exclude, relPath)));
    else if (entry.isFile()) out.push(relPath);
  }
  return out.sort();
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Writes `<outRoot>/cloud-mediation-<UTC time>/` (mode 0700: it holds the seal key and the JWT
 * secret) with the database snapshot, the data files and a manifest; returns its path.
 * The directory appears complete or not at all (written under a temporary name, then renamed).
 */
export async function backup(config: DataLocations, outRoot: string, now = new Date()): Promise<{ dir: string; manifest: BackupManifest }> {
  const dbFile = sqlitePath(config.databaseUrl);
  const root = path.resolve(outRoot);
  const finalDir = path.join(root, `cloud-mediation-${stamp(now)}`);
  const work = `${finalDir}.partial`;
  await mkdir(root, { recursive: true, mode: 0o700 });
  await rm(work, { recursive: true, force: true });
  await mkdir(path.join(work, FILES_DIR), { recursive: true, mode: 0o700 });
  try {
    // 1. The database, online.
    const source = new Database(dbFile, { fileMustExist: true });
    let migrations: string[] = [];
    try {
      await source.backup(path.join(work, DATABASE_FILE));
    } finally {
      source.close();
    }
    const copy = new Database(path.join(work, DATABASE_FILE), { readonly: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the database snapshot failed its integrity check: ${String(check)}`);
      const hasTable = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
      if (hasTable) {
        migrations = (copy.prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name').all() as Array<{ name: string }>).map((r) => r.name);
      }
    } finally {
      copy.close();
    }

    // 2. The files, after the snapshot (see above). The backup itself is skipped if it lies inside DATA_DIR.
    const liveDb = new Set([dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`]);
    const exclude = (name: string, full: string) => skipped(name, liveDb, full) || full === root || full.startsWith(root + path.sep);
    const files: BackupManifest['files'] = [];
    for (const rel of await listFiles(config.dataDir, exclude)) {
      const from = path.join(config.dataDir, rel);
      const to = path.join(work, FILES_DIR, rel);
      await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
      try {
        await copyFile(from, to);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile (an orphan cleaned up)
        throw error;
      }
      files.push({ path: rel.split(path.sep).join('/'), sha256: await sha256File(to), size: (await stat(to)).size });
    }

    const dbCopy = path.join(work, DATABASE_FILE);
    const manifest: BackupManifest = {
      format: 'cloud-mediation-backup/1',
      createdAt: now.toISOString(),
      database: { source: dbFile, file: DATABASE_FILE, sha256: await sha256File(dbCopy), size: (await stat(dbCopy)).size, migrations },
      files,
      notIncluded: files.some((f) => f.path === 'jwt-secret') ? [] : ['JWT_SECRET (set in the environment, not in DATA_DIR)'],
    };
    await writeFile(path.join(work, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    await rename(work, finalDir);
    return { dir: finalDir, manifest };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
