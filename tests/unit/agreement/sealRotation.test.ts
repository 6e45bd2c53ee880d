import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LEGACY_ROOT_KEY_FILE, loadOrCreateSealKey, type SealKey } from '../../../server/agreement/orgKey.ts';
import { renderAgreementPdf } from '../../../server/agreement/render.ts';
import { sealPdf } from '../../../server/agreement/seal.ts';
import { exportLegacyRootKey, rotateSeal } from '../../../server/agreement/sealRotation.ts';
import { loadSealTrust, recordSealKey } from '../../../server/agreement/sealTrust.ts';
import { verifySealedPdf } from '../../../server/agreement/verify.ts';
import { ManualClock } from '../../../server/clock.ts';
import { sampleInput } from './fixtures.ts';

const ORG = '上海市黄浦区外滩街道';
const clock = new ManualClock('2026-11-26T08:47:20Z');
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cm-seal-rotation-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));

let unsealed: Buffer;
before(async () => {
  unsealed = await renderAgreementPdf(await sampleInput());
});

const samePublicKey = (keyPem: string, certPem: string) =>
  createPublicKey(keyPem)
    .export({ type: 'spki', format: 'der' })
    .equals(new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' }));

async function privateKeysIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await fs.readdir(dir, { recursive: true })) {
    const file = path.join(dir, name);
    if ((await fs.stat(file)).isFile() && (await fs.readFile(file, 'utf8')).includes('PRIVATE KEY')) found.push(name);
  }
  return found.sort();
}

async function verifyWithStore(dataDir: string, pdf: Buffer, at: Date) {
  const trust = await loadSealTrust(dataDir);
  return verifySealedPdf(pdf, undefined, { trustedRootsPem: trust.rootsPem, sealCertsPem: trust.sealCertsPem, at });
}

test('the root CA key never lies in the data directory; SEAL_ROOT_KEY_OUT gets it once', async () => {
  const dataDir = path.join(tmp, 'offline');
  const out = path.join(tmp, 'admin-usb', 'root-ca.key.pem');
  const key = await loadOrCreateSealKey(dataDir, ORG, { now: clock.now(), rootKeyOut: out });
  assert.deepEqual(await privateKeysIn(dataDir), ['seal/seal.key.pem'], 'only the sealing key is in the data directory');
  assert.equal((await fs.stat(out)).mode & 0o777, 0o600);
  assert.ok(samePublicKey(await fs.readFile(out, 'utf8'), key.rootCertPem), 'the written key is the root of the seal');

  const withoutOut = path.join(tmp, 'discarded');
  await loadOrCreateSealKey(withoutOut, ORG, { now: clock.now() });
  assert.deepEqual(await privateKeysIn(withoutOut), ['seal/seal.key.pem'], 'without SEAL_ROOT_KEY_OUT the root key is discarded');
});

test('rotation under the same (offline) root: PDFs sealed before still verify, the retired key is gone', async () => {
  const dataDir = path.join(tmp, 'same-root');
  const rootKey = path.join(tmp, 'same-root-ca.key.pem');
  const first = await loadOrCreateSealKey(dataDir, ORG, { now: clock.now(), rootKeyOut: rootKey });
  await recordSealKey(dataDir, first);
  const sealedBefore = await sealPdf(unsealed, first, clock.now());

  clock.advance(30 * 86_400_000);
  const r = await rotateSeal(dataDir, ORG, { rootKeyPath: rootKey, now: clock.now() });
  assert.equal(r.sameRoot, true);
  assert.notEqual(r.current.certSha256, first.certSha256);
  assert.ok(new X509Certificate(r.current.certPem).checkIssued(new X509Certificate(first.rootCertPem)), 'issued by the same root');
  assert.deepEqual(await privateKeysIn(r.retiredTo), [], 'the retired sealing key was deleted');

  const sealedAfter = await sealPdf(unsealed, r.current, clock.now());
  assert.equal((await verifyWithStore(dataDir, sealedBefore, new Date('2026-11-26T08:47:20Z'))).ok, true, 'sealed before the rotation');
  assert.equal((await verifyWithStore(dataDir, sealedAfter, clock.now())).ok, true, 'sealed after');
});

test('rotation without the root key makes a new root; the old one stays trusted for old PDFs', async () => {
  const dataDir = path.join(tmp, 'new-root');
  const t0 = clock.now();
  const first: SealKey = await loadOrCreateSealKey(dataDir, ORG, { now: t0 });
  await recordSealKey(dataDir, first);
  const sealedBefore = await sealPdf(unsealed, first, t0);

  clock.advance(86_400_000);
  const r = await rotateSeal(dataDir, ORG, { now: clock.now() });
  assert.equal(r.sameRoot, false);
  const trust = await loadSealTrust(dataDir);
  assert.equal(trust.rootsPem.length, 2);
  assert.equal(trust.sealCertsPem.length, 2);
  assert.equal((await verifyWithStore(dataDir, sealedBefore, t0)).ok, true);
  assert.equal((await verifyWithStore(dataDir, await sealPdf(unsealed, r.current, clock.now()), clock.now())).ok, true);
  // A rotation never re-enables the retired seal: the key now in use is the new one.
  assert.equal((await loadOrCreateSealKey(dataDir, ORG)).certSha256, r.current.certSha256);
});

test('a root key left in the seal directory by an earlier version is warned about and can be moved out', async () => {
  const dataDir = path.join(tmp, 'legacy');
  const key = await loadOrCreateSealKey(dataDir, ORG, { now: clock.now(), rootKeyOut: path.join(tmp, 'legacy-root.pem') });
  await fs.copyFile(path.join(tmp, 'legacy-root.pem'), path.join(dataDir, 'seal', LEGACY_ROOT_KEY_FILE));
  const warnings: string[] = [];
  await loadOrCreateSealKey(dataDir, ORG, { warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /export-root-key/);

  const out = path.join(tmp, 'exported', 'root.pem');
  await exportLegacyRootKey(dataDir, out);
  assert.ok(samePublicKey(await fs.readFile(out, 'utf8'), key.rootCertPem));
  assert.deepEqual(await privateKeysIn(dataDir), ['seal/seal.key.pem']);
  await assert.rejects(exportLegacyRootKey(dataDir, path.join(tmp, 'again.pem')), /already offline/);
});
