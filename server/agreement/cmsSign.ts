import { createHash, createPrivateKey, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { children, integer, nullValue, octets, oid, parseDer, seq, setOf, time, tlv } from './der.ts';

/**
 * Builds a CMS SignedData (RFC 5652), detached, SHA-256, for a PDF signature
 * (adbe.pkcs7.detached / ETSI.CAdES.detached).
 *
 * Written here rather than taken from @signpdf/signer-p12 because node-forge re-encodes the
 * signer's issuer name and double-UTF-8-encodes Chinese names (C=CN, O=某某人民调解委员会), so
 * the SignerInfo no longer matches its certificate and every verifier rejects the seal. Here the
 * issuer and serial are copied byte for byte from the certificate.
 */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
} as const;

/** Issuer Name and serialNumber of a certificate, as their original DER bytes. */
export function issuerAndSerial(certDer: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = children(parseDer(certDer))[0];
  if (!tbs) throw new Error('certificate has no tbsCertificate');
  const fields = children(tbs);
  const i = fields[0]?.tag === 0xa0 ? 1 : 0; // skip [0] version
  const serial = fields[i];
  const issuer = fields[i + 2];
  if (!serial || serial.tag !== 0x02 || !issuer || issuer.tag !== 0x30) throw new Error('malformed certificate');
  return { issuer: issuer.raw, serial: serial.raw };
}

const attribute = (type: string, value: Buffer): Buffer => seq(oid(type), setOf(value));

export interface DetachedCmsInput {
  /** The bytes being signed (the PDF without its /Contents hole). */
  content: Buffer;
  keyPem: string;
  /** Signing certificate first, then the rest of the chain (root included). */
  chainPem: string[];
  signingTime: Date;
}

export function createDetachedCms(input: DetachedCmsInput): Buffer {
  const certs = input.chainPem.map((pem) => Buffer.from(new X509Certificate(pem).raw));
  const leaf = certs[0];
  if (!leaf) throw new Error('no signing certificate');
  const key = createPrivateKey(input.keyPem);
  const keyType = key.asymmetricKeyType;
  let sigAlg: Buffer;
  if (keyType === 'rsa') sigAlg = seq(oid(OID.rsaEncryption), nullValue());
  else if (keyType === 'ec') sigAlg = seq(oid(OID.ecdsaWithSha256));
  else throw new Error(`unsupported sealing key type ${keyType ?? 'unknown'} (use RSA or EC)`);

  const sha256 = seq(oid(OID.sha256));
  const digest = createHash('sha256').update(input.content).digest();
  const certHash = createHash('sha256').update(leaf).digest();
  const { issuer, serial } = issuerAndSerial(leaf);

  const signedAttrsSet = setOf(
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(input.signingTime)),
    attribute(OID.messageDigest, octets(digest)),
    // ESS signing-certificate-v2 (RFC 5035), hash algorithm defaults to SHA-256: binds the certificate.
    attribute(OID.signingCertificateV2, seq(seq(seq(octets(certHash), seq(seq(tlv(0xa4, issuer)), serial))))),
  );
  const signature = cryptoSign('sha256', signedAttrsSet, key);
  // In SignerInfo the same attributes are [0] IMPLICIT instead of SET.
  const signedAttrs = Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)]);

  const signerInfo = seq(integer(1), seq(issuer, serial), sha256, signedAttrs, sigAlg, octets(signature));
  const signedData = seq(
    integer(1),
    setOf(sha256),
    seq(oid(OID.data)),
    tlv(0xa0, ...certs),
    setOf(signerInfo),
  );
  return seq(oid(OID.signedData), tlv(0xa0, signedData));
}
