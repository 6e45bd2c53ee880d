/*
 * npm run restore -- BACKUP_DIR
 * Restores a backup made by `npm run backup` into DATA_DIR and DATABASE_URL (as the server reads
 * them), which must not hold data yet (PostgreSQL: an empty database; pg_restore from PATH). Stop
 * the server first; start it afterwards (migrations newer than the backup are applied by
 * `prisma migrate deploy` as on any upgrade).
 */
import { parseArgs } from 'node:util';
import { dataLocations } from '../server/config.ts';
import { restore } from '../server/ops/restore.ts';

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const from = positionals[0];
if (!from || positionals.length !== 1) {
  process.stderr.write('usage: npm run restore -- BACKUP_DIR\n');
  process.exit(2);
}
try {
  const target = dataLocations();
  const manifest = await restore(from, target);
  process.stderr.write(`restore: database + ${manifest.files.length} files from ${manifest.createdAt} into ${target.dataDir}\n`);
  for (const note of manifest.notIncluded) process.stderr.write(`restore: not in the backup, set it again: ${note}\n`);
} catch (error) {
  process.stderr.write(`restore failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
