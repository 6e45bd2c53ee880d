import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { adminQuery, TEMPLATE_DB, testCluster } from '../../helpers/postgresCluster.ts';

/*
 * scripts/new-migration.sh writes one migration per engine from one schema change, and never
 * touches the main PostgreSQL database of DATABASE_URL: with the adapter's `{ connectionString }`
 * form, `migrate diff` replayed every migration on it (an empty database got all tables) while
 * reporting an empty migration. The script runs in a copy of the repository's prisma files.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-newmig-'));
let cluster: string;

const migrationNames = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

async function query<T>(database: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: `${cluster}/${database}` });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
const tables = (database: string) =>
  query<{ t: string }>(database, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").then((r) => r.map((x) => x.t));
const databases = () => query<{ d: string }>('postgres', 'SELECT datname AS d FROM pg_database ORDER BY 1').then((r) => r.map((x) => x.d));

function repoCopy(name: string): string {
  const dir = path.join(work, name);
  for (const f of [
    'prisma',
    'scripts/new-migration.sh',
    'scripts/gen-pg-schema.ts',
    'prisma.config.ts',
    'server/db/provider.ts',
    'package.json',
    'tsconfig.json',
  ]) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const newMigration = (repo: string, databaseUrl: string) =>
  run('bash', [path.join(repo, 'scripts/new-migration.sh'), 'probe'], { cwd: repo, env: { ...process.env, DATABASE_URL: databaseUrl } });

before(async () => {
  cluster = await testCluster();
  await adminQuery(cluster, 'CREATE DATABASE nm_empty');
  await adminQuery(cluster, `CREATE DATABASE nm_migrated TEMPLATE ${TEMPLATE_DB}`);
  await adminQuery(cluster, `CREATE DATABASE nm_deploy TEMPLATE ${TEMPLATE_DB}`);
});
after(async () => {
  for (const d of ['nm_empty', 'nm_migrated', 'nm_deploy']) await adminQuery(cluster, `DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  rmSync(work, { recursive: true, force: true });
});

test('both migration folders hold the same migrations in the same order', () => {
  assert.deepEqual(migrationNames(path.join(root, 'prisma/postgresql/migrations')), migrationNames(path.join(root, 'prisma/migrations')));
});

test('the committed migrations match the schema on both engines; an empty main database stays empty and no shadow database is left', async () => {
  const repo = repoCopy('unchanged');
  const before = await databases();
  const { stderr } = await newMigration(repo, `${cluster}/nm_empty`);
  assert.match(stderr, /nothing to do/);
  assert.deepEqual(await tables('nm_empty'), []);
  assert.deepEqual(await databases(), before);
  assert.deepEqual(migrationNames(path.join(repo, 'prisma/migrations')), migrationNames(path.join(root, 'prisma/migrations')));
});

test('one schema change → the same migration name in both folders, each applying on its engine; the main database is untouched', async () => {
  const repo = repoCopy('changed');
  const schema = path.join(repo, 'prisma/schema.prisma');
  writeFileSync(schema, readFileSync(schema, 'utf8').replace(/(model SmsOutbox \{\n)/, '$1  probe     String?\n'));
  const mainBefore = [await tables('nm_migrated'), await query('nm_migrated', 'SELECT migration_name FROM _prisma_migrations ORDER BY 1')];
  const { stdout } = await newMigration(repo, `${cluster}/nm_migrated`);

  const written = stdout.trim().split('\n');
  assert.equal(written.length, 2, stdout);
  const [sqliteFile, pgFile] = written as [string, string];
  assert.match(sqliteFile, /^prisma\/migrations\/\d{14}_probe\/migration\.sql$/);
  assert.equal(pgFile, sqliteFile.replace('prisma/migrations', 'prisma/postgresql/migrations'));
  assert.match(readFileSync(path.join(repo, sqliteFile), 'utf8'), /ALTER TABLE "SmsOutbox" ADD COLUMN "probe" TEXT;/);
  assert.match(readFileSync(path.join(repo, pgFile), 'utf8'), /ALTER TABLE "SmsOutbox" ADD COLUMN\s+"probe" TEXT;/);
  assert.deepEqual(
    [await tables('nm_migrated'), await query('nm_migrated', 'SELECT migration_name FROM _prisma_migrations ORDER BY 1')],
    mainBefore,
    'main database untouched',
  );

  // The new PostgreSQL migration deploys, and afterwards both folders match the schema again.
  await run(path.join(root, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], { cwd: repo, env: { ...process.env, DATABASE_URL: `${cluster}/nm_deploy` } });
  const columns = await query<{ c: string }>(
    'nm_deploy',
    `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'SmsOutbox' AND column_name = 'probe'`,
  );
  assert.equal(columns.length, 1);
  assert.match((await newMigration(repo, `${cluster}/nm_migrated`)).stderr, /nothing to do/);
});
