import { parseArgs } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { loadConfig } from '../config.ts';
import { loadOrCreateSealKey } from './orgKey.ts';
import { exportLegacyRootKey, rotateSeal } from './sealRotation.ts';
import { loadSealTrust, recordSealKey } from './sealTrust.ts';

/*
 * npm run seal -- status
 * npm run seal -- rotate [--root-key FILE] [--root-key-out FILE]
 * npm run seal -- export-root-key --out FILE
 * Uses DATA_DIR and SEAL_ORGANISATION like the server. Restart the service after a rotation.
 */
const USAGE = 'usage: npm run seal -- status | rotate [--root-key FILE] [--root-key-out FILE] | export-root-key --out FILE';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'root-key': { type: 'string' }, 'root-key-out': { type: 'string' }, out: { type: 'string' } },
  });
  const config = loadConfig();
  const describe = (pem: string) => {
    const c = new X509Certificate(pem);
    return `${c.subject.replace(/\n/g, ', ')} (valid ${c.validFrom} – ${c.validTo}, sha256 ${c.fingerprint256})`;
  };
  switch (positionals[0]) {
    case 'status': {
      const key = await loadOrCreateSealKey(config.dataDir, config.sealOrganisation, { warn: (m) => console.warn(`warning: ${m}`) });
      await recordSealKey(config.dataDir, key);
      const trust = await loadSealTrust(config.dataDir);
      console.log(`seal (${key.source}, ${key.location}): ${describe(key.certPem)}`);
      console.log(`root: ${describe(key.rootCertPem)}`);
      console.log(`trusted for verification: ${trust.sealCertsPem.length} seal certificate(s) under ${trust.rootsPem.length} root(s)`);
      return;
    }
    case 'rotate': {
      const r = await rotateSeal(config.dataDir, config.sealOrganisation, {
        rootKeyPath: values['root-key'],
        rootKeyOut: values['root-key-out'] ?? config.seal.rootKeyOut,
      });
      console.log(`retired: ${describe(r.retired.certPem)} → ${r.retiredTo} (private key deleted)`);
      console.log(`new seal: ${describe(r.current.certPem)}`);
      console.log(r.sameRoot ? 'issued by the same root' : 'under a new root; the old root stays trusted for PDFs sealed before');
      console.log('restart the service to seal with the new key');
      return;
    }
    case 'export-root-key': {
      if (!values.out) throw new Error(USAGE);
      await exportLegacyRootKey(config.dataDir, values.out);
      console.log(`root key written to ${values.out} and removed from the data directory: keep it offline`);
      return;
    }
    default:
      throw new Error(USAGE);
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
