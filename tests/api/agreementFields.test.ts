import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { caseWithSession, partySigns, run, signatureDataUrl, tokenOf, type AgreementFixture } from './agreementHelpers.ts';

/*
 * The template's blanks are typed fields: a freeze with a required field empty is refused with
 * the blank fields named; the sealed PDF prints the values and no underscores; parties check the
 * revision number and a 6-character code (SMS and view); every signer downloads the sealed copy
 * with their own signing link, and only for their own agreement.
 */
let t: TestServer;
let mediator: string;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cm-agreement-fields-'));

before(async () => {
  t = await startTestServer();
  await t.createUser('med1', 'mediator', undefined, { displayName: '王调解员' });
  mediator = (await t.login('med1')).token;
});
after(async () => {
  await t.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function drafted(f: AgreementFixture) {
  const res = await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const save = (id: string, baseRevision: number, content: unknown) =>
  t.request('PUT', `/api/agreements/${id}/draft`, { token: mediator, body: { baseRevision, content } });
const freeze = (id: string, revision: number) => t.request('POST', `/api/agreements/${id}/freeze`, { token: mediator, body: { revision } });
const withValues = (content: any, values: Record<string, string>) => ({
  ...content,
  fields: content.fields.map((f: any) => ({ ...f, value: values[f.id] ?? f.value })),
});

/** Both parties sign by signing link, then the mediator: sealed. Returns the links. */
async function signAll(a: any, f: AgreementFixture, hash: string, seed: number): Promise<string[]> {
  const links = await t.request('POST', `/api/agreements/${a.id}/signing-links`, { token: mediator });
  assert.equal(links.status, 201, links.text);
  const tokens = (links.body as any[]).map((l) => tokenOf(l.url));
  t.clock.advance(31_000);
  assert.equal((await partySigns(t, tokens[0]!, f.partyA.id, f.partyA.phone, hash, seed)).status, 200);
  assert.equal((await partySigns(t, tokens[1]!, f.partyB.id, f.partyB.phone, hash, seed + 1)).status, 200);
  const m = await t.request('POST', `/api/agreements/${a.id}/sign`, {
    token: mediator,
    body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(seed + 2) },
  });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.body.status, 'sealed');
  return tokens;
}

describe('typed fields of the agreement', () => {
  test('the template draft has typed fields, no underscores; a freeze with blanks is refused naming them; bad values are refused', async () => {
    const f = await caseWithSession(t, mediator);
    const a = await drafted(f);
    const c = a.revision.content;
    assert.deepEqual(
      c.fields.map((x: any) => [x.id, x.type, x.required, x.value]),
      [
        ['wageAmount', 'amount', true, ''],
        ['payDate', 'date', true, ''],
      ],
    );
    assert.ok(!JSON.stringify(c).includes('__'), 'no typed blanks in the draft');
    assert.match(c.performance, /于\{\{payDate\}\}前一次性付清/);
    assert.equal(a.revision.hash, '', 'no hash while required fields are blank');
    assert.equal(a.revision.checkCode, '');

    const blank = await freeze(a.id, 1);
    assert.equal(blank.status, 422, blank.text);
    assert.equal(blank.body.code, 'blank_fields');
    assert.equal(blank.body.details.blankFields, 'wageAmount,payDate');
    assert.equal(blank.body.details['fields.payDate'], 'blank');

    const half = await save(a.id, 1, withValues(c, { wageAmount: '18000' }));
    assert.equal(half.status, 200, half.text);
    const stillBlank = await freeze(a.id, 2);
    assert.equal(stillBlank.status, 422);
    assert.deepEqual(stillBlank.body.details, { blankFields: 'payDate', 'fields.payDate': 'blank' });
    assert.equal((await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: mediator })).body.status, 'drafting', 'nothing frozen');

    const badDate = await save(a.id, 2, withValues(c, { wageAmount: '18000', payDate: '2026-02-30' }));
    assert.equal(badDate.status, 400);
    assert.equal(badDate.body.details['content.fields.1.value'], 'invalid_date');
    assert.equal((await save(a.id, 2, withValues(c, { wageAmount: '一万八', payDate: '2026-12-31' }))).status, 400);
    const unknown = await save(a.id, 2, { ...withValues(c, {}), clauses: ['于{{nowhere}}前付清。'] });
    assert.equal(unknown.status, 400);

    // A typed blank in the text is refused too.
    const typed = await save(a.id, 2, { ...withValues(c, { wageAmount: '18000', payDate: '2026-12-31' }), clauses: [...c.clauses, '于____年前交付。'] });
    assert.equal(typed.status, 200, typed.text);
    const refusedTyped = await freeze(a.id, 3);
    assert.equal(refusedTyped.status, 422);
    assert.deepEqual(refusedTyped.body.details, { blankFields: '', 'clauses.3': 'blank' });
  });

  test('the sealed PDF prints the values, never underscores; the hash covers the values; parties check revision + code; each signer downloads with their own link only', async () => {
    const f = await caseWithSession(t, mediator, ['赵一', '钱二']);
    const a = await drafted(f);
    const r2 = await save(a.id, 1, withValues(a.revision.content, { wageAmount: '18000', payDate: '2026-12-31' }));
    assert.equal(r2.status, 200, r2.text);
    const r3 = await save(a.id, 2, withValues(a.revision.content, { wageAmount: '18001', payDate: '2026-12-31' }));
    assert.notEqual(r3.body.revision.hash, r2.body.revision.hash, 'the revision hash covers the field values');
    const r4 = await save(a.id, 3, withValues(a.revision.content, { wageAmount: '18000', payDate: '2026-12-31' }));
    assert.equal(r4.body.revision.hash, r2.body.revision.hash, 'same text and values, same hash');
    const fr = await freeze(a.id, 4);
    assert.equal(fr.status, 200, fr.text);
    const frozen = fr.body.frozen;
    assert.equal(frozen.number, 4);
    assert.match(frozen.checkCode, /^[0-9A-HJKMNP-TV-Z]{6}$/);

    // The SMS names the revision and the check code, not the hex fingerprint.
    const otp = await t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: frozen.hash } });
    assert.equal(otp.status, 200, otp.text);
    const sms = await lastSms(t.testDb, f.partyA.phone);
    assert.ok(sms.includes(`第4版，核对码${frozen.checkCode}`), sms);
    assert.ok(!sms.includes('指纹') && !sms.includes(frozen.fingerprint), sms);

    const tokens = await signAll(a, f, frozen.hash, 61);

    // Another agreement, with its own signing links.
    const g = await caseWithSession(t, mediator, ['孙三', '周四']);
    const b = await drafted(g);
    await save(b.id, 1, withValues(b.revision.content, { wageAmount: '500', payDate: '2027-01-15' }));
    const gb = await freeze(b.id, 2);
    const otherLinks = await t.request('POST', `/api/agreements/${b.id}/signing-links`, { token: mediator });
    const otherToken = tokenOf(otherLinks.body[0].url);

    // Every signer downloads the sealed copy with their signing link; another agreement's link is refused.
    let pdf: Buffer | null = null;
    for (const token of tokens) {
      const dl = await fetch(`${t.baseUrl}/api/agreements/${a.id}/document`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(dl.status, 200);
      pdf = Buffer.from(await dl.arrayBuffer());
    }
    const refused = await t.request('GET', `/api/agreements/${a.id}/document`, { token: otherToken });
    assert.equal(refused.status, 403, 'a signing link opens its own agreement only');
    assert.equal(gb.status, 200);
    const view = await t.request('GET', '/api/signing', { token: tokens[1]! });
    assert.equal(view.body.agreement.status, 'sealed');
    assert.ok(view.body.agreement.document.verificationCode);

    const file = path.join(tmp, 'fields.pdf');
    writeFileSync(file, pdf!);
    const { stdout } = await run('pdftotext', [file, '-']);
    const flat = stdout.replace(/\s+/g, '');
    assert.ok(flat.includes('劳动报酬人民币18,000元'), 'the amount is printed');
    assert.ok(flat.includes('于2026年12月31日前一次性付清'), 'the date is printed');
    assert.ok(!/_{2,}|＿/.test(stdout), 'no underscores for blanks');
    assert.ok(!stdout.includes('{{'), 'no field tokens');
    assert.ok(flat.includes(`核对码：${frozen.checkCode}`), 'the certificate page shows the check code next to the full hash');
  });
});
