/*
 * npm run backup [-- --out DIR]
 * Backs up the database (SQLite: online backup API; PostgreSQL: pg_dump from PATH) and DATA_DIR's
 * files into DIR/cloud-mediation-<UTC time>/ (default DIR: ./backups). Safe while the server runs.
 * Reads DATA_DIR and DATABASE_URL like the server. Prints the backup directory.
 */
import { parseArgs } from 'node:util';
import { dataLocations } from '../server/config.ts';
import { backup } from '../server/ops/backup.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'backups' } } });
try {
  const { dir, manifest } = await backup(dataLocations(), values.out!);
  process.stderr.write(`backup: database + ${manifest.files.length} files\n`);
  for (const note of manifest.notIncluded) process.stderr.write(`backup: NOT included: ${note}\n`);
  process.stdout.write(`${dir}\n`);
} catch (error) {
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
