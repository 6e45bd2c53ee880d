import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifySealedPdf } from '../../server/agreement/verify.ts';
import { ManualClock } from '../../server/clock.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { emptyDatabaseUrl, openTestDb } from '../helpers/testDb.ts';
import { scribblePng } from '../unit/agreement/fixtures.ts';
import { caseWithSession, partySigns, signatureDataUrl, withFilledFields } from './agreementHelpers.ts';

/*
 * `npm run backup` while the server runs and writes, `npm run restore` into a fresh DATA_DIR, a
 * server started on the restored data: the sealed agreement verifies by code and by file, its PDF
 * is byte-identical, logins made before the backup still work (JWT secret and sessions restored),
 * attachments and the timeline chain are intact. A damaged backup or a non-empty target is refused.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-backup-'));
const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const START = '2026-03-02T09:00:00+08:00';

let t: TestServer;
let restored: TestServer | undefined;

function npm(script: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, '--', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

before(async () => {
  // No JWT_SECRET: the server generates $DATA_DIR/jwt-secret, which the backup must carry.
  t = await startTestServer({ clock: new ManualClock(START), env: { JWT_SECRET: undefined } });
});
after(async () => {
  await restored?.close();
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

test('backup while the server runs, restore into a fresh DATA_DIR: the sealed agreement verifies, the PDF and logins survive', async () => {
  await t.createUser('bmed', 'mediator', undefined, { displayName: '周调解员' });
  await t.createUser('bsup', 'supervisor');
  const mediator = (await t.login('bmed')).token;
  const supervisor = (await t.login('bsup')).token;

  // A sealed agreement, through the usual steps.
  const f = await caseWithSession(t, mediator, ['赵备份', '钱恢复']);
  let a = (await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} })).body;
  a = (
    await t.request('PUT', `/api/agreements/${a.id}/draft`, {
      token: mediator,
      body: { baseRevision: 1, content: { ...withFilledFields(a.revision.content), clauses: ['钱恢复于2026年4月1日前支付赵备份人民币3000元。'] } },
    })
  ).body;
  const frozen = (await t.request('POST', `/api/agreements/${a.id}/freeze`, { token: mediator, body: { revision: 2 } })).body;
  assert.equal((await partySigns(t, f.inviteA, f.partyA.id, f.partyA.phone, frozen.frozen.hash, 81)).status, 200);
  assert.equal((await partySigns(t, f.inviteB, f.partyB.id, f.partyB.phone, frozen.frozen.hash, 82)).status, 200);
  const sealed = await t.request('POST', `/api/agreements/${a.id}/sign`, {
    token: mediator,
    body: { as: 'mediator', revisionHash: frozen.frozen.hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(83) },
  });
  assert.equal(sealed.status, 200, sealed.text);
  assert.equal(sealed.body.status, 'sealed');
  const doc = sealed.body.document as { verificationCode: string; sha256: string };
  const pdf = Buffer.from(
    await (await fetch(`${t.baseUrl}/api/agreements/${a.id}/document`, { headers: { authorization: `Bearer ${mediator}` } })).arrayBuffer(),
  );
  assert.equal(sha256(pdf), doc.sha256);

  // An attachment on the case (a file in DATA_DIR/attachments).
  const png = scribblePng(84);
  const up = await fetch(`${t.baseUrl}/api/cases/${f.caseId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mediator}`, 'content-type': 'image/png', 'x-filename': encodeURIComponent('现场照片.png') },
    body: new Uint8Array(png),
  });
  assert.equal(up.status, 201);
  const attachmentId = ((await up.json()) as { id: string }).id;

  // The backup, taken while the server keeps writing cases.
  const env = { DATA_DIR: t.testDb.dataDir, DATABASE_URL: t.testDb.databaseUrl };
  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) {
      const r = await t.request('POST', '/api/cases', {
        token: mediator,
        body: {
          disputeType: 'neighbour',
          title: `并发写入 ${written}`,
          description: '备份期间写入。',
          parties: [{ side: 'applicant', name: '孙并发', phone: '13700000000' }],
        },
      });
      assert.equal(r.status, 201, r.text);
      written++;
    }
  })();
  const made = await npm('backup', ['--out', path.join(work, 'backups')], env);
  writing = false;
  await writer;
  assert.equal(made.code, 0, made.stderr);
  assert.ok(written > 0, 'the server wrote during the backup');
  const backupDir = made.stdout.trim();
  assert.match(path.basename(backupDir), /^cloud-mediation-\d{8}T\d{6}Z$/);
  const manifest = JSON.parse(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
  const files = (manifest.files as Array<{ path: string }>).map((x) => x.path);
  assert.ok(files.includes('jwt-secret'), 'the JWT secret');
  assert.ok(
    files.some((p) => p.startsWith('seal/')),
    'the seal keys',
  );
  assert.ok(
    files.some((p) => p.startsWith('agreements/') && p.endsWith('.pdf')),
    'the sealed PDF',
  );
  assert.ok(
    files.some((p) => p.startsWith('attachments/')),
    'the attachment',
  );
  assert.deepEqual(manifest.notIncluded, []);

  // Restore refuses a non-empty target (the running server's own data directory).
  const onto = await npm('restore', [backupDir], env);
  assert.notEqual(onto.code, 0);
  assert.match(onto.stderr, /not empty/);

  // A damaged backup is refused before anything is written.
  const damagedDir = path.join(work, 'damaged');
  mkdirSync(damagedDir);
  const copyTree = (from: string, to: string) => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const a1 = path.join(from, entry.name);
      const b1 = path.join(to, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(b1);
        copyTree(a1, b1);
      } else writeFileSync(b1, readFileSync(a1));
    }
  };
  copyTree(backupDir, damagedDir);
  const pdfInBackup = files.find((p) => p.startsWith('agreements/'))!;
  const damagedPdf = path.join(damagedDir, 'data', ...pdfInBackup.split('/'));
  const bytes = readFileSync(damagedPdf);
  bytes[bytes.length - 100]! ^= 0x01;
  writeFileSync(damagedPdf, bytes);
  const damagedTarget = path.join(work, 'damaged-target');
  const refused = await npm('restore', [damagedDir], { DATA_DIR: damagedTarget, DATABASE_URL: await emptyDatabaseUrl(damagedTarget) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /does not match its manifest hash/);
  assert.throws(() => readdirSync(damagedTarget), 'nothing written');

  // Restore into a fresh directory; start a server on it (a different process would do the same).
  const fresh = path.join(work, 'restored-data');
  const freshUrl = await emptyDatabaseUrl(fresh);
  const back = await npm('restore', [backupDir], { DATA_DIR: fresh, DATABASE_URL: freshUrl });
  assert.equal(back.code, 0, back.stderr);
  const restoredDb = openTestDb(fresh, freshUrl);
  if (restoredDb.provider === 'sqlite') assert.deepEqual(await restoredDb.sql.get('PRAGMA integrity_check'), { integrity_check: 'ok' });
  const restoredCases = (await restoredDb.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM "Case"'))!.n;
  assert.ok(restoredCases >= 1 && restoredCases <= 1 + written, `a consistent snapshot (${restoredCases} cases)`);
  assert.equal(manifest.database.file, restoredDb.provider === 'sqlite' ? 'database.sqlite' : 'database.pgdump');

  restored = await startTestServer({ clock: new ManualClock(t.clock.now().toISOString()), env: { JWT_SECRET: undefined }, testDb: restoredDb });
  const r = restored;

  // The agreement verifies by code (the stored PDF checked against the restored seal) and by file.
  const byCode = await r.request('POST', '/api/verify/code', { body: { code: doc.verificationCode } });
  assert.equal(byCode.status, 200, byCode.text);
  assert.equal(byCode.body.status, 'authentic', byCode.text);
  const byFile = await fetch(`${r.baseUrl}/api/verify/file`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(pdf) });
  assert.equal(((await byFile.json()) as { status: string }).status, 'authentic');

  // The mediator's login from before the backup still works (secret and session row restored); the PDF is the same bytes.
  const dl = await fetch(`${r.baseUrl}/api/agreements/${a.id}/document`, { headers: { authorization: `Bearer ${mediator}` } });
  assert.equal(dl.status, 200);
  const pdfAfter = Buffer.from(await dl.arrayBuffer());
  assert.equal(sha256(pdfAfter), doc.sha256);
  const rootPem = (await r.services.agreement.finaliser.sealKey()).rootCertPem;
  assert.equal(rootPem, (await t.services.agreement.finaliser.sealKey()).rootCertPem, 'the same seal, not a new one');
  assert.equal(verifySealedPdf(pdfAfter, doc.sha256, { trustedRootsPem: [rootPem] }).ok, true);

  // The attachment and the timeline chain.
  const att = await fetch(`${r.baseUrl}/api/cases/${f.caseId}/attachments/${attachmentId}`, { headers: { authorization: `Bearer ${supervisor}` } });
  assert.equal(att.status, 200);
  assert.equal(sha256(Buffer.from(await att.arrayBuffer())), sha256(png));
  const chain = await r.request('GET', `/api/cases/${f.caseId}/timeline/verify`, { token: supervisor });
  assert.equal(chain.body.ok, true);
});
