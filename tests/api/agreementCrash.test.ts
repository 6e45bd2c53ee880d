import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CRASH_STEPS, Finaliser } from '../../server/agreement/Finaliser.ts';
import { verifySealedPdf } from '../../server/agreement/verify.ts';
import { sha256Hex } from '../../server/agreement/AgreementService.ts';
import { verifyChain } from '../../server/cases/timeline.ts';
import { loadConfig } from '../../server/config.ts';
import { openDb } from '../../server/db/client.ts';
import { newId } from '../../server/ids.ts';
import { createLogger } from '../../server/logger.ts';
import { artifactFile } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import type { DbSnapshot } from '../helpers/testDb.ts';
import { caseWithSession, partySigns, run, signatureDataUrl } from './agreementHelpers.ts';

/*
 * Crash safety of finalisation: for each step, a child process finalises a fully signed
 * agreement and SIGKILLs itself at that step. After "restart" (recovery), there is either no
 * agreement (and finalisation completes when run again) or a complete one whose file, stored
 * hash and timeline entry match. Never a half-written file that looks valid.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
let t: TestServer;
let snapshot: DbSnapshot;
let agreementId: string;
let caseId: string;
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-crash-'));

/** A DATA_DIR with its own copy of the database, as the crashed process left it. */
interface Copy {
  dir: string;
  databaseUrl: string;
}

function childFinalise(copy: Copy, crashAt?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'agreementFinaliseChild.ts')], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: copy.dir,
        DATABASE_URL: copy.databaseUrl,
        AGREEMENT_ID: agreementId,
        CLOCK: t.clock.now().toISOString(),
        ...(crashAt ? { CRASH_AT: crashAt } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

/** The state after restart: recovery run, then the invariant checked. */
async function inspect(copy: Copy, expectRemoved?: number): Promise<'none' | 'complete'> {
  const config = loadConfig({ DATA_DIR: copy.dir, DATABASE_URL: copy.databaseUrl, JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' });
  const db = openDb(config.databaseUrl);
  try {
    const finaliser = new Finaliser({ db, clock: t.clock, config, log: createLogger('inspect') });
    const removed = await finaliser.recover();
    if (expectRemoved !== undefined) assert.equal(removed.length, expectRemoved, `recovery removed ${removed.join(', ')}`);
    const dir = path.join(copy.dir, 'agreements');
    const files = existsSync(dir) ? readdirSync(dir) : [];
    assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no .tmp after recovery');
    const doc = await db.agreementDocument.findUnique({ where: { agreementId } });
    const a = await db.agreement.findUniqueOrThrow({ where: { id: agreementId } });
    const sealedEntries = await db.timelineEntry.findMany({ where: { caseId, type: 'agreement.sealed' } });
    assert.equal((await verifyChain(db, caseId)).ok, true, 'timeline chain intact');
    if (!doc) {
      assert.deepEqual(files, [], 'no file without a row');
      assert.equal(a.status, 'signing', 'still signing: finalisation can run again');
      assert.equal(sealedEntries.length, 0, 'no timeline entry');
      return 'none';
    }
    assert.deepEqual(files, [`${doc.id}.pdf`]);
    const pdf = readFileSync(path.join(dir, files[0]!));
    assert.equal(sha256Hex(pdf), doc.sha256, 'file hash = stored hash');
    assert.equal(pdf.length, doc.size);
    assert.equal(a.status, 'sealed');
    assert.equal(sealedEntries.length, 1);
    assert.equal(JSON.parse(sealedEntries[0]!.data).sha256, doc.sha256, 'timeline entry = stored hash');
    const key = await finaliser.sealKey();
    assert.equal(verifySealedPdf(pdf, doc.sha256, { trustedRootsPem: [key.rootCertPem], at: doc.sealedAt }).ok, true, 'seal verifies');
    return 'complete';
  } finally {
    await db.$disconnect();
  }
}

/** The labour template's typed fields, filled (a blank one stops the freeze). */
const filled = (fields: Array<{ id: string; value: string }>) =>
  fields.map((f) => ({ ...f, value: ({ wageAmount: '5000', payDate: '2026-04-01' } as Record<string, string>)[f.id] ?? f.value }));

before(async () => {
  t = await startTestServer();
  await t.createUser('cmed', 'mediator', undefined, { displayName: '孙调解员' });
  const mediator = (await t.login('cmed')).token;
  const f = await caseWithSession(t, mediator, ['钱多多', '赵有才']);
  caseId = f.caseId;
  let a = (await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} })).body;
  a = (
    await t.request('PUT', `/api/agreements/${a.id}/draft`, {
      token: mediator,
      body: {
        baseRevision: 1,
        content: { ...a.revision.content, clauses: ['赵有才于2026年4月1日前支付钱多多人民币5000元。'], fields: filled(a.revision.content.fields) },
      },
    })
  ).body;
  const fr = (await t.request('POST', `/api/agreements/${a.id}/freeze`, { token: mediator, body: { revision: 2 } })).body;
  agreementId = a.id;
  assert.equal((await partySigns(t, f.inviteA, f.partyA.id, f.partyA.phone, fr.frozen.hash, 61)).status, 200);
  assert.equal((await partySigns(t, f.inviteB, f.partyB.id, f.partyB.phone, fr.frozen.hash, 62)).status, 200);
  // The mediator's signature, recorded without finalising here: the child processes finalise.
  const png = Buffer.from(signatureDataUrl(63).split(',')[1]!, 'base64');
  await t.testDb.db.agreementSignature.create({
    data: {
      id: newId(),
      agreementId,
      revision: 2,
      revisionHash: fr.frozen.hash,
      kind: 'mediator',
      action: 'signed',
      actor: 'user:test',
      signerName: '孙调解员',
      imagePng: new Uint8Array(png),
      imageSha256: createHash('sha256').update(png).digest('hex'),
      consentTextSha256: 'c'.repeat(64),
      identityMethod: 'staff_login',
      ip: '127.0.0.1',
      userAgent: 'test',
      at: t.clock.now(),
    },
  });
  assert.equal((await t.services.agreement.finaliser.completeness(agreementId)).complete, true);
  snapshot = await t.testDb.snapshot();
});
after(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

async function freshCopy(name: string): Promise<Copy> {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return { dir, databaseUrl: await snapshot.copy(dir) };
}

describe('kill -9 during finalisation', () => {
  for (const step of CRASH_STEPS) {
    test(`SIGKILL at "${step}" → after restart either no agreement (and it completes again) or a complete one`, async () => {
      const copy = await freshCopy(step);
      const crashed = await childFinalise(copy, step);
      assert.equal(crashed.signal, 'SIGKILL', `child was killed (${crashed.out})`);
      // A .tmp (written, synced) or an orphan .pdf (renamed, killed in the transaction) is left behind.
      const leftover = ['tmp-written', 'tmp-synced', 'renamed', 'in-transaction'].includes(step) ? 1 : 0;
      const after = await inspect(copy, leftover);
      assert.equal(after, step === 'committed' ? 'complete' : 'none', `outcome at ${step}`);
      if (after === 'none') {
        const again = await childFinalise(copy);
        assert.equal(again.code, 0, again.out);
        assert.equal(await inspect(copy), 'complete');
      }
    });
  }
});

describe('the verifiers on a real finalised agreement', () => {
  let pdf: Buffer;
  let doc: { sha256: string; sealedAt: Date };
  let rootPem: string;
  const file = (name: string, b: Buffer) => {
    const p = path.join(work, name);
    writeFileSync(p, b);
    return p;
  };
  before(async () => {
    const copy = await freshCopy('verify');
    const dir = copy.dir;
    assert.equal((await childFinalise(copy)).code, 0);
    const db = openDb(copy.databaseUrl);
    const row = await db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    await db.$disconnect();
    doc = row;
    pdf = readFileSync(path.join(dir, 'agreements', `${row.id}.pdf`));
    rootPem = readFileSync(path.join(dir, 'seal', 'root-ca.crt.pem'), 'utf8');
    writeFileSync(artifactFile('agreement-finalised.pdf'), pdf);
  });

  test('untouched: pdfsig valid, whole document; our verifier ok', async () => {
    const { stdout } = await run('pdfsig', ['-nocert', file('ok.pdf', pdf)]);
    assert.match(stdout, /Signature Validation: Signature is Valid\./);
    assert.match(stdout, /Total document signed/);
    assert.equal(verifySealedPdf(pdf, doc.sha256, { trustedRootsPem: [rootPem], at: doc.sealedAt }).ok, true);
    const { stdout: text } = await run('pdftotext', [file('ok.pdf', pdf), '-']);
    for (const s of ['钱多多', '赵有才', '5000']) assert.ok(text.includes(s), s);
  });

  test('one byte flipped: pdfsig digest mismatch; our verifier says altered', async () => {
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(pdf.toString('latin1'))!;
    const altered = Buffer.from(pdf);
    altered[Number(m[3]) + Math.floor(Number(m[4]) / 2)]! ^= 0x01;
    const { stdout } = await run('pdfsig', ['-nocert', file('flipped.pdf', altered)]);
    assert.match(stdout, /Digest Mismatch/);
    const v = verifySealedPdf(altered, doc.sha256, { trustedRootsPem: [rootPem], at: doc.sealedAt });
    assert.equal(v.ok, false);
    assert.match(v.reason!, /^altered/);
    assert.match(verifySealedPdf(altered, undefined, { trustedRootsPem: [rootPem], at: doc.sealedAt }).reason!, /^altered: digest mismatch/);
  });

  test('bytes appended: pdfsig says not the total document; our verifier says altered', async () => {
    const appended = Buffer.concat([pdf, Buffer.from('\n1 0 obj\n<< /Title (forged) >>\nendobj\n%%EOF\n')]);
    const { stdout } = await run('pdfsig', ['-nocert', file('appended.pdf', appended)]);
    assert.match(stdout, /Not total document signed/);
    assert.match(verifySealedPdf(appended, undefined, { trustedRootsPem: [rootPem], at: doc.sealedAt }).reason!, /^altered: \d+ bytes after the signed range/);
    assert.equal(verifySealedPdf(appended, doc.sha256, { trustedRootsPem: [rootPem], at: doc.sealedAt }).ok, false);
  });
});
