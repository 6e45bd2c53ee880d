import { createHash, verify as cryptoVerify, constants, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DIGEST_BY_OID, OID, SIGNATURE_ALGORITHMS, type DigestName } from './cmsOids.ts';
import { commonName } from './orgKey.ts';

/**
 * Verifies a detached CMS SignedData (one SignerInfo) over `content`, the signer's certificate
 * (key usage, extended key usage, validity at a trusted time) and its chain up to one of
 * `trustedRootsPem`. ASN.1 is parsed by pkijs/asn1js; signatures are checked with node:crypto.
 * Throws CmsVerifyError with a reason.
 */
export class CmsVerifyError extends Error {
  constructor(
    readonly kind: 'altered' | 'invalid' | 'untrusted' | 'unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'CmsVerifyError';
  }
}

export interface CmsVerified {
  signer: string;
  signerCertSha256: string;
  signedAt: Date | undefined;
}

export interface CmsTrust {
  /** Trust anchors (PEM). */
  trustedRootsPem: string[];
  /** When given, the signer certificate must be one of these (the seals this service has used). */
  sealCertsPem?: string[] | undefined;
  /**
   * The trusted time to check certificate validity at: when the service recorded the sealing.
   * The signing-time attribute is the signer's own claim, so it only has to agree with this
   * (within CLAIMED_TIME_TOLERANCE_MS). Without one, validity is checked now.
   */
  at?: Date | undefined;
}

const CLAIMED_TIME_TOLERANCE_MS = 5 * 60_000;
/** Key-purpose ids a sealing certificate may carry for documents. */
const DOCUMENT_EKUS = new Set<string>([OID.ekuDocumentSigning, OID.ekuEmailProtection, OID.ekuAdobeAuthenticDocuments]);
const KU_DIGITAL_SIGNATURE = 0x80;
const KU_NON_REPUDIATION = 0x40;
const KU_KEY_CERT_SIGN = 0x04;

const expect = (cond: unknown, message: string): void => {
  if (!cond) throw new CmsVerifyError('invalid', message);
};
const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const bytes = (v: ArrayBuffer | Uint8Array): Buffer => Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(v));

/** Parses one DER element that must fill `der` exactly; asn1js accepts BER, so the length is checked too. */
function parseExact(der: Buffer, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(ab(der));
  if (parsed.offset === -1 || parsed.result.error) throw new CmsVerifyError('invalid', `${what} is not valid DER: ${parsed.result.error || 'truncated'}`);
  if (parsed.offset !== der.length) throw new CmsVerifyError('invalid', `${what} has ${der.length - parsed.offset} trailing bytes`);
  return parsed.result;
}

function pkiObject<T>(make: () => T, what: string): T {
  try {
    return make();
  } catch (error) {
    throw new CmsVerifyError('invalid', `${what} is malformed: ${(error as Error).message}`);
  }
}

function extension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  const found = (cert.extensions ?? []).filter((e) => e.extnID === oid);
  expect(found.length <= 1, `certificate repeats extension ${oid}`);
  return found[0];
}

/** The first byte of a KeyUsage BIT STRING (digitalSignature is the top bit), or undefined without the extension. */
function keyUsageBits(cert: pkijs.Certificate): number | undefined {
  const ext = extension(cert, OID.keyUsage);
  if (!ext) return undefined;
  const bits = ext.parsedValue;
  expect(bits instanceof asn1js.BitString, 'malformed key usage');
  return (bits as asn1js.BitString).valueBlock.valueHexView[0] ?? 0;
}

function checkSealCertificate(cert: pkijs.Certificate): void {
  const ku = keyUsageBits(cert);
  if (ku === undefined || (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) === 0) {
    throw new CmsVerifyError('untrusted', 'the signer certificate is not for digital signatures (key usage)');
  }
  const eku = extension(cert, OID.extKeyUsage)?.parsedValue;
  const purposes = eku instanceof pkijs.ExtKeyUsage ? eku.keyPurposes : [];
  if (!purposes.some((p) => DOCUMENT_EKUS.has(p))) {
    throw new CmsVerifyError('untrusted', 'the signer certificate is not for signing documents (extended key usage)');
  }
  const bc = extension(cert, OID.basicConstraints)?.parsedValue;
  if (bc instanceof pkijs.BasicConstraints && bc.cA) throw new CmsVerifyError('untrusted', 'the signer certificate is a CA certificate');
}

function validAt(cert: pkijs.Certificate, at: Date): boolean {
  return cert.notBefore.value.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.value.getTime();
}

interface SignedAttributes {
  messageDigest: Buffer;
  signedAt: Date | undefined;
  essCertHash: { digest: DigestName; hash: Buffer } | undefined;
}

/** Reads the signed attributes: each type at most once and with exactly one value (RFC 5652 §11). */
function readSignedAttributes(attrs: pkijs.SignedAndUnsignedAttributes): SignedAttributes {
  const seen = new Set<string>();
  let messageDigest: Buffer | undefined;
  let contentTypeOk = false;
  let signedAt: Date | undefined;
  let essCertHash: SignedAttributes['essCertHash'];
  for (const attr of attrs.attributes) {
    expect(!seen.has(attr.type), `signed attribute ${attr.type} is repeated`);
    seen.add(attr.type);
    expect(attr.values.length === 1, `signed attribute ${attr.type} has ${attr.values.length} values`);
    const value: unknown = attr.values[0];
    if (attr.type === OID.messageDigest) {
      expect(value instanceof asn1js.OctetString, 'message-digest is not an OCTET STRING');
      messageDigest = bytes((value as asn1js.OctetString).valueBlock.valueHexView);
    } else if (attr.type === OID.contentType) {
      contentTypeOk = value instanceof asn1js.ObjectIdentifier && value.valueBlock.toString() === OID.data;
    } else if (attr.type === OID.signingTime) {
      expect(value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime, 'signing-time is not a time');
      signedAt = (value as asn1js.UTCTime).toDate();
      expect(!Number.isNaN(signedAt.getTime()), 'signing-time is not a valid time');
    } else if (attr.type === OID.signingCertificateV2) {
      essCertHash = readEssCertIdV2(value);
    }
  }
  expect(contentTypeOk, 'content-type attribute missing or not id-data');
  expect(messageDigest, 'message-digest attribute missing');
  return { messageDigest: messageDigest!, signedAt, essCertHash };
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, … }; the first ESSCertIDv2 names the signer. */
function readEssCertIdV2(value: unknown): SignedAttributes['essCertHash'] {
  const seqOf = (v: unknown): asn1js.AsnType[] => {
    expect(v instanceof asn1js.Sequence, 'signing-certificate-v2 is malformed');
    return (v as asn1js.Sequence).valueBlock.value;
  };
  const certId = seqOf(seqOf(seqOf(value)[0])[0]);
  let digest: DigestName = 'sha256';
  let i = 0;
  if (certId[0] instanceof asn1js.Sequence) {
    const alg = pkiObject(() => new pkijs.AlgorithmIdentifier({ schema: certId[0] }), 'signing-certificate-v2 hash algorithm');
    const named = DIGEST_BY_OID[alg.algorithmId];
    if (!named) throw new CmsVerifyError('unsupported', `unsupported signing-certificate-v2 hash ${alg.algorithmId}`);
    digest = named;
    i = 1;
  }
  expect(certId[i] instanceof asn1js.OctetString, 'signing-certificate-v2 has no certificate hash');
  return { digest, hash: bytes((certId[i] as asn1js.OctetString).valueBlock.valueHexView) };
}

export function verifyDetachedCms(cmsDer: Buffer, content: Buffer, trust: CmsTrust): CmsVerified {
  const contentInfo = pkiObject(() => new pkijs.ContentInfo({ schema: parseExact(cmsDer, 'the signature') }), 'the signature');
  expect(contentInfo.contentType === OID.signedData, 'not a CMS SignedData');
  const sd = pkiObject(() => new pkijs.SignedData({ schema: contentInfo.content }), 'SignedData');
  expect(sd.encapContentInfo.eContentType === OID.data, 'the signed content type is not id-data');
  expect(!sd.encapContentInfo.eContent, 'signature is not detached');
  expect(sd.signerInfos.length === 1, `expected one SignerInfo, found ${sd.signerInfos.length}`);
  const si = sd.signerInfos[0]!;
  expect(si.sid instanceof pkijs.IssuerAndSerialNumber, 'only issuerAndSerialNumber signer identifiers are supported');
  const sid = si.sid as pkijs.IssuerAndSerialNumber;

  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const leaf = certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  if (!leaf) throw new CmsVerifyError('invalid', 'signer certificate not found in the signature');
  const leafDer = Buffer.from(leaf.toSchema().toBER());
  const leafX509 = new X509Certificate(leafDer);

  const digestName = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
  if (!digestName) throw new CmsVerifyError('unsupported', `unsupported digest algorithm ${si.digestAlgorithm.algorithmId}`);
  const sigAlg = SIGNATURE_ALGORITHMS[si.signatureAlgorithm.algorithmId];
  if (!sigAlg) throw new CmsVerifyError('unsupported', `unsupported signature algorithm ${si.signatureAlgorithm.algorithmId}`);
  if (sigAlg.digest && sigAlg.digest !== digestName) {
    throw new CmsVerifyError('invalid', `signature algorithm uses ${sigAlg.digest} but the digest algorithm is ${digestName}`);
  }
  if (sigAlg.key !== leafX509.publicKey.asymmetricKeyType) {
    throw new CmsVerifyError(
      'invalid',
      `signature algorithm is for ${sigAlg.key} keys but the certificate holds ${leafX509.publicKey.asymmetricKeyType ?? 'another'} key`,
    );
  }
  const digest = createHash(digestName).update(content).digest();

  // Detached PDF seals always carry signed attributes (PAdES/CAdES); a bare signature over the
  // content is refused rather than half-supported.
  if (!si.signedAttrs) throw new CmsVerifyError('invalid', 'the signature has no signed attributes');
  const attrs = readSignedAttributes(si.signedAttrs);
  if (!attrs.messageDigest.equals(digest)) {
    throw new CmsVerifyError('altered', 'digest mismatch: the signed bytes were changed after sealing');
  }
  if (attrs.essCertHash && !attrs.essCertHash.hash.equals(createHash(attrs.essCertHash.digest).update(leafDer).digest())) {
    throw new CmsVerifyError('invalid', 'signing-certificate-v2 does not match the signer certificate');
  }
  const signedBytes = Buffer.from(si.signedAttrs.encodedValue);
  signedBytes[0] = 0x31; // [0] IMPLICIT in the SignerInfo, signed as a SET
  const signature = bytes(si.signature.valueBlock.valueHexView);
  const good =
    sigAlg.key === 'rsa'
      ? cryptoVerify(digestName, signedBytes, { key: leafX509.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)
      : cryptoVerify(digestName, signedBytes, { key: leafX509.publicKey, dsaEncoding: 'der' }, signature);
  if (!good) throw new CmsVerifyError('invalid', 'the CMS signature does not verify with the signer certificate');

  const at = trust.at ?? new Date();
  if (trust.at && attrs.signedAt && Math.abs(attrs.signedAt.getTime() - trust.at.getTime()) > CLAIMED_TIME_TOLERANCE_MS) {
    throw new CmsVerifyError('invalid', 'the signing time in the signature differs from when the seal was recorded');
  }
  checkSealCertificate(leaf);
  const leafSha256 = createHash('sha256').update(leafDer).digest('hex');
  if (trust.sealCertsPem && !trust.sealCertsPem.some((pem) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex') === leafSha256)) {
    throw new CmsVerifyError('untrusted', `"${commonName(leafX509)}" is not a seal certificate of this service`);
  }
  checkChain(leaf, certs, trust.trustedRootsPem, at);
  return { signer: commonName(leafX509), signerCertSha256: leafSha256, signedAt: attrs.signedAt };
}

const x509 = (cert: pkijs.Certificate): X509Certificate => new X509Certificate(Buffer.from(cert.toSchema().toBER()));

function isCa(cert: pkijs.Certificate): boolean {
  const bc = extension(cert, OID.basicConstraints)?.parsedValue;
  if (!(bc instanceof pkijs.BasicConstraints) || !bc.cA) return false;
  const ku = keyUsageBits(cert);
  return ku === undefined || (ku & KU_KEY_CERT_SIGN) !== 0;
}

/** Walks signer → embedded intermediates (CA certificates only) → a trusted root, checking each signature and validity at `at`. */
function checkChain(leaf: pkijs.Certificate, embedded: pkijs.Certificate[], trustedRootsPem: string[], at: Date): void {
  if (trustedRootsPem.length === 0) throw new CmsVerifyError('untrusted', 'no trusted root certificate given');
  const roots = trustedRootsPem.map((pem) => ({ x: new X509Certificate(pem), p: pkijs.Certificate.fromBER(ab(Buffer.from(new X509Certificate(pem).raw))) }));
  const pool = embedded.map((p) => ({ x: x509(p), p }));
  let current = { x: x509(leaf), p: leaf };
  const issues = (child: X509Certificate, parent: X509Certificate) => child.checkIssued(parent) && child.verify(parent.publicKey);
  for (let depth = 0; depth < 6; depth++) {
    if (!validAt(current.p, at)) {
      throw new CmsVerifyError('untrusted', `certificate "${commonName(current.x)}" was not valid at ${at.toISOString()}`);
    }
    const root = roots.find((r) => issues(current.x, r.x));
    if (root) {
      if (!isCa(root.p)) throw new CmsVerifyError('untrusted', 'the trusted root is not a CA certificate');
      if (!validAt(root.p, at)) throw new CmsVerifyError('untrusted', `the trusted root was not valid at ${at.toISOString()}`);
      return;
    }
    const next = pool.find((c) => c.x.fingerprint256 !== current.x.fingerprint256 && issues(current.x, c.x));
    if (!next) break;
    if (!isCa(next.p)) throw new CmsVerifyError('untrusted', `"${commonName(next.x)}" issued a certificate but is not a CA`);
    current = next;
  }
  throw new CmsVerifyError('untrusted', 'the seal certificate does not chain to the organisation root');
}
