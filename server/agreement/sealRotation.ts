import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateSealDir, LEGACY_ROOT_KEY_FILE, loadOrCreateSealKey, SEAL_DIR, SEAL_FILES, writeRootKey, type SealKey } from './orgKey.ts';
import { recordSealKey } from './sealTrust.ts';

/**
 * Seal administration (run by an admin with `npm run seal -- …`, see sealCli.ts).
 *
 * Rotation retires the current seal and makes a new one. The retired seal's certificate and root
 * stay in the trust store (sealTrust.ts), so every PDF sealed before still verifies; its private
 * key is deleted, so it can never seal again. With the offline root key the new seal certificate
 * is issued by the same root; without it a new root is made (its key written to `rootKeyOut` or
 * discarded). Running servers keep sealing with the key they loaded until restarted.
 */
export const RETIRED_DIR = 'seal-retired';

export interface RotateOptions {
  /** PEM file of the current root's private key (kept offline); the new seal is issued under the same root. */
  rootKeyPath?: string | undefined;
  /** Where a newly generated root key goes (only without rootKeyPath). */
  rootKeyOut?: string | undefined;
  now?: Date;
}

export interface RotateResult {
  retired: SealKey;
  current: SealKey;
  retiredTo: string;
  sameRoot: boolean;
}

export async function rotateSeal(dataDir: string, orgName: string, options: RotateOptions = {}): Promise<RotateResult> {
  const dir = path.join(dataDir, SEAL_DIR);
  const retired = await loadOrCreateSealKey(dataDir, orgName);
  if (retired.source !== 'generated') throw new Error('the seal is an admin-provided PKCS#12: replace the file (SEAL_P12_PATH) instead of rotating');
  await recordSealKey(dataDir, retired);
  const now = options.now ?? new Date();
  const root = options.rootKeyPath ? { keyPem: await fs.readFile(options.rootKeyPath, 'utf8'), certPem: retired.rootCertPem } : undefined;

  const retiredTo = path.join(dataDir, RETIRED_DIR, `${now.toISOString().replace(/[:.]/g, '-')}-${retired.certSha256.slice(0, 12)}`);
  await fs.mkdir(path.dirname(retiredTo), { recursive: true, mode: 0o700 });
  await fs.rename(dir, retiredTo);
  try {
    await generateSealDir(dataDir, dir, orgName, { now, root, rootKeyOut: root ? undefined : options.rootKeyOut });
  } catch (error) {
    await fs.rename(retiredTo, dir); // nothing new was made: the old seal stays in service
    throw error;
  }
  // The retired key must never seal again; its certificates stay for verification.
  for (const name of [SEAL_FILES.key, LEGACY_ROOT_KEY_FILE]) await fs.rm(path.join(retiredTo, name), { force: true });
  const current = await loadOrCreateSealKey(dataDir, orgName);
  await recordSealKey(dataDir, current);
  return { retired, current, retiredTo, sameRoot: current.rootCertPem === retired.rootCertPem };
}

/**
 * Moves a root key that an earlier version kept in the seal directory to `out` (written once,
 * 0600), then deletes it from the data directory.
 */
export async function exportLegacyRootKey(dataDir: string, out: string): Promise<void> {
  const file = path.join(dataDir, SEAL_DIR, LEGACY_ROOT_KEY_FILE);
  const pem = await fs.readFile(file, 'utf8').catch(() => {
    throw new Error(`no root key in ${path.dirname(file)}: it is already offline`);
  });
  await writeRootKey(out, pem);
  await fs.rm(file);
}
