import { createHash, verify as cryptoVerify, constants, X509Certificate } from 'node:crypto';
import { OID, issuerAndSerial } from './cmsSign.ts';
import { children, decodeOid, decodeTime, parseDer, type Tlv } from './der.ts';
import { commonName } from './orgKey.ts';

/**
 * Verifies a detached CMS SignedData (one SignerInfo) over `content` and the signer's
 * certificate chain up to one of `trustedRootsPem`. Throws CmsVerifyError with a reason.
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

const DIGESTS: Record<string, string> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
const RSA_SIG = new Set<string>([OID.rsaEncryption, OID.sha256WithRSA, OID.sha384WithRSA, OID.sha512WithRSA]);
const EC_SIG = new Set<string>([OID.ecdsaWithSha256, OID.ecdsaWithSha384, OID.ecdsaWithSha512]);

const expect = (cond: unknown, message: string): void => {
  if (!cond) throw new CmsVerifyError('invalid', message);
};
const algOid = (el: Tlv | undefined): string => {
  const first = el && el.tag === 0x30 ? children(el)[0] : undefined;
  expect(first?.tag === 0x06, 'bad AlgorithmIdentifier');
  return decodeOid(first!.content);
};

export function verifyDetachedCms(cmsDer: Buffer, content: Buffer, trustedRootsPem: string[]): CmsVerified {
  let ci: Tlv;
  try {
    ci = parseDer(cmsDer);
  } catch (error) {
    throw new CmsVerifyError('invalid', `signature is not valid DER: ${(error as Error).message}`);
  }
  const [ctype, explicit] = children(ci);
  expect(ctype?.tag === 0x06 && decodeOid(ctype.content) === OID.signedData, 'not a CMS SignedData');
  expect(explicit?.tag === 0xa0, 'SignedData missing');
  const sd = children(explicit!)[0];
  expect(sd?.tag === 0x30, 'SignedData malformed');
  const parts = children(sd!);
  const encap = parts[2];
  expect(encap?.tag === 0x30, 'encapContentInfo missing');
  expect(children(encap!).length === 1, 'signature is not detached');
  const certsEl = parts.find((p) => p.tag === 0xa0);
  const signerInfos = parts[parts.length - 1];
  expect(signerInfos?.tag === 0x31, 'signerInfos missing');
  const infos = children(signerInfos!);
  expect(infos.length === 1, `expected one SignerInfo, found ${infos.length}`);

  const certs = certsEl ? children(certsEl).filter((c) => c.tag === 0x30).map((c) => Buffer.from(c.raw)) : [];
  const si = children(infos[0]!);
  const sid = si[1];
  expect(sid?.tag === 0x30, 'only issuerAndSerialNumber signer identifiers are supported');
  const [sidIssuer, sidSerial] = children(sid!);
  const leafDer = certs.find((der) => {
    const { issuer, serial } = issuerAndSerial(der);
    return issuer.equals(sidIssuer!.raw) && serial.equals(sidSerial!.raw);
  });
  if (!leafDer) throw new CmsVerifyError('invalid', 'signer certificate not found in the signature');
  const leaf = new X509Certificate(leafDer);

  const digestName = DIGESTS[algOid(si[2])];
  if (!digestName) throw new CmsVerifyError('unsupported', 'unsupported digest algorithm');
  const digest = createHash(digestName).update(content).digest();

  let i = 3;
  let signedBytes: Buffer;
  let signedAt: Date | undefined;
  if (si[i]?.tag === 0xa0) {
    const attrsEl = si[i]!;
    i++;
    let messageDigest: Buffer | undefined;
    let contentTypeOk = false;
    let essCertHash: Buffer | undefined;
    for (const attr of children(attrsEl)) {
      const [type, values] = children(attr);
      const value = values ? children(values)[0] : undefined;
      if (!type || !value) continue;
      const t = decodeOid(type.content);
      if (t === OID.messageDigest && value.tag === 0x04) messageDigest = Buffer.from(value.content);
      else if (t === OID.contentType) contentTypeOk = value.tag === 0x06 && decodeOid(value.content) === OID.data;
      else if (t === OID.signingTime) signedAt = decodeTime(value);
      else if (t === OID.signingCertificateV2) {
        const essCertId = children(children(value)[0]!)[0];
        const first = essCertId ? children(essCertId)[0] : undefined;
        if (first?.tag === 0x04) essCertHash = Buffer.from(first.content); // default hash: SHA-256
      }
    }
    expect(contentTypeOk, 'content-type attribute missing or not id-data');
    expect(messageDigest, 'message-digest attribute missing');
    if (!messageDigest!.equals(digest)) {
      throw new CmsVerifyError('altered', 'digest mismatch: the signed bytes were changed after sealing');
    }
    if (essCertHash && !essCertHash.equals(createHash('sha256').update(leafDer).digest())) {
      throw new CmsVerifyError('invalid', 'signing-certificate-v2 does not match the signer certificate');
    }
    signedBytes = Buffer.concat([Buffer.from([0x31]), attrsEl.raw.subarray(1)]);
  } else {
    signedBytes = content;
  }

  const sigAlg = algOid(si[i]);
  const sigValue = si[i + 1];
  expect(sigValue?.tag === 0x04, 'signature value missing');
  let good: boolean;
  if (RSA_SIG.has(sigAlg)) {
    good = cryptoVerify(digestName, signedBytes, { key: leaf.publicKey, padding: constants.RSA_PKCS1_PADDING }, sigValue!.content);
  } else if (EC_SIG.has(sigAlg)) {
    good = cryptoVerify(digestName, signedBytes, leaf.publicKey, sigValue!.content);
  } else {
    throw new CmsVerifyError('unsupported', `unsupported signature algorithm ${sigAlg}`);
  }
  if (!good) {
    throw new CmsVerifyError(
      si[3]?.tag === 0xa0 ? 'invalid' : 'altered',
      'the CMS signature does not verify with the signer certificate',
    );
  }

  checkChain(leaf, certs, trustedRootsPem, signedAt ?? new Date());
  return {
    signer: commonName(leaf),
    signerCertSha256: createHash('sha256').update(leafDer).digest('hex'),
    signedAt,
  };
}

function validAt(cert: X509Certificate, at: Date): boolean {
  return new Date(cert.validFrom) <= at && at <= new Date(cert.validTo);
}

/** Walks signer → embedded intermediates → a trusted root, checking each signature and validity. */
function checkChain(leaf: X509Certificate, embedded: Buffer[], trustedRootsPem: string[], at: Date): void {
  if (trustedRootsPem.length === 0) throw new CmsVerifyError('untrusted', 'no trusted root certificate given');
  const roots = trustedRootsPem.map((pem) => new X509Certificate(pem));
  const pool = embedded.map((der) => new X509Certificate(der));
  let current = leaf;
  for (let depth = 0; depth < 6; depth++) {
    if (!validAt(current, at)) {
      throw new CmsVerifyError('untrusted', `certificate "${commonName(current)}" was not valid at signing time`);
    }
    if (roots.some((r) => r.fingerprint256 === current.fingerprint256)) return; // signer is itself a root
    const root = roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
    if (root) {
      if (!validAt(root, at)) throw new CmsVerifyError('untrusted', 'trusted root was not valid at signing time');
      return;
    }
    const next = pool.find((c) => c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey) && c.ca);
    if (!next) break;
    current = next;
  }
  throw new CmsVerifyError('untrusted', 'the seal certificate does not chain to the organisation root');
}
