import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { revisionHash } from '../../../server/agreement/canonical.ts';
import { findCjkFonts, MissingCjkFontError } from '../../../server/agreement/fonts.ts';
import { loadOrCreateSealKey, type SealKey } from '../../../server/agreement/orgKey.ts';
import { renderAgreementPdf } from '../../../server/agreement/render.ts';
import { sealPdf } from '../../../server/agreement/seal.ts';
import { verifySealedPdf } from '../../../server/agreement/verify.ts';
import { ManualClock } from '../../../server/clock.ts';
import { sampleInput, sampleRevision } from './fixtures.ts';

// Needs poppler-utils (pdftotext, pdfsig, pdftoppm, pdffonts) and fonts-noto-cjk, as scripts/setup.sh installs.
const run = promisify(execFile);
const ARTIFACTS = path.resolve('tests/artifacts/agreement');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let tmp: string;
let key: SealKey;
let unsealed: Buffer;
let sealed: Buffer;
// One clock for the seal key's validity and the signing time: a key made "now" (the real day the
// suite runs) with a signing time fixed in the past was not valid at signing, so the test broke
// the day after the date it was written on.
const clock = new ManualClock('2026-11-26T08:47:20Z');

async function pdfsig(pdf: Buffer, name: string, ...flags: string[]): Promise<string> {
  const file = path.join(tmp, name);
  await fs.writeFile(file, pdf);
  const { stdout } = await run('pdfsig', [...flags, file]); // exits 0 even on a digest mismatch: read the text
  return stdout;
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cm-agreement-'));
  await fs.mkdir(ARTIFACTS, { recursive: true });
  key = await loadOrCreateSealKey(path.join(tmp, 'data'), '上海市黄浦区外滩街道', { now: clock.now() });
  const input = await sampleInput();
  input.seal.name = key.signerName;
  unsealed = await renderAgreementPdf(input);
  sealed = await sealPdf(unsealed, key, clock.now());
  await fs.writeFile(path.join(ARTIFACTS, 'agreement-sealed.pdf'), sealed);
});
after(() => fs.rm(tmp, { recursive: true, force: true }));

describe('render', () => {
  test('pdftotext gets the Chinese text back', async () => {
    const file = path.join(tmp, 'text.pdf');
    await fs.writeFile(file, sealed);
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
    const text = stdout.replace(/[ \t]+/g, ''); // pdftotext may put spaces between wide glyphs
    for (const s of ['人民调解协议书', '张晓明', '李建国', '王丽华', '申请人：张晓明', '被申请人：李建国', '（2026）沪0101民调字第0427号']) {
      assert.ok(text.includes(s), `missing ${s}`);
    }
    const flat = text.replace(/\n/g, '');
    assert.ok(flat.includes('一、被申请人李建国于2026年12月10日前向申请人张晓明退还押金人民币6,500元。'), 'clause 一');
    assert.ok(flat.includes('二、申请人张晓明同意由押金中扣除人民币2,500元'), 'clause 二');
    assert.ok(flat.includes('三、双方就本租赁合同再无其他争议'), 'clause 三');
    assert.match(text, /第1页共3页/);
    assert.match(text, /第3页共3页/);
    assert.ok(text.includes('电子签署证书'));
    assert.ok(flat.includes(revisionHash(sampleRevision()).slice(0, 8)), 'revision hash on the certificate page');
    assert.ok(text.includes('K7QM-4XRP-9TWD'));
    assert.ok(text.includes('2001:db8:4a1f:100'), 'IPv6 of a signing event');
    assert.ok(text.includes('二〇二六年十一月二十六日'));
  });

  test('the CJK font is embedded as a subset', async () => {
    const file = path.join(tmp, 'fonts.pdf');
    await fs.writeFile(file, sealed);
    const { stdout } = await run('pdffonts', [file]);
    const rows = stdout.split('\n').slice(2).filter(Boolean);
    assert.ok(rows.length >= 1);
    for (const row of rows) assert.match(row, /^[A-Z]{6}\+\S+CJK\S*\s.*\byes\s+yes\s+yes\b/, row);
  });

  test('refuses a certificate page for another revision, and a non-PNG signature', async () => {
    const input = await sampleInput();
    input.revision.clauses[0] += '另付利息。';
    await assert.rejects(renderAgreementPdf(input), /not the hash of this revision/);
    const input2 = await sampleInput();
    input2.signatures[0]!.imagePng = Buffer.from('GIF89a');
    await assert.rejects(renderAgreementPdf(input2), /not a PNG/);
  });

  test('a missing CJK font names the Debian packages', () => {
    assert.throws(
      () => findCjkFonts({ path: '/nonexistent/font.ttc', face: undefined }),
      (e: unknown) => {
        assert.ok(e instanceof MissingCjkFontError);
        assert.match(e.message, /fonts-noto-cjk/);
        assert.match(e.message, /fonts-wqy-microhei/);
        return true;
      },
    );
  });

  test('page 1 and the certificate page render to PNG for a look', async () => {
    const file = path.join(ARTIFACTS, 'agreement-sealed.pdf');
    await run('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', file, path.join(ARTIFACTS, 'page')]);
    await run('pdftoppm', ['-png', '-r', '80', '-f', '3', '-l', '3', file, path.join(ARTIFACTS, 'page')]);
    for (const name of ['page-1.png', 'page-3.png']) {
      const st = await fs.stat(path.join(ARTIFACTS, name));
      assert.ok(st.size > 10_000, `${name} has content`);
    }
  });
});

describe('seal and verify', () => {
  test('untouched: pdfsig says valid, whole document signed; our verifier ok', async () => {
    const out = await pdfsig(sealed, 'ok.pdf', '-nocert');
    assert.match(out, /Signature Validation: Signature is Valid\./);
    assert.match(out, /Total document signed/);
    assert.match(out, /Signature Type: adbe\.pkcs7\.detached/);
    assert.match(out, /Signer Certificate Common Name: 上海市黄浦区外滩街道 人民调解委员会 电子印章/);
    // Without -nocert NSS does not know our root: the signature is still valid, the issuer untrusted.
    const withCert = await pdfsig(sealed, 'ok.pdf');
    assert.match(withCert, /Signature is Valid\./);
    assert.match(withCert, /Certificate issuer isn't Trusted/);

    const v = verifySealedPdf(sealed, sha256(sealed), { trustedRootsPem: [key.rootCertPem] });
    assert.equal(v.ok, true, v.reason);
    assert.equal(v.signer, key.signerName);
    assert.equal(v.signedAt?.toISOString(), clock.now().toISOString());
    assert.equal(v.sha256, sha256(sealed));
  });

  test('sealing keeps the size and only fills the hole', () => {
    assert.ok(Math.abs(sealed.length - unsealed.length) <= 1, 'only the trailing newline may go');
    assert.ok(unsealed.includes('/ByteRange [0 /********** /********** /**********]'));
    assert.equal(verifySealedPdf(unsealed, undefined, { trustedRootsPem: [key.rootCertPem] }).ok, false);
  });

  test('one flipped byte inside the signed range: both detect it', async () => {
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(sealed.toString('latin1'))!;
    const [c, d] = [Number(m[3]), Number(m[4])];
    const altered = Buffer.from(sealed);
    altered[c + Math.floor(d / 2)]! ^= 0x01;

    const out = await pdfsig(altered, 'flipped.pdf', '-nocert');
    assert.match(out, /Signature Validation: Digest Mismatch\./);

    const v = verifySealedPdf(altered, undefined, { trustedRootsPem: [key.rootCertPem] });
    assert.equal(v.ok, false);
    assert.match(v.reason!, /^altered: digest mismatch/);
    const withHash = verifySealedPdf(altered, sha256(sealed), { trustedRootsPem: [key.rootCertPem] });
    assert.match(withHash.reason!, /^altered: the file hash differs/);
  });

  test('bytes appended after sealing: both detect it', async () => {
    const appended = Buffer.concat([sealed, Buffer.from('\n1 0 obj\n<< /Title (forged) >>\nendobj\n%%EOF\n')]);
    const out = await pdfsig(appended, 'appended.pdf', '-nocert');
    // pdfsig still validates the signed range, and says that it no longer covers the whole file.
    assert.match(out, /Not total document signed/);
    assert.match(out, /Signature is Valid\./);

    const v = verifySealedPdf(appended, undefined, { trustedRootsPem: [key.rootCertPem] });
    assert.equal(v.ok, false);
    assert.match(v.reason!, /^altered: \d+ bytes after the signed range/);
  });

  test('a seal from another root is untrusted', async () => {
    const other = await loadOrCreateSealKey(path.join(tmp, 'other'), '另一个街道', { now: clock.now() });
    const v = verifySealedPdf(sealed, undefined, { trustedRootsPem: [other.rootCertPem] });
    assert.equal(v.ok, false);
    assert.match(v.reason!, /^untrusted: /);
    assert.match(verifySealedPdf(sealed, undefined, { trustedRootsPem: [] }).reason!, /no trusted root/);
  });

  test('a garbage /Contents or a swapped signature is rejected', async () => {
    const other = await loadOrCreateSealKey(path.join(tmp, 'other2'), '另一个街道', { now: clock.now() });
    const foreign = await sealPdf(unsealed, other, clock.now());
    // Same document, signed by someone else: valid CMS, but not our root.
    assert.match(verifySealedPdf(foreign, undefined, { trustedRootsPem: [key.rootCertPem] }).reason!, /^untrusted/);
    const zeroed = Buffer.from(sealed);
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(sealed.toString('latin1'))!;
    zeroed.fill('0', Number(m[2]) + 1, Number(m[3]) - 1);
    assert.equal(verifySealedPdf(zeroed, undefined, { trustedRootsPem: [key.rootCertPem] }).ok, false);
  });
});
