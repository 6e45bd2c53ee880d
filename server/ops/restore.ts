import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DATABASE_FILE, FILES_DIR, MANIFEST, sha256File, sqlitePath, type BackupManifest } from './backup.ts';

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Restores a backup (server/ops/backup.ts) into an empty DATA_DIR and database path, with the
 * server stopped. Every file is checked against the manifest's hash first; nothing is written
 * if one differs. Refuses to overwrite existing data.
 */
export async function restore(backupDir: string, target: { dataDir: string; databaseUrl: string }): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(path.join(backupDir, MANIFEST), 'utf8')) as BackupManifest;
  if (manifest.format !== 'cloud-mediation-backup/1') throw new Error(`not a Cloud Mediation backup: ${backupDir}`);

  const dbSource = path.join(backupDir, DATABASE_FILE);
  if ((await sha256File(dbSource)) !== manifest.database.sha256) throw new Error('the database snapshot does not match its manifest hash');
  for (const f of manifest.files) {
    if (f.path.split('/').some((part) => part === '..' || part === '') || path.isAbsolute(f.path)) throw new Error(`unsafe path in manifest: ${f.path}`);
    const file = path.join(backupDir, FILES_DIR, ...f.path.split('/'));
    if ((await sha256File(file)) !== f.sha256) throw new Error(`${f.path} does not match its manifest hash`);
  }

  const dataDir = path.resolve(target.dataDir);
  const dbFile = sqlitePath(target.databaseUrl);
  const dbInsideDataDir = path.dirname(dbFile) === dataDir;
  if (!(await isEmptyOrMissing(dataDir))) throw new Error(`DATA_DIR ${dataDir} is not empty; restore into an empty directory (move the old one aside)`);
  if (await exists(dbFile)) throw new Error(`the database ${dbFile} already exists; restore refuses to overwrite it`);

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (const f of manifest.files) {
    const to = path.join(dataDir, ...f.path.split('/'));
    await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(path.join(backupDir, FILES_DIR, ...f.path.split('/')), to);
  }
  if (!dbInsideDataDir) await mkdir(path.dirname(dbFile), { recursive: true });
  const tmp = `${dbFile}.restore.tmp`;
  await copyFile(dbSource, tmp);
  await rename(tmp, dbFile);
  await rm(`${dbFile}-wal`, { force: true });
  await rm(`${dbFile}-shm`, { force: true });
  return manifest;
}
