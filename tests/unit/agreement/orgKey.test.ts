import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadOrCreateSealKey, sealCommonName } from '../../../server/agreement/orgKey.ts';

const run = promisify(execFile);
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cm-orgkey-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));

test('seal common name', () => {
  assert.equal(sealCommonName('上海市黄浦区外滩街道'), '上海市黄浦区外滩街道 人民调解委员会 电子印章');
  assert.equal(sealCommonName('外滩街道人民调解委员会'), '外滩街道人民调解委员会 电子印章');
});

test('first run generates a root and a sealing certificate; later runs reuse them', async () => {
  const dataDir = path.join(tmp, 'data');
  const k1 = await loadOrCreateSealKey(dataDir, '上海市黄浦区外滩街道');
  assert.equal(k1.source, 'generated');
  assert.equal(k1.signerName, '上海市黄浦区外滩街道 人民调解委员会 电子印章');

  const leaf = new X509Certificate(k1.certPem);
  const root = new X509Certificate(k1.rootCertPem);
  assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey), 'seal cert is signed by the root');
  assert.equal(root.ca, true);
  assert.equal(leaf.ca, false);
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.match(leaf.subject, /CN=上海市黄浦区外滩街道 人民调解委员会 电子印章/);

  const sealDir = path.join(dataDir, 'seal');
  for (const name of await fs.readdir(sealDir)) {
    const st = await fs.stat(path.join(sealDir, name));
    assert.equal(st.mode & 0o777, 0o600, `${name} is 0600`);
  }
  assert.equal((await fs.stat(sealDir)).mode & 0o777, 0o700);
  assert.ok(
    (await fs.readdir(dataDir)).every((n) => !n.startsWith('.seal-tmp')),
    'no temp dir left',
  );

  const k2 = await loadOrCreateSealKey(dataDir, '上海市黄浦区外滩街道');
  assert.equal(k2.certSha256, k1.certSha256);
  assert.equal(k2.keyPem, k1.keyPem);
  assert.equal(k2.rootCertPem, k1.rootCertPem);
});

test('concurrent first runs agree on one key', async () => {
  const dataDir = path.join(tmp, 'race');
  const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateSealKey(dataDir, '外滩街道')));
  assert.equal(new Set(keys.map((k) => k.certSha256)).size, 1);
});

test('four nodes making the first seal on one shared DATA_DIR at the same moment end with one seal, one root key out, one trust entry', async () => {
  const dataDir = path.join(tmp, 'nodes');
  const rootKeyOut = path.join(tmp, 'nodes-offline', 'root-ca.key.pem');
  const child = path.join(import.meta.dirname, 'sealKeyChild.ts');
  const env = { ...process.env, DATA_DIR: dataDir, ORG: '外滩街道', ROOT_KEY_OUT: rootKeyOut, GO_AT: String(Date.now() + 2000) };
  const outs = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, ['--import', 'tsx', child], { env })));
  const shas = outs.map((o) => o.stdout.trim());
  assert.equal(new Set(shas).size, 1, `one seal: ${shas.join(', ')}`);
  const key = await loadOrCreateSealKey(dataDir, '外滩街道');
  assert.equal(key.certSha256, shas[0]);
  assert.deepEqual((await fs.readdir(dataDir)).sort(), ['seal', 'seal-trust'], 'no temporary directory left');
  assert.equal((await fs.readdir(path.join(dataDir, 'seal-trust', 'seals'))).length, 1);
  assert.equal((await fs.readdir(path.join(dataDir, 'seal-trust', 'roots'))).length, 1);
  // The root key written out is the installed root's (the winner's), written once.
  const rootPublic = new X509Certificate(key.rootCertPem).publicKey.export({ type: 'spki', format: 'der' });
  const outPublic = createPublicKey(await fs.readFile(rootKeyOut, 'utf8')).export({ type: 'spki', format: 'der' });
  assert.ok(outPublic.equals(rootPublic), 'SEAL_ROOT_KEY_OUT holds the key of the root in service');
  assert.deepEqual(await fs.readdir(path.dirname(rootKeyOut)), ['root-ca.key.pem']);
});

test('a damaged seal directory is an error, not a silent new identity', async () => {
  const dataDir = path.join(tmp, 'damaged');
  await loadOrCreateSealKey(dataDir, '外滩街道');
  await fs.rm(path.join(dataDir, 'seal', 'seal.key.pem'));
  await assert.rejects(loadOrCreateSealKey(dataDir, '外滩街道'), /incomplete or unreadable/);
});

test('an admin-provided PKCS#12 (made by openssl) is used as is', async (t) => {
  try {
    await run('openssl', ['version']);
  } catch {
    t.skip('openssl not installed');
    return;
  }
  const dir = path.join(tmp, 'provided');
  await fs.mkdir(dir);
  const o = (...args: string[]) => run('openssl', args, { cwd: dir });
  await o(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-utf8',
    '-subj',
    '/C=CN/O=测试市司法局/CN=测试根证书',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await o(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'seal.key',
    '-out',
    'seal.csr',
    '-utf8',
    '-subj',
    '/C=CN/O=测试街道/CN=测试街道人民调解委员会 电子印章',
  );
  await fs.writeFile(path.join(dir, 'ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
  await o('x509', '-req', '-in', 'seal.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'seal.crt', '-days', '365', '-extfile', 'ext');
  await o('pkcs12', '-export', '-inkey', 'seal.key', '-in', 'seal.crt', '-certfile', 'ca.crt', '-passout', 'pass:s3cret-pass', '-out', 'seal.p12');

  const p12Path = path.join(dir, 'seal.p12');
  const key = await loadOrCreateSealKey(path.join(tmp, 'unused'), 'ignored', { p12Path, p12Passphrase: 's3cret-pass' });
  assert.equal(key.source, 'provided');
  assert.equal(key.signerName, '测试街道人民调解委员会 电子印章');
  assert.equal(key.chainPem.length, 2);
  assert.equal(new X509Certificate(key.rootCertPem).fingerprint256, new X509Certificate(await fs.readFile(path.join(dir, 'ca.crt'))).fingerprint256);
  await assert.rejects(fs.access(path.join(tmp, 'unused')), 'nothing generated');
  await assert.rejects(loadOrCreateSealKey(tmp, 'x', { p12Path, p12Passphrase: 'wrong' }), /wrong passphrase/);
});
