import { randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** A small certificate factory for verifier tests: any validity, CA flag, key usage, EKU, RSA or EC. */
export interface TestCert {
  cert: pkijs.Certificate;
  certPem: string;
  keyPem: string;
  privateKey: CryptoKey;
}

export interface IssueOptions {
  cn: string;
  issuer?: TestCert;
  key?: 'rsa' | 'ec';
  ca?: boolean;
  notBefore: Date;
  notAfter: Date;
  /** First byte of KeyUsage (0x80 digitalSignature, 0x40 nonRepudiation, 0x04 keyCertSign); null: no extension. */
  keyUsage?: number | null;
  /** Extended key usage purposes; null: no extension. */
  eku?: string[] | null;
}

const pem = (label: string, der: ArrayBuffer): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 (and before 1950). */
const time = (at: Date): pkijs.Time => {
  const y = at.getUTCFullYear();
  return new pkijs.Time({ type: y >= 1950 && y < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: at });
};

const name = (cn: string) =>
  new pkijs.RelativeDistinguishedNames({
    // One attribute: pkijs writes all of a name's attributes into one (multi-valued) RDN.
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) })],
  });

const extension = (extnID: string, critical: boolean, value: pkijs.PkiObject | asn1js.AsnType) =>
  new pkijs.Extension({ extnID, critical, extnValue: ('toSchema' in value ? value.toSchema() : value).toBER(false) });

export async function issue(o: IssueOptions): Promise<TestCert> {
  const algorithm =
    o.key === 'ec'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(12);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.subject = name(o.cn);
  cert.issuer = o.issuer ? o.issuer.cert.subject : name(o.cn);
  cert.notBefore = time(o.notBefore);
  cert.notAfter = time(o.notAfter);
  cert.extensions = [extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: o.ca ?? false }))];
  const ku = o.keyUsage === undefined ? (o.ca ? 0x06 : 0xc0) : o.keyUsage;
  if (ku !== null) cert.extensions.push(extension('2.5.29.15', true, new asn1js.BitString({ valueHex: new Uint8Array([ku]).buffer, unusedBits: 0 })));
  const eku = o.eku === undefined ? (o.ca ? null : ['1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.36']) : o.eku;
  if (eku !== null) cert.extensions.push(extension('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: eku })));
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey);
  await cert.sign(o.issuer ? o.issuer.privateKey : keys.privateKey, 'SHA-256');
  return {
    cert,
    certPem: pem('CERTIFICATE', cert.toSchema(true).toBER(false)),
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    privateKey: keys.privateKey,
  };
}
