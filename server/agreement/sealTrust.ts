import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeNewFile, type SealKey } from './orgKey.ts';

/**
 * What the verifier trusts: every seal certificate this service has sealed with, and their roots,
 * kept in `<dataDir>/seal-trust/{seals,roots}/<sha256>.pem`. Recording every seal ever used lets a
 * PDF sealed before a key rotation verify after it; requiring the signer to be one of them (not
 * merely any certificate under a trusted CA) means an admin-supplied commercial CA does not make
 * every certificate it ever issued a valid seal of this organisation.
 */
export interface SealTrust {
  rootsPem: string[];
  sealCertsPem: string[];
}

export const SEAL_TRUST_DIR = 'seal-trust';
const KINDS = { seals: 'seals', roots: 'roots' } as const;

const sha256 = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

/**
 * Written whole under a temporary name, then linked to its final name: a node reading the store
 * (several share DATA_DIR) never sees a certificate half written, and the first link wins.
 */
async function writeOnce(dir: string, pem: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${sha256(pem)}.pem`);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeNewFile(tmp, pem, 0o644);
  try {
    await fs.link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // recorded before: same bytes by name
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Records a seal key's certificate and root (idempotent; safe from several processes at once). `store`: another identity's trust store (a court's), relative to dataDir. */
export async function recordSealKey(dataDir: string, key: Pick<SealKey, 'certPem' | 'rootCertPem'>, store = SEAL_TRUST_DIR): Promise<void> {
  const base = path.join(dataDir, store);
  await writeOnce(path.join(base, KINDS.seals), key.certPem);
  await writeOnce(path.join(base, KINDS.roots), key.rootCertPem);
}

async function readAll(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.pem')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8')));
}

export async function loadSealTrust(dataDir: string, store = SEAL_TRUST_DIR): Promise<SealTrust> {
  const base = path.join(dataDir, store);
  const [sealCertsPem, rootsPem] = await Promise.all([readAll(path.join(base, KINDS.seals)), readAll(path.join(base, KINDS.roots))]);
  return { rootsPem, sealCertsPem };
}
