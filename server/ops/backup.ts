import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataLocations } from '../config.ts';
import { z } from 'zod';
import { databaseSnapshot } from './databaseSnapshot.ts';

/*
 * Backup of the database and the files in DATA_DIR, safe while the server runs:
 *  1. a consistent snapshot of the database while writers carry on (SQLite's online backup API,
 *     or pg_dump for PostgreSQL: server/ops/databaseSnapshot.ts);
 *  2. then every file of DATA_DIR (seal keys, sealed PDFs, attachments, JWT secret, …).
 * In that order a row in the snapshot always finds its file: agreements and attachments write
 * and rename their file before the row that names it is committed. A file written after the
 * snapshot is an orphan that start-up recovery removes.
 */

export const MANIFEST = 'manifest.json';
export const FILES_DIR = 'data';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const size = z.number().int().nonnegative();

export const backupManifestSchema = z.object({
  format: z.literal('cloud-mediation-backup/1'),
  createdAt: z.string(),
  /** The database the snapshot was taken from, and the migrations it had; the file name tells the engine. */
  database: z.object({ source: z.string(), file: z.enum(['database.sqlite', 'database.pgdump']), sha256: sha256Hex, size, migrations: z.array(z.string()) }),
  /** Files under `data/`, relative to DATA_DIR, with their hashes (checked by restore). */
  files: z.array(z.object({ path: z.string(), sha256: sha256Hex, size })),
  /** Secrets that came from the environment and are NOT in the backup (keep them elsewhere). */
  notIncluded: z.array(z.string()),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

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
  const database = databaseSnapshot(config.databaseUrl);
  const root = path.resolve(outRoot);
  const finalDir = path.join(root, `cloud-mediation-${stamp(now)}`);
  const work = `${finalDir}.partial`;
  await mkdir(root, { recursive: true, mode: 0o700 });
  await rm(work, { recursive: true, force: true });
  await mkdir(path.join(work, FILES_DIR), { recursive: true, mode: 0o700 });
  try {
    // 1. The database, online.
    const dbCopy = path.join(work, database.file);
    const migrations = await database.take(dbCopy);

    // 2. The files, after the snapshot (see above). The backup itself is skipped if it lies inside DATA_DIR.
    const liveDb = new Set(database.liveFiles);
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

    const manifest: BackupManifest = {
      format: 'cloud-mediation-backup/1',
      createdAt: now.toISOString(),
      database: { source: database.source, file: database.file, sha256: await sha256File(dbCopy), size: (await stat(dbCopy)).size, migrations },
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
