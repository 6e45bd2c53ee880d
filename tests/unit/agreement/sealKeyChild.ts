/*
 * Child process for tests/unit/agreement/orgKey.test.ts: one "node" making the organisation's seal
 * on a shared DATA_DIR at the same moment as others. Waits for GO_AT (epoch ms), generates a seal
 * and races to install it (generateSealDir: every child really generates), then loads the seal in
 * place and records it, as a node's first sealing does. Prints the certificate's SHA-256.
 * Env: DATA_DIR, ORG, ROOT_KEY_OUT, GO_AT.
 */
import path from 'node:path';
import { generateSealDir, loadOrCreateSealKey, SEAL_DIR } from '../../../server/agreement/orgKey.ts';
import { recordSealKey } from '../../../server/agreement/sealTrust.ts';

const env = (name: string): string => process.env[name] ?? (process.exit(2) as never);
const [DATA_DIR, ORG, ROOT_KEY_OUT, GO_AT] = ['DATA_DIR', 'ORG', 'ROOT_KEY_OUT', 'GO_AT'].map(env) as [string, string, string, string];
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(GO_AT) - Date.now())));
await generateSealDir(DATA_DIR, path.join(DATA_DIR, SEAL_DIR), ORG, { rootKeyOut: ROOT_KEY_OUT });
const key = await loadOrCreateSealKey(DATA_DIR, ORG);
await recordSealKey(DATA_DIR, key);
process.stdout.write(`${key.certSha256}\n`);
