import { createHash, generateKeyPairSync, randomBytes, X509Certificate, createPublicKey } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/**
 * The mediation organisation's sealing key (电子印章).
 *
 * First run: an RSA-2048 root CA ("<org> 人民调解委员会 电子印章根证书") and a sealing certificate
 * signed by it ("<org> 人民调解委员会 电子印章") are generated and kept in `<dataDir>/seal/`
 * (directory 0700, files 0600). Later runs reuse them; a damaged seal directory is an error,
 * never silently replaced, because the seal is the organisation's identity on every PDF.
 * An admin can instead supply a PKCS#12 (key + certificate chain) by path.
 */
export interface SealKey {
  source: 'generated' | 'provided';
  /** PKCS#12 holding the sealing key and chain, for @signpdf/signer-p12. */
  p12: Buffer;
  p12Passphrase: string;
  keyPem: string;
  certPem: string;
  /** Sealing certificate first, trust root last. */
  chainPem: string[];
  /** The trust anchor the verifier checks the chain against. */
  rootCertPem: string;
  /** Common name of the sealing certificate. */
  signerName: string;
  /** SHA-256 of the sealing certificate's DER, lower-case hex. */
  certSha256: string;
  /** Where the material lives (seal directory or the provided .p12). */
  location: string;
}

export interface SealKeyOptions {
  /** Admin-provided PKCS#12 (.p12/.pfx); when set nothing is generated. */
  p12Path?: string;
  p12Passphrase?: string;
  /** Trust root (PEM file) for a provided PKCS#12 whose bag holds no self-signed certificate. */
  rootCertPath?: string;
  /** Time source for certificate validity (tests). */
  now?: Date;
  /**
   * Told when an existing generated key names another organisation than `orgName` (e.g.
   * SEAL_ORGANISATION changed after the first sealing). The existing key is still used: a new
   * identity is never minted silently; rotating the seal is a deliberate admin action.
   */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

export const SEAL_DIR = 'seal';
const FILES = {
  rootKey: 'root-ca.key.pem',
  rootCert: 'root-ca.crt.pem',
  key: 'seal.key.pem',
  cert: 'seal.crt.pem',
  chain: 'seal-chain.pem',
  p12: 'seal.p12',
  meta: 'seal.json',
} as const;

const COMMITTEE = '人民调解委员会';
const DAY = 86_400_000;

/** "<org> 人民调解委员会 电子印章"; does not repeat 人民调解委员会 if the org name already ends in it. */
export function sealCommonName(orgName: string): string {
  const org = orgName.normalize('NFC').trim();
  if (org === '') throw new TypeError('organisation name is empty');
  return org.endsWith(COMMITTEE) ? `${org} 电子印章` : `${org} ${COMMITTEE} 电子印章`;
}

export async function loadOrCreateSealKey(
  dataDir: string,
  orgName: string,
  options: SealKeyOptions = {},
): Promise<SealKey> {
  if (options.p12Path) return loadProvidedP12(options);
  const dir = path.join(dataDir, SEAL_DIR);
  if (await exists(dir)) return checkOrganisation(await loadGenerated(dir), orgName, options.warn);
  await fs.mkdir(dataDir, { recursive: true });
  const tmp = path.join(dataDir, `.seal-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(tmp, { mode: 0o700 });
  try {
    await writeGenerated(tmp, orgName, options.now ?? new Date());
    try {
      await fs.rename(tmp, dir);
    } catch (error) {
      // Another process finished first: theirs wins, ours is discarded.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    await fsyncDir(dataDir);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  // Another process may have won the race with another name.
  return checkOrganisation(await loadGenerated(dir), orgName, options.warn);
}

/** Warns (once per load) when the stored seal names another organisation than the configured one. */
function checkOrganisation(key: SealKey, orgName: string, warn: SealKeyOptions['warn']): SealKey {
  const expected = sealCommonName(orgName);
  if (key.signerName !== expected) {
    warn?.('the existing seal key names another organisation than SEAL_ORGANISATION; it is kept (rotate the seal deliberately to change it)', {
      sealSubject: key.signerName,
      configured: expected,
      location: key.location,
    });
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// generation

function utf8Attrs(attrs: Array<[string, string]>): forge.pki.CertificateField[] {
  return attrs.map(([shortName, value]) => ({
    shortName,
    value,
    valueTagClass: shortName === 'C' ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8,
  })) as unknown as forge.pki.CertificateField[];
}

function newRsaKey(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  // Node's native generator: forge's pure-JS RSA generation takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
  };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10; // positive, no leading zero byte
  return bytes.toString('hex');
}

async function writeGenerated(dir: string, orgName: string, now: Date): Promise<void> {
  const cn = sealCommonName(orgName);
  const org = orgName.normalize('NFC').trim();
  const rootKeys = newRsaKey();
  const sealKeys = newRsaKey();

  const root = forge.pki.createCertificate();
  root.publicKey = rootKeys.publicKey;
  root.serialNumber = serial();
  root.validity.notBefore = new Date(now.getTime() - DAY);
  root.validity.notAfter = new Date(now.getTime() + 20 * 365 * DAY);
  const rootName = utf8Attrs([
    ['C', 'CN'],
    ['O', org],
    ['CN', `${cn}根证书`],
  ]);
  root.setSubject(rootName);
  root.setIssuer(rootName);
  root.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  root.sign(rootKeys.privateKey, forge.md.sha256.create());
  const rootSki = root.generateSubjectKeyIdentifier().getBytes();

  const seal = forge.pki.createCertificate();
  seal.publicKey = sealKeys.publicKey;
  seal.serialNumber = serial();
  seal.validity.notBefore = new Date(now.getTime() - DAY);
  seal.validity.notAfter = new Date(now.getTime() + 10 * 365 * DAY);
  seal.setSubject(utf8Attrs([
    ['C', 'CN'],
    ['O', org],
    ['CN', cn],
  ]));
  seal.setIssuer(rootName);
  seal.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    // emailProtection keeps NSS (pdfsig) happy; 1.3.6.1.5.5.7.3.36 is id-kp-documentSigning.
    { name: 'extKeyUsage', emailProtection: true, '1.3.6.1.5.5.7.3.36': true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootSki },
  ]);
  seal.sign(rootKeys.privateKey, forge.md.sha256.create());

  const p12Der = forge.asn1
    .toDer(
      forge.pkcs12.toPkcs12Asn1(sealKeys.privateKey, [seal, root], '', {
        algorithm: '3des',
        friendlyName: cn,
        generateLocalKeyId: true,
      }),
    )
    .getBytes();

  const sealPem = forge.pki.certificateToPem(seal);
  const rootPem = forge.pki.certificateToPem(root);
  await writeSecret(dir, FILES.rootKey, forge.pki.privateKeyToPem(rootKeys.privateKey));
  await writeSecret(dir, FILES.rootCert, rootPem);
  await writeSecret(dir, FILES.key, forge.pki.privateKeyToPem(sealKeys.privateKey));
  await writeSecret(dir, FILES.cert, sealPem);
  await writeSecret(dir, FILES.chain, sealPem + rootPem);
  await writeSecret(dir, FILES.p12, Buffer.from(p12Der, 'binary'));
  await writeSecret(
    dir,
    FILES.meta,
    JSON.stringify({ version: 1, orgName: org, commonName: cn, createdAt: now.toISOString(), p12Passphrase: '' }, null, 2) + '\n',
  );
  await fsyncDir(dir);
}

// ---------------------------------------------------------------------------------------------
// loading

async function loadGenerated(dir: string): Promise<SealKey> {
  const read = (name: string) => fs.readFile(path.join(dir, name));
  let meta: { p12Passphrase?: unknown };
  let keyPem: string, certPem: string, rootCertPem: string, p12: Buffer;
  try {
    meta = JSON.parse((await read(FILES.meta)).toString('utf8')) as { p12Passphrase?: unknown };
    keyPem = (await read(FILES.key)).toString('utf8');
    certPem = (await read(FILES.cert)).toString('utf8');
    rootCertPem = (await read(FILES.rootCert)).toString('utf8');
    p12 = await read(FILES.p12);
  } catch (error) {
    throw new Error(
      `seal directory ${dir} is incomplete or unreadable (${(error as Error).message}); ` +
        'restore it from backup: regenerating would change the organisation seal',
    );
  }
  const passphrase = typeof meta.p12Passphrase === 'string' ? meta.p12Passphrase : '';
  return finish('generated', dir, p12, passphrase, keyPem, [certPem, rootCertPem], rootCertPem);
}

async function loadProvidedP12(options: SealKeyOptions): Promise<SealKey> {
  const p12Path = options.p12Path!;
  const passphrase = options.p12Passphrase ?? '';
  const p12 = await fs.readFile(p12Path);
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), false, passphrase);
  } catch (error) {
    // node-forge mis-derives PBES2 keys from non-ASCII passphrases, hence the hint.
    const hint = /[^\x20-\x7e]/.test(passphrase) ? 'use an ASCII-only passphrase' : 'wrong passphrase?';
    throw new Error(`cannot open PKCS#12 ${p12Path}: ${(error as Error).message} (${hint})`);
  }
  const shrouded = forge.pki.oids.pkcs8ShroudedKeyBag!;
  const plainKey = forge.pki.oids.keyBag!;
  const certBag = forge.pki.oids.certBag!;
  const keyBag =
    parsed.getBags({ bagType: shrouded })[shrouded]?.[0] ?? parsed.getBags({ bagType: plainKey })[plainKey]?.[0];
  if (!keyBag?.key) throw new Error(`PKCS#12 ${p12Path} holds no private key`);
  const certs = (parsed.getBags({ bagType: certBag })[certBag] ?? [])
    .map((bag) => bag.cert)
    .filter((c): c is forge.pki.Certificate => Boolean(c))
    .map((c) => forge.pki.certificateToPem(c));
  const keyPem = forge.pki.privateKeyToPem(keyBag.key);
  const publicDer = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const leaf = certs.find((pem) =>
    new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).equals(publicDer),
  );
  if (!leaf) throw new Error(`PKCS#12 ${p12Path} has no certificate matching its private key`);
  const rest = certs.filter((pem) => pem !== leaf);
  const root = options.rootCertPath
    ? await fs.readFile(options.rootCertPath, 'utf8')
    : rest.find((pem) => {
        const c = new X509Certificate(pem);
        return c.issuer === c.subject && c.checkIssued(c) && c.verify(c.publicKey);
      });
  if (!root) {
    throw new Error(`PKCS#12 ${p12Path} has no self-signed root certificate: pass rootCertPath`);
  }
  const chain = orderChain(leaf, rest.filter((pem) => pem !== root), root);
  return finish('provided', p12Path, p12, passphrase, keyPem, chain, root);
}

/** leaf, then each issuer in turn from `pool`, ending with root (root included once). */
function orderChain(leaf: string, pool: string[], root: string): string[] {
  const chain = [leaf];
  let current = new X509Certificate(leaf);
  const remaining = [...pool];
  for (;;) {
    const rootCert = new X509Certificate(root);
    if (current.checkIssued(rootCert) && current.verify(rootCert.publicKey)) break;
    const i = remaining.findIndex((pem) => {
      const c = new X509Certificate(pem);
      return current.checkIssued(c) && current.verify(c.publicKey);
    });
    if (i < 0) throw new Error('sealing certificate does not chain to the given root');
    const next = remaining.splice(i, 1)[0]!;
    chain.push(next);
    current = new X509Certificate(next);
  }
  if (chain[chain.length - 1] !== root) chain.push(root);
  return chain;
}

function finish(
  source: SealKey['source'],
  location: string,
  p12: Buffer,
  p12Passphrase: string,
  keyPem: string,
  chainPem: string[],
  rootCertPem: string,
): SealKey {
  const leaf = new X509Certificate(chainPem[0]!);
  const keyPub = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(keyPub)) {
    throw new Error(`sealing key and certificate in ${location} do not match`);
  }
  if (source === 'generated') orderChain(chainPem[0]!, [], rootCertPem);
  return {
    source,
    p12,
    p12Passphrase,
    keyPem,
    certPem: chainPem[0]!,
    chainPem,
    rootCertPem,
    signerName: commonName(leaf),
    certSha256: createHash('sha256').update(leaf.raw).digest('hex'),
    location,
  };
}

/** The CN of a certificate's subject (Node prints the subject one attribute per line). */
export function commonName(cert: X509Certificate): string {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : cert.subject;
}

// ---------------------------------------------------------------------------------------------
// files

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function writeSecret(dir: string, name: string, data: string | Buffer): Promise<void> {
  const handle = await fs.open(path.join(dir, name), 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
