import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Finaliser } from '../../../server/agreement/Finaliser.ts';
import { loadOrCreateSealKey, sealCommonName } from '../../../server/agreement/orgKey.ts';
import { ManualClock } from '../../../server/clock.ts';
import { loadConfig } from '../../../server/config.ts';
import type { Db } from '../../../server/db/client.ts';
import type { Logger } from '../../../server/logger.ts';

/* SEAL_ORGANISATION: explicit configuration of the organisation whose seal signs the agreements. */
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cm-sealorg-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));

function capturingLogger(warnings: Array<{ msg: string; fields?: Record<string, unknown> }>): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg, fields) => void warnings.push({ msg, ...(fields ? { fields } : {}) }),
    error: () => undefined,
    child: () => log,
  };
  return log;
}

function finaliserFor(dataDir: string, env: Record<string, string>, warnings: Array<{ msg: string; fields?: Record<string, unknown> }>) {
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent', ...env });
  // sealKey() touches only the data directory, never the database.
  return new Finaliser({ db: {} as Db, clock: new ManualClock(), config, log: capturingLogger(warnings) });
}

test('config: SEAL_ORGANISATION has a default, is trimmed, and may not be blank', () => {
  const base = { DATA_DIR: path.join(tmp, 'cfg'), JWT_SECRET: 'x'.repeat(40) };
  assert.equal(loadConfig(base).sealOrganisation, '云调解人民调解委员会');
  assert.equal(loadConfig({ ...base, SEAL_ORGANISATION: '  外滩街道人民调解委员会 ' }).sealOrganisation, '外滩街道人民调解委员会');
  assert.throws(() => loadConfig({ ...base, SEAL_ORGANISATION: '   ' }), /SEAL_ORGANISATION/);
});

test('the first seal is generated for the configured organisation, whatever the agreement says', async () => {
  const dataDir = path.join(tmp, 'first');
  const warnings: Array<{ msg: string }> = [];
  const key = await finaliserFor(dataDir, { SEAL_ORGANISATION: '外滩街道人民调解委员会' }, warnings).sealKey();
  assert.equal(key.source, 'generated');
  assert.equal(key.signerName, '外滩街道人民调解委员会 电子印章');
  assert.deepEqual(warnings, []);
  const meta = JSON.parse(await fs.readFile(path.join(dataDir, 'seal', 'seal.json'), 'utf8')) as { orgName: string };
  assert.equal(meta.orgName, '外滩街道人民调解委员会');
});

test('a renamed SEAL_ORGANISATION keeps the existing seal (same certificate) and logs a warning', async () => {
  const dataDir = path.join(tmp, 'renamed');
  const first = await finaliserFor(dataDir, { SEAL_ORGANISATION: '外滩街道人民调解委员会' }, []).sealKey();

  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const f = finaliserFor(dataDir, { SEAL_ORGANISATION: '南京东路街道人民调解委员会' }, warnings);
  const again = await f.sealKey();
  assert.equal(again.certSha256, first.certSha256, 'no new identity is minted');
  assert.equal(again.signerName, '外滩街道人民调解委员会 电子印章');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.msg, /SEAL_ORGANISATION/);
  assert.deepEqual(warnings[0]!.fields, {
    sealSubject: '外滩街道人民调解委员会 电子印章',
    configured: '南京东路街道人民调解委员会 电子印章',
    location: path.join(dataDir, 'seal'),
  });
  await f.sealKey();
  assert.equal(warnings.length, 1, 'the key is loaded once per process, so the warning is not repeated per agreement');
  assert.deepEqual(
    (await fs.readdir(dataDir)).filter((n) => n.startsWith('seal') || n.startsWith('.seal')).sort(),
    ['seal', 'seal-trust'],
    'no second seal generated (seal-trust records the one in use)',
  );
});

test('loadOrCreateSealKey: warn only on a mismatch', async () => {
  const dataDir = path.join(tmp, 'direct');
  const calls: unknown[] = [];
  const warn = (message: string, fields: Record<string, unknown>) => void calls.push({ message, fields });
  await loadOrCreateSealKey(dataDir, '外滩街道', { warn });
  await loadOrCreateSealKey(dataDir, '外滩街道', { warn });
  assert.equal(calls.length, 0);
  const k = await loadOrCreateSealKey(dataDir, '外滩街道人民调解委员会', { warn });
  assert.equal(k.signerName, sealCommonName('外滩街道'));
  assert.equal(calls.length, 1);
});
