import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { CmsVerifyError, verifyDetachedCms, type CmsTrust } from './cmsVerify.ts';

/**
 * Our own check of a sealed agreement PDF, independent of any PDF reader:
 *  1. the file's SHA-256 equals the hash recorded at finalisation (when given);
 *  2. exactly one signature; its /ByteRange covers the whole file except the /Contents hole,
 *     so nothing was appended (incremental update) or cut off;
 *  3. the CMS signature verifies over the ByteRange bytes (digest + signature);
 *  4. the signing certificate is one of the service's seals, fit for signing documents, valid at the
 *     recorded sealing time, and chains to a trusted root (the organisation's seal roots).
 */
export interface VerifyResult {
  ok: boolean;
  /** Why not ok; starts with "altered:" when the bytes were changed. */
  reason?: string;
  /** Common name of the sealing certificate. */
  signer?: string;
  /** CMS signing time. */
  signedAt?: Date;
  /** SHA-256 of the file as given. */
  sha256: string;
}

/** Trust anchors (normally every seal root in sealTrust.ts), the service's seal certificates, the trusted time. */
export type VerifyTrust = CmsTrust;

const SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);

export function verifySealedPdf(pdf: Buffer, expectedSha256: string | undefined, trust: VerifyTrust): VerifyResult {
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const fail = (reason: string): VerifyResult => ({ ok: false, reason, sha256 });

  if (expectedSha256 !== undefined && expectedSha256.toLowerCase() !== sha256) {
    return fail('altered: the file hash differs from the hash recorded when the agreement was finalised');
  }

  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  if (ranges.length === 0) return fail('not sealed: no signature with a /ByteRange');
  if (ranges.length > 1) return fail(`altered: ${ranges.length} signatures found, the agreement carries exactly one seal`);
  const [a, b, c, d] = ranges[0]!.slice(1, 5).map(Number) as [number, number, number, number];

  if (a !== 0 || !(b > 0 && c > b)) return fail('invalid: malformed /ByteRange');
  if (c + d < pdf.length) {
    return fail(`altered: ${pdf.length - (c + d)} bytes after the signed range (content appended after sealing)`);
  }
  if (c + d > pdf.length) return fail('altered: the file is shorter than the signed range (truncated)');
  // The hole must be exactly the hex string of /Contents, and /ByteRange must lie in signed bytes.
  if (pdf[b] !== 0x3c /* < */ || pdf[c - 1] !== 0x3e /* > */) return fail('invalid: /ByteRange hole is not the /Contents string');
  const hex = text.slice(b + 1, c - 1);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) return fail('invalid: /Contents is not a hex string');
  if (!/\/Contents\s*$/.test(text.slice(Math.max(0, b - 32), b))) return fail('invalid: /ByteRange hole is not the /Contents value');
  const brAt = ranges[0]!.index!;
  if (brAt >= b && brAt < c) return fail('invalid: /ByteRange inside the hole');
  if (!/%%EOF\s*$/.test(text.slice(-32))) return fail('altered: the file does not end with %%EOF');

  // The signature dictionary: from the enclosing "obj" to "endobj" after the hole.
  const dictStart = text.lastIndexOf(' obj', b);
  const dictEnd = text.indexOf('endobj', c);
  const dict = text.slice(dictStart, b) + text.slice(c, dictEnd);
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(dict)?.[1];
  if (!subFilter || !SUBFILTERS.has(subFilter)) return fail(`unsupported: signature SubFilter ${subFilter ?? '(none)'}`);

  const contents = Buffer.from(hex, 'hex');
  // The hole is zero-padded after the DER: the signature is the first element.
  const first = asn1js.fromBER(contents.buffer.slice(contents.byteOffset, contents.byteOffset + contents.byteLength));
  if (first.offset === -1 || first.result.error || contents.subarray(first.offset).some((b) => b !== 0)) {
    return fail('invalid: /Contents holds no CMS signature (not sealed?)');
  }
  const cms = contents.subarray(0, first.offset);
  const signed = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  try {
    const v = verifyDetachedCms(cms, signed, trust);
    const result: VerifyResult = { ok: true, signer: v.signer, sha256 };
    if (v.signedAt) result.signedAt = v.signedAt;
    return result;
  } catch (error) {
    if (error instanceof CmsVerifyError) return fail(`${error.kind}: ${error.message}`);
    return fail(`invalid: ${(error as Error).message}`);
  }
}
