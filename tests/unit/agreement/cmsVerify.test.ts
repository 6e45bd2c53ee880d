import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../../../server/agreement/cmsOids.ts';
import { createDetachedCms } from '../../../server/agreement/cmsSign.ts';
import { CmsVerifyError, verifyDetachedCms, type CmsTrust } from '../../../server/agreement/cmsVerify.ts';
import { issue, type TestCert } from './testPki.ts';

/*
 * The seal verifier against certificates and signatures built to be wrong in one way each. One
 * fixed time line (T) for everything: certificates, signing times and the trusted time.
 */
const T = new Date('2026-11-26T08:47:20Z');
const DAY = 86_400_000;
const days = (n: number) => new Date(T.getTime() + n * DAY);
const content = Buffer.from('%PDF-1.7 the signed bytes of an agreement');

let root: TestCert;
let seal: TestCert;

before(async () => {
  root = await issue({ cn: '测试人民调解委员会 根证书', ca: true, notBefore: days(-10), notAfter: days(3650) });
  seal = await issue({ cn: '测试人民调解委员会 电子印章', issuer: root, notBefore: days(-1), notAfter: days(365) });
});

const cms = (signer: TestCert, chain: TestCert[], signingTime = T, data = content) =>
  createDetachedCms({ content: data, keyPem: signer.keyPem, chainPem: [signer, ...chain].map((c) => c.certPem), signingTime });
const trust = (over: Partial<CmsTrust> = {}): CmsTrust => ({ trustedRootsPem: [root.certPem], at: T, ...over });

function refusal(fn: () => unknown): CmsVerifyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CmsVerifyError) return error;
    throw error;
  }
  assert.fail('expected the verifier to refuse');
}

/** Re-signs a CMS after `mutate` changed its SignerInfo, so only the change is wrong, not the signature. */
function resign(der: Buffer, signer: TestCert, mutate: (si: pkijs.SignerInfo) => void, digest = 'sha256'): Buffer {
  const ci = pkijs.ContentInfo.fromBER(new Uint8Array(der).buffer);
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0]!;
  mutate(si);
  const attrs = Buffer.from(new asn1js.Set({ value: si.signedAttrs!.attributes.map((a) => a.toSchema()) }).toBER());
  si.signature = new asn1js.OctetString({ valueHex: new Uint8Array(cryptoSign(digest, attrs, createPrivateKey(signer.keyPem))).buffer });
  si.signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: si.signedAttrs!.attributes });
  return Buffer.from(new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) }).toSchema().toBER());
}
const attr = (si: pkijs.SignerInfo, type: string) => si.signedAttrs!.attributes.find((a) => a.type === type)!;

describe('good seals', () => {
  test('RSA: verifies, names the signer and the claimed time', () => {
    const v = verifyDetachedCms(cms(seal, [root]), content, trust({ sealCertsPem: [seal.certPem] }));
    assert.equal(v.signer, '测试人民调解委员会 电子印章');
    assert.equal(v.signedAt?.toISOString(), T.toISOString());
  });

  test('ECDSA P-256: verifies; a changed byte is "altered"', async () => {
    const ecRoot = await issue({ cn: 'EC root', key: 'ec', ca: true, notBefore: days(-10), notAfter: days(3650) });
    const ecSeal = await issue({ cn: 'EC seal', key: 'ec', issuer: ecRoot, notBefore: days(-1), notAfter: days(365) });
    const der = cms(ecSeal, [ecRoot]);
    assert.equal(verifyDetachedCms(der, content, { trustedRootsPem: [ecRoot.certPem], at: T }).signer, 'EC seal');
    const changed = Buffer.from(content);
    changed[3]! ^= 1;
    assert.equal(refusal(() => verifyDetachedCms(der, changed, { trustedRootsPem: [ecRoot.certPem], at: T })).kind, 'altered');
  });

  test('dates outside 1950–2049 (GeneralizedTime) in certificates and the signing time', async () => {
    const oldRoot = await issue({ cn: 'old root', ca: true, notBefore: new Date('1949-06-01T00:00:00Z'), notAfter: new Date('2080-01-01T00:00:00Z') });
    const late = new Date('2051-03-04T05:06:07Z');
    const lateSeal = await issue({ cn: 'late seal', issuer: oldRoot, notBefore: new Date('2049-12-31T00:00:00Z'), notAfter: new Date('2060-01-01T00:00:00Z') });
    const der = cms(lateSeal, [oldRoot], late);
    const v = verifyDetachedCms(der, content, { trustedRootsPem: [oldRoot.certPem], at: late });
    assert.equal(v.signedAt?.toISOString(), late.toISOString());
    const si = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(der).buffer).content }).signerInfos[0]!;
    assert.ok(attr(si, OID.signingTime).values[0] instanceof asn1js.GeneralizedTime, 'signing time after 2049 is a GeneralizedTime');
  });
});

describe('certificates', () => {
  test('expired at the trusted time', () => {
    const e = refusal(() => verifyDetachedCms(cms(seal, [root], days(400)), content, trust({ at: days(400) })));
    assert.equal(e.kind, 'untrusted');
    assert.match(e.message, /was not valid at/);
  });

  test('not yet valid at the trusted time', () => {
    const e = refusal(() => verifyDetachedCms(cms(seal, [root], days(-5)), content, trust({ at: days(-5) })));
    assert.match(e.message, /was not valid at/);
  });

  test('validity is checked at the trusted time, not at the time the signer claims', () => {
    // Signed (claims T) by a certificate that expired long before the service recorded the seal.
    const e = refusal(() => verifyDetachedCms(cms(seal, [root], T), content, trust({ at: days(400) })));
    assert.equal(e.kind, 'invalid');
    assert.match(e.message, /signing time .* differs/);
  });

  test('an intermediate that is not a CA cannot issue the seal', async () => {
    const notCa = await issue({ cn: 'not a CA', issuer: root, ca: false, keyUsage: 0x86, notBefore: days(-5), notAfter: days(365) });
    const leaf = await issue({ cn: 'leaf under a non-CA', issuer: notCa, notBefore: days(-1), notAfter: days(365) });
    const e = refusal(() => verifyDetachedCms(cms(leaf, [notCa, root]), content, trust()));
    assert.equal(e.kind, 'untrusted');
    assert.match(e.message, /is not a CA/);
  });

  test('wrong extended key usage (a TLS server certificate) and no digital-signature key usage', async () => {
    const tls = await issue({ cn: 'www.example.cn', issuer: root, eku: ['1.3.6.1.5.5.7.3.1'], notBefore: days(-1), notAfter: days(365) });
    assert.match(refusal(() => verifyDetachedCms(cms(tls, [root]), content, trust())).message, /extended key usage/);
    const noEku = await issue({ cn: 'no eku', issuer: root, eku: null, notBefore: days(-1), notAfter: days(365) });
    assert.match(refusal(() => verifyDetachedCms(cms(noEku, [root]), content, trust())).message, /extended key usage/);
    const encipher = await issue({ cn: 'key encipherment only', issuer: root, keyUsage: 0x20, notBefore: days(-1), notAfter: days(365) });
    assert.match(refusal(() => verifyDetachedCms(cms(encipher, [root]), content, trust())).message, /key usage/);
  });

  test('a certificate under a trusted CA that is not one of our seals', async () => {
    const other = await issue({ cn: '另一家机构 电子印章', issuer: root, notBefore: days(-1), notAfter: days(365) });
    const e = refusal(() => verifyDetachedCms(cms(other, [root]), content, trust({ sealCertsPem: [seal.certPem] })));
    assert.equal(e.kind, 'untrusted');
    assert.match(e.message, /not a seal certificate of this service/);
  });

  test('an untrusted root', async () => {
    const stranger = await issue({ cn: 'stranger', ca: true, notBefore: days(-10), notAfter: days(3650) });
    assert.match(refusal(() => verifyDetachedCms(cms(seal, [root]), content, { trustedRootsPem: [stranger.certPem], at: T })).message, /does not chain/);
  });
});

describe('signed attributes and algorithms', () => {
  test('ESS signing-certificate-v2 naming another certificate', () => {
    const der = resign(cms(seal, [root]), seal, (si) => {
      const v = attr(si, OID.signingCertificateV2);
      v.values = [
        new asn1js.Sequence({
          value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: new Uint8Array(32).fill(7).buffer })] })] })],
        }),
      ];
    });
    assert.match(refusal(() => verifyDetachedCms(der, content, trust())).message, /signing-certificate-v2 does not match/);
  });

  test('a repeated attribute and a multi-valued attribute', () => {
    const repeated = resign(cms(seal, [root]), seal, (si) => {
      si.signedAttrs!.attributes.push(new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: days(-300) })] }));
    });
    assert.match(refusal(() => verifyDetachedCms(repeated, content, trust())).message, /is repeated/);
    const multi = resign(cms(seal, [root]), seal, (si) => {
      const md = attr(si, OID.messageDigest);
      md.values = [md.values[0], new asn1js.OctetString({ valueHex: new Uint8Array(32).buffer })];
    });
    assert.match(refusal(() => verifyDetachedCms(multi, content, trust())).message, /has 2 values/);
  });

  test('the signature algorithm must match the digest algorithm and the key', () => {
    const sha384Rsa = resign(cms(seal, [root]), seal, (si) => {
      si.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha384WithRSA, algorithmParams: new asn1js.Null() });
    });
    assert.match(refusal(() => verifyDetachedCms(sha384Rsa, content, trust())).message, /uses sha384 but the digest algorithm is sha256/);
    const ecdsaOnRsa = resign(cms(seal, [root]), seal, (si) => {
      si.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
    });
    assert.match(refusal(() => verifyDetachedCms(ecdsaOnRsa, content, trust())).message, /for ec keys/);
  });

  test('truncated or padded DER', () => {
    const der = cms(seal, [root]);
    for (const cut of [1, 10, 100, der.length - 200]) {
      assert.equal(refusal(() => verifyDetachedCms(der.subarray(0, der.length - cut), content, trust())).kind, 'invalid', `cut ${cut}`);
    }
    assert.match(refusal(() => verifyDetachedCms(Buffer.concat([der, Buffer.from([0x05, 0x00])]), content, trust())).message, /trailing bytes/);
  });
});
