import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pgSnapshot } from '../../../server/ops/pgSnapshot.ts';
import { restore } from '../../../server/ops/restore.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'cm-backup-engines-'));
after(() => rmSync(work, { recursive: true, force: true }));

function fakeBackup(file: 'database.sqlite' | 'database.pgdump'): string {
  const dir = path.join(work, file);
  mkdirSync(dir);
  const manifest = { format: 'cloud-mediation-backup/1', createdAt: new Date().toISOString(), database: { source: 'x', file, sha256: '0'.repeat(64), size: 0, migrations: [] }, files: [], notIncluded: [] };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

test('a backup is restored only into the engine it was taken from, before anything is read or written', async () => {
  const target = path.join(work, 'target');
  await assert.rejects(restore(fakeBackup('database.pgdump'), { dataDir: target, databaseUrl: `file:${path.join(target, 'cm.db')}` }), /holds database\.pgdump and DATABASE_URL names SQLite/);
  await assert.rejects(restore(fakeBackup('database.sqlite'), { dataDir: target, databaseUrl: 'postgresql://cm@127.0.0.1:1/cm' }), /holds database\.sqlite and DATABASE_URL names PostgreSQL/);
  assert.equal(existsSync(target), false, 'nothing written');
});

test('a manifest that is not ours is refused with the field at fault', async () => {
  const dir = path.join(work, 'odd');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ format: 'cloud-mediation-backup/1', database: { file: 'db.mdb' } }));
  await assert.rejects(restore(dir, { dataDir: path.join(work, 't2'), databaseUrl: 'file:/nonexistent/x.db' }), /not a Cloud Mediation backup: .*\(createdAt: /);
});

test('a PostgreSQL backup without pg_dump on PATH says what to install', async () => {
  const saved = process.env.PATH;
  process.env.PATH = path.join(work, 'empty-bin');
  try {
    await assert.rejects(pgSnapshot('postgresql://cm@127.0.0.1:1/cm').take(path.join(work, 'x.pgdump')), /pg_dump not found on PATH: install the PostgreSQL client tools \(Debian: postgresql-client\)/);
  } finally {
    process.env.PATH = saved;
  }
});
