import { createHash, generateKeyPairSync, randomBytes, X509Certificate, createPublicKey } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/**
 * The mediation organisation's sealing key (电子印章).
 *
 * First run: an RSA-2048 root CA ("<org> 人民调解委员会 电子印章根证书") and a sealing certificate
 * signed by it ("<org> 人民调解委员会 电子印章") are generated. The sealing key and both
 * certificates are kept in `<dataDir>/seal/` (directory 0700, files 0600); the root CA's private
 * key is NOT: whoever holds the data directory must not be able to mint seal certificates. It is
 * written once to `rootKeyOut` (SEAL_ROOT_KEY_OUT, a path the admin keeps offline) or, without
 * one, discarded after signing (a later rotation then starts a new root; old PDFs still verify,
 * see sealTrust.ts). Later runs reuse the seal; a damaged seal directory is an error, never
 * silently replaced, because the seal is the organisation's identity on every PDF.
 * An admin can instead supply a PKCS#12 (key + certificate chain under their own CA) by path.
 */
export interface SealKey {
  source: 'generated' | 'provided';
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
   * Where the root CA's private key goes when a root is generated (written once, 0600, never
   * overwritten). Unset: the root key is discarded after it signed the seal certificate.
   */
  rootKeyOut?: string;
  /** An existing root CA (its key and certificate, PEM) to sign a new seal certificate with (rotation). */
  root?: { keyPem: string; certPem: string };
  /**
   * Told when an existing generated key names another organisation than `orgName` (e.g.
   * SEAL_ORGANISATION changed after the first sealing). The existing key is still used: a new
   * identity is never minted silently; rotating the seal is a deliberate admin action.
   */
  warn?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * Another seal identity than the mediation committee's (a court's): its own directory (default
   * `<dataDir>/seal`) and its certificate's common name (default sealCommonName(orgName)).
   */
  identity?: { dir: string; commonName: string };
}

export const SEAL_DIR = 'seal';
export const SEAL_FILES = {
  rootCert: 'root-ca.crt.pem',
  key: 'seal.key.pem',
  cert: 'seal.crt.pem',
  chain: 'seal-chain.pem',
  meta: 'seal.json',
} as const;
/** Where versions before the root key was kept offline wrote it; its presence is warned about. */
export const LEGACY_ROOT_KEY_FILE = 'root-ca.key.pem';

const COMMITTEE = '人民调解委员会';
const DAY = 86_400_000;

/** "<org> 人民调解委员会 电子印章"; does not repeat 人民调解委员会 if the org name already ends in it. */
export function sealCommonName(orgName: string): string {
  const org = orgName.normalize('NFC').trim();
  if (org === '') throw new TypeError('organisation name is empty');
  return org.endsWith(COMMITTEE) ? `${org} 电子印章` : `${org} ${COMMITTEE} 电子印章`;
}

export async function loadOrCreateSealKey(dataDir: string, orgName: string, options: SealKeyOptions = {}): Promise<SealKey> {
  if (options.p12Path) return loadProvidedP12(options);
  const dir = options.identity?.dir ?? path.join(dataDir, SEAL_DIR);
  const cn = options.identity?.commonName ?? sealCommonName(orgName);
  if (await exists(dir)) return checkOrganisation(await loadGenerated(dir, options.warn), cn, options.warn);
  await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  await generateSealDir(dataDir, dir, orgName, options);
  // Another process may have won the race with another name.
  return checkOrganisation(await loadGenerated(dir, options.warn), cn, options.warn);
}

/**
 * Generates a seal (and a root, unless `options.root` is given) into a private temporary directory
 * and renames it to `dir`; when `dir` appeared meanwhile (another process, or the caller moved the
 * old seal aside first), the existing one wins and ours is discarded.
 */
export async function generateSealDir(dataDir: string, dir: string, orgName: string, options: SealKeyOptions): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  const tmp = path.join(dataDir, `.seal-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(tmp, { mode: 0o700 });
  try {
    const cn = options.identity?.commonName ?? sealCommonName(orgName);
    const rootKeyPem = await writeGenerated(tmp, orgName, cn, options.now ?? new Date(), options.root);
    let won = true;
    try {
      await fs.rename(tmp, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      won = false;
    }
    await fsyncDir(dataDir);
    if (won && rootKeyPem && options.rootKeyOut) await writeRootKey(options.rootKeyOut, rootKeyPem);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Writes a root CA key where the admin asked, once (0600): an existing file is never overwritten. */
export async function writeRootKey(file: string, pem: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  await writeNewFile(file, pem, 0o600);
}

/** Warns (once per load) when the stored seal names another organisation than the configured one. */
function checkOrganisation(key: SealKey, expected: string, warn: SealKeyOptions['warn']): SealKey {
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

/**
 * A parsed certificate's subject, ready to be written again as an issuer: node-forge parses
 * UTF8String values as raw UTF-8 bytes and would encode them a second time (mojibake, and the
 * issuer would no longer match the root's subject).
 */
function reencodableName(cert: forge.pki.Certificate): forge.pki.CertificateField[] {
  return cert.subject.attributes.map((a) => ({
    ...a,
    value: (a.valueTagClass as number | undefined) === forge.asn1.Type.UTF8 && typeof a.value === 'string' ? forge.util.decodeUtf8(a.value) : a.value,
  })) as forge.pki.CertificateField[];
}

/**
 * Writes a new seal key and certificate into `dir`, signed by `root` or by a root generated here.
 * Returns the generated root's private key (PEM) for the caller to put offline, or undefined when
 * an existing root signed.
 */
async function writeGenerated(
  dir: string,
  orgName: string,
  cn: string,
  now: Date,
  existingRoot?: { keyPem: string; certPem: string },
): Promise<string | undefined> {
  const org = orgName.normalize('NFC').trim();
  const sealKeys = newRsaKey();

  let root: forge.pki.Certificate;
  let rootName: forge.pki.CertificateField[];
  let rootPrivateKey: forge.pki.rsa.PrivateKey;
  let newRootKeyPem: string | undefined;
  if (existingRoot) {
    root = forge.pki.certificateFromPem(existingRoot.certPem);
    rootName = reencodableName(root);
    rootPrivateKey = forge.pki.privateKeyFromPem(existingRoot.keyPem) as forge.pki.rsa.PrivateKey;
    const rootPub = createPublicKey(existingRoot.certPem).export({ type: 'spki', format: 'der' });
    if (!createPublicKey(existingRoot.keyPem).export({ type: 'spki', format: 'der' }).equals(rootPub)) {
      throw new Error('the given root key does not belong to the given root certificate');
    }
  } else {
    const rootKeys = newRsaKey();
    rootPrivateKey = rootKeys.privateKey;
    root = forge.pki.createCertificate();
    root.publicKey = rootKeys.publicKey;
    root.serialNumber = serial();
    root.validity.notBefore = new Date(now.getTime() - DAY);
    root.validity.notAfter = new Date(now.getTime() + 20 * 365 * DAY);
    rootName = utf8Attrs([
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
    newRootKeyPem = forge.pki.privateKeyToPem(rootKeys.privateKey);
  }
  const rootSki = root.generateSubjectKeyIdentifier().getBytes();

  const seal = forge.pki.createCertificate();
  seal.publicKey = sealKeys.publicKey;
  seal.serialNumber = serial();
  seal.validity.notBefore = new Date(now.getTime() - DAY);
  seal.validity.notAfter = new Date(now.getTime() + 10 * 365 * DAY);
  seal.setSubject(
    utf8Attrs([
      ['C', 'CN'],
      ['O', org],
      ['CN', cn],
    ]),
  );
  seal.setIssuer(rootName);
  seal.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    // emailProtection keeps NSS (pdfsig) happy; 1.3.6.1.5.5.7.3.36 is id-kp-documentSigning.
    { name: 'extKeyUsage', emailProtection: true, '1.3.6.1.5.5.7.3.36': true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootSki },
  ]);
  seal.sign(rootPrivateKey, forge.md.sha256.create());

  const sealPem = forge.pki.certificateToPem(seal);
  const rootPem = existingRoot ? existingRoot.certPem : forge.pki.certificateToPem(root);
  await writeSecret(dir, SEAL_FILES.rootCert, rootPem);
  await writeSecret(dir, SEAL_FILES.key, forge.pki.privateKeyToPem(sealKeys.privateKey));
  await writeSecret(dir, SEAL_FILES.cert, sealPem);
  await writeSecret(dir, SEAL_FILES.chain, sealPem + rootPem);
  await writeSecret(dir, SEAL_FILES.meta, JSON.stringify({ version: 2, orgName: org, commonName: cn, createdAt: now.toISOString() }, null, 2) + '\n');
  await fsyncDir(dir);
  return newRootKeyPem;
}

// ---------------------------------------------------------------------------------------------
// loading

async function loadGenerated(dir: string, warn: SealKeyOptions['warn']): Promise<SealKey> {
  const read = (name: string) => fs.readFile(path.join(dir, name), 'utf8');
  let keyPem: string, certPem: string, rootCertPem: string;
  try {
    JSON.parse(await read(SEAL_FILES.meta));
    keyPem = await read(SEAL_FILES.key);
    certPem = await read(SEAL_FILES.cert);
    rootCertPem = await read(SEAL_FILES.rootCert);
  } catch (error) {
    throw new Error(
      `seal directory ${dir} is incomplete or unreadable (${(error as Error).message}); ` +
        'restore it from backup: regenerating would change the organisation seal',
      { cause: error },
    );
  }
  if (await exists(path.join(dir, LEGACY_ROOT_KEY_FILE))) {
    warn?.(
      'the seal root CA key lies in the data directory, so anyone holding it can mint seal certificates: move it offline with `npm run seal -- export-root-key --out PATH`',
      {
        file: path.join(dir, LEGACY_ROOT_KEY_FILE),
      },
    );
  }
  return finish('generated', dir, keyPem, [certPem, rootCertPem], rootCertPem);
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
    throw new Error(`cannot open PKCS#12 ${p12Path}: ${(error as Error).message} (${hint})`, { cause: error });
  }
  const shrouded = forge.pki.oids.pkcs8ShroudedKeyBag!;
  const plainKey = forge.pki.oids.keyBag!;
  const certBag = forge.pki.oids.certBag!;
  const keyBag = parsed.getBags({ bagType: shrouded })[shrouded]?.[0] ?? parsed.getBags({ bagType: plainKey })[plainKey]?.[0];
  if (!keyBag?.key) throw new Error(`PKCS#12 ${p12Path} holds no private key`);
  const certs = (parsed.getBags({ bagType: certBag })[certBag] ?? [])
    .map((bag) => bag.cert)
    .filter((c): c is forge.pki.Certificate => Boolean(c))
    .map((c) => forge.pki.certificateToPem(c));
  const keyPem = forge.pki.privateKeyToPem(keyBag.key);
  const publicDer = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const leaf = certs.find((pem) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).equals(publicDer));
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
  const chain = orderChain(
    leaf,
    rest.filter((pem) => pem !== root),
    root,
  );
  return finish('provided', p12Path, keyPem, chain, root);
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

function finish(source: SealKey['source'], location: string, keyPem: string, chainPem: string[], rootCertPem: string): SealKey {
  const leaf = new X509Certificate(chainPem[0]!);
  const keyPub = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(keyPub)) {
    throw new Error(`sealing key and certificate in ${location} do not match`);
  }
  if (source === 'generated') orderChain(chainPem[0]!, [], rootCertPem);
  return {
    source,
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

/** Creates `file` (never an existing one: EEXIST), writes it whole and syncs it to disk. */
export async function writeNewFile(file: string, data: string | Buffer, mode: number): Promise<void> {
  const handle = await fs.open(file, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeSecret(dir: string, name: string, data: string | Buffer): Promise<void> {
  await writeNewFile(path.join(dir, name), data, 0o600);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
