import { createHash, createPrivateKey, sign as cryptoSign, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './cmsOids.ts';

/**
 * Builds a CMS SignedData (RFC 5652), detached, SHA-256, for a PDF signature
 * (adbe.pkcs7.detached / ETSI.CAdES.detached), with pkijs for the ASN.1.
 *
 * Not @signpdf/signer-p12: node-forge re-encodes the signer's issuer name and double-UTF-8-encodes
 * Chinese names (C=CN, O=某某人民调解委员会), so the SignerInfo no longer matches its certificate
 * and every verifier rejects the seal. pkijs keeps the issuer Name's original bytes.
 */
export interface DetachedCmsInput {
  /** The bytes being signed (the PDF without its /Contents hole). */
  content: Buffer;
  keyPem: string;
  /** Signing certificate first, then the rest of the chain (root included). */
  chainPem: string[];
  signingTime: Date;
}

const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const attribute = (type: string, value: asn1js.AsnType): pkijs.Attribute => new pkijs.Attribute({ type, values: [value] });

/** RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime outside. */
export function cmsTime(at: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  const year = at.getUTCFullYear();
  return year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate: at }) : new asn1js.GeneralizedTime({ valueDate: at });
}

export function createDetachedCms(input: DetachedCmsInput): Buffer {
  const ders = input.chainPem.map((pem) => Buffer.from(new X509Certificate(pem).raw));
  if (!ders[0]) throw new Error('no signing certificate');
  const certs = ders.map((der) => pkijs.Certificate.fromBER(ab(der)));
  const leaf = certs[0]!;
  const key = createPrivateKey(input.keyPem);
  const keyType = key.asymmetricKeyType;
  let signatureAlgorithm: pkijs.AlgorithmIdentifier;
  if (keyType === 'rsa') signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSA, algorithmParams: new asn1js.Null() });
  else if (keyType === 'ec') signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
  else throw new Error(`unsupported sealing key type ${keyType ?? 'unknown'} (use RSA or EC)`);

  const sha256 = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });
  const digest = createHash('sha256').update(input.content).digest();
  const certHash = createHash('sha256').update(ders[0]).digest();
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
      attribute(OID.signingTime, cmsTime(input.signingTime)),
      attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: ab(digest) })),
      // ESS signing-certificate-v2 (RFC 5035), hash algorithm defaults to SHA-256: binds the certificate.
      attribute(
        OID.signingCertificateV2,
        new asn1js.Sequence({
          value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: ab(certHash) })] })] })],
        }),
      ),
    ],
  });
  // The signature covers the DER of the attributes as a SET (RFC 5652 §5.4), not as [0] IMPLICIT.
  const attrsSet = Buffer.from(new asn1js.Set({ value: signedAttrs.attributes.map((a) => a.toSchema()) }).toBER());
  const signature = cryptoSign('sha256', attrsSet, keyType === 'ec' ? { key, dsaEncoding: 'der' } : key);

  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: certs,
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: leaf.issuer, serialNumber: leaf.serialNumber }),
        digestAlgorithm: sha256(),
        signedAttrs,
        signatureAlgorithm,
        signature: new asn1js.OctetString({ valueHex: ab(signature) }),
      }),
    ],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER());
}
