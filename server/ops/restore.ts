import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { backupManifestSchema, FILES_DIR, MANIFEST, sha256File, type BackupManifest } from './backup.ts';
import { databaseSnapshot } from './databaseSnapshot.ts';

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Restores a backup (server/ops/backup.ts) into an empty DATA_DIR and an empty database of the
 * same engine (a SQLite path that does not exist yet, or a PostgreSQL database without tables), with the
 * server stopped. Every file is checked against the manifest's hash first; nothing is written
 * if one differs. Refuses to overwrite existing data.
 */
export async function restore(backupDir: string, target: { dataDir: string; databaseUrl: string }): Promise<BackupManifest> {
  const parsed = backupManifestSchema.safeParse(JSON.parse(await readFile(path.join(backupDir, MANIFEST), 'utf8')));
  if (!parsed.success) throw new Error(`not a Cloud Mediation backup: ${backupDir} (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  const manifest = parsed.data;

  const database = databaseSnapshot(target.databaseUrl);
  if (manifest.database.file !== database.file) {
    throw new Error(`the backup holds ${manifest.database.file} and DATABASE_URL names ${database.file === 'database.sqlite' ? 'SQLite' : 'PostgreSQL'}: restore into the engine it was taken from`);
  }
  const dbSource = path.join(backupDir, database.file);
  if ((await sha256File(dbSource)) !== manifest.database.sha256) throw new Error('the database snapshot does not match its manifest hash');
  for (const f of manifest.files) {
    if (f.path.split('/').some((part) => part === '..' || part === '') || path.isAbsolute(f.path)) throw new Error(`unsafe path in manifest: ${f.path}`);
    const file = path.join(backupDir, FILES_DIR, ...f.path.split('/'));
    if ((await sha256File(file)) !== f.sha256) throw new Error(`${f.path} does not match its manifest hash`);
  }

  const dataDir = path.resolve(target.dataDir);
  if (!(await isEmptyOrMissing(dataDir))) throw new Error(`DATA_DIR ${dataDir} is not empty; restore into an empty directory (move the old one aside)`);
  await database.assertEmptyTarget();

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (const f of manifest.files) {
    const to = path.join(dataDir, ...f.path.split('/'));
    await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(path.join(backupDir, FILES_DIR, ...f.path.split('/')), to);
  }
  await database.load(dbSource);
  return manifest;
}
