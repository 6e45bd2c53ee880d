import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifySealedPdf } from '../../server/agreement/verify.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { caseWithSession, codeIn, partySigns, run, signatureDataUrl, tokenOf, type AgreementFixture } from './agreementHelpers.ts';

let t: TestServer;
let mediator: string;
let otherMediator: string;
let official: string;
let supervisor: string;
/** The department unit of off1, called in (吹哨) where an official must witness. */
let officialUnit: string;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cm-agreement-'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  t = await startTestServer();
  await t.createUser('med1', 'mediator', undefined, { displayName: '王调解员' });
  await t.createUser('med2', 'mediator', undefined, { displayName: '陈调解员' });
  await t.createUser('off1', 'official', undefined, { displayName: '赵科长', department: '司法所' });
  await t.createUser('sup1', 'supervisor');
  mediator = (await t.login('med1')).token;
  otherMediator = (await t.login('med2')).token;
  official = (await t.login('off1')).token;
  supervisor = (await t.login('sup1')).token;
  await t.createUser('adm1', 'admin');
  const adminToken = (await t.login('adm1')).token;
  const unit = await t.request('POST', '/api/admin/units', {
    token: adminToken,
    body: { name: '区司法局', kind: 'department', level: 'county', department: 'human_resources' },
  });
  assert.equal(unit.status, 201, unit.text);
  officialUnit = unit.body.id;
  const off1 = await t.testDb.db.user.findUniqueOrThrow({ where: { username: 'off1' } });
  assert.equal((await t.request('PUT', `/api/admin/users/${off1.id}/unit`, { token: adminToken, body: { unitId: officialUnit } })).status, 200);
});

/** The mediator calls the official's department in and the official accepts: now they may witness. */
async function callInOfficial(caseId: string): Promise<void> {
  const w = await t.request('POST', `/api/cases/${caseId}/whistles`, { token: mediator, body: { unitId: officialUnit, need: '到场见证签署' } });
  assert.equal(w.status, 201, w.text);
  const accepted = await t.request('POST', `/api/whistles/${w.body.id}/accept`, { token: official });
  assert.equal(accepted.status, 200, accepted.text);
}
after(async () => t.close());

async function draft(f: AgreementFixture) {
  const res = await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function save(agreementId: string, baseRevision: number, content: unknown, token = mediator) {
  return t.request('PUT', `/api/agreements/${agreementId}/draft`, { token, body: { baseRevision, content } });
}

async function freeze(agreementId: string, revision: number, extra: Record<string, unknown> = {}) {
  const r = await t.request('POST', `/api/agreements/${agreementId}/freeze`, { token: mediator, body: { revision, ...extra } });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** New clauses, and the template's typed fields filled (a blank required field stops the freeze). */
function withClauses(content: any, clauses: string[]) {
  const values: Record<string, string> = { payDate: '2026-03-31', wageAmount: '18000' };
  return { ...content, clauses, fields: content.fields.map((f: any) => ({ ...f, value: f.value || values[f.id] })) };
}

const CLAUSES = ['被申请人于2026年3月31日前向申请人支付劳动报酬人民币18000元。', '双方就本纠纷再无其他争议。'];

describe('drafting', () => {
  test("templates; a draft filled from the case; access by staff and this session's participants only", async () => {
    const tpl = await t.request('GET', '/api/agreement-templates', { token: mediator });
    assert.equal(tpl.status, 200);
    assert.ok(tpl.body.length >= 8);
    assert.ok(tpl.body.some((x: any) => x.disputeType === 'labour'));

    const f = await caseWithSession(t, mediator);
    const none = await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: f.inviteA });
    assert.equal(none.status, 404);

    assert.equal((await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: supervisor, body: {} })).status, 403);
    assert.equal((await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: otherMediator, body: {} })).status, 403);
    const a = await draft(f);
    assert.equal(a.status, 'drafting');
    assert.equal(a.revision.number, 1);
    assert.equal(a.templateId, 'labour');
    assert.deepEqual(a.revision.content.parties, [
      { side: '申请人', name: '张三' },
      { side: '被申请人', name: '李四' },
    ]);
    assert.match(a.revision.content.facts, /18000/);
    assert.equal(a.revision.content.mediator, '王调解员');
    assert.ok(a.revision.content.organisation.length > 0);
    assert.match(a.revision.content.clauses[0], /某?李四/);
    assert.equal(a.caseNumber, f.caseNumber);
    assert.equal(a.revision.fingerprint, '', "no fingerprint while the template's typed fields are blank");
    assert.equal(a.revision.checkCode, '');
    assert.equal((await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} })).status, 409);

    for (const token of [f.inviteA, f.inviteB, f.inviteOfficial, supervisor]) {
      const r = await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.id, a.id);
    }
    const g = await caseWithSession(t, mediator);
    assert.equal((await t.request('GET', `/api/sessions/${g.sessionId}/agreement`, { token: f.inviteA })).status, 403, 'another session');
    assert.equal((await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, {})).status, 401);
    assert.equal((await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: 'garbage' })).status, 401);
    const listed = await t.request('GET', `/api/cases/${f.caseId}/agreements`, { token: supervisor });
    assert.equal(listed.body.length, 1);
  });

  // Live updates in the room and on the signing page: tests/api/documentNotifications.test.ts (signalling socket).
  test('every saved edit is a new revision; a stale base revision is a 409; parties read edits and comment on a clause', async () => {
    const f = await caseWithSession(t, mediator);
    const a = await draft(f);

    const r2 = await save(a.id, 1, withClauses(a.revision.content, CLAUSES));
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.body.revision.number, 2);
    for (const invite of [f.inviteA, f.inviteB]) {
      const seen = await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: invite });
      assert.deepEqual(seen.body.revision.content.clauses, CLAUSES);
    }

    const stale = await save(a.id, 1, withClauses(a.revision.content, ['别的条款。']));
    assert.equal(stale.status, 409);
    assert.equal(stale.body.details.currentRevision, '2');
    const same = await save(a.id, 2, withClauses(a.revision.content, CLAUSES));
    assert.equal(same.body.revision.number, 2, 'saving identical text makes no revision');
    assert.equal((await save(a.id, 2, withClauses(a.revision.content, ['x']), otherMediator)).status, 403);
    assert.equal(
      (await t.request('PUT', `/api/agreements/${a.id}/draft`, { token: f.inviteA, body: { baseRevision: 2, content: a.revision.content } })).status,
      401,
    );

    const c = await t.request('POST', `/api/agreements/${a.id}/comments`, {
      token: f.inviteB,
      body: { revision: 2, clauseIndex: 0, text: '希望分两期支付。' },
    });
    assert.equal(c.status, 201, c.text);
    const seen = (await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: f.inviteA })).body;
    assert.deepEqual(
      { authorName: seen.comments[0].authorName, side: seen.comments[0].side, clauseIndex: 0, text: seen.comments[0].text },
      { authorName: '李四', side: 'respondent', clauseIndex: 0, text: '希望分两期支付。' },
    );
    assert.equal(
      (await t.request('POST', `/api/agreements/${a.id}/comments`, { token: f.inviteA, body: { revision: 2, clauseIndex: 9, text: 'x' } })).status,
      400,
    );
    const g = await caseWithSession(t, mediator);
    assert.equal(
      (await t.request('POST', `/api/agreements/${a.id}/comments`, { token: g.inviteA, body: { revision: 2, clauseIndex: 0, text: 'x' } })).status,
      403,
    );
  });
});

describe('freezing and signing', () => {
  let f: AgreementFixture;
  let a: any;
  let frozen: any;
  let links: any[];

  before(async () => {
    f = await caseWithSession(t, mediator);
    a = await draft(f);
    a = (await save(a.id, 1, withClauses(a.revision.content, CLAUSES))).body;
  });

  test('freeze: incomplete text refused, only the latest revision, fingerprint shown to all', async () => {
    const empty = await save(a.id, 2, { ...a.revision.content, breach: '   ' });
    assert.equal(empty.body.revision.hash, '', 'an incomplete draft has no hash');
    assert.equal((await t.request('POST', `/api/agreements/${a.id}/freeze`, { token: mediator, body: { revision: 3 } })).status, 400);
    a = (await save(a.id, 3, a.revision.content)).body;
    assert.equal(a.revision.number, 4);
    assert.equal((await t.request('POST', `/api/agreements/${a.id}/freeze`, { token: mediator, body: { revision: 2 } })).status, 409);
    frozen = await freeze(a.id, 4);
    assert.equal(frozen.status, 'signing');
    assert.equal(frozen.frozen.hash, a.revision.hash);
    assert.equal(frozen.frozen.fingerprint, a.revision.fingerprint);
    assert.equal((await t.request('POST', `/api/agreements/${a.id}/freeze`, { token: mediator, body: { revision: 4 } })).status, 409);
    const seen = await t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: f.inviteB });
    assert.equal(seen.body.frozen.fingerprint, frozen.frozen.fingerprint);
    assert.deepEqual(
      seen.body.signers.map((s: any) => [s.kind, s.name, s.status]),
      [
        ['party', '张三', 'pending'],
        ['party', '李四', 'pending'],
        ['mediator', '王调解员', 'pending'],
      ],
    );
  });

  test('signing links; the signing page view; masked phone', async () => {
    const res = await t.request('POST', `/api/agreements/${a.id}/signing-links`, { token: mediator });
    assert.equal(res.status, 201, res.text);
    links = res.body;
    assert.equal(links.length, 2);
    assert.ok(links[0].url.startsWith(`${t.config.publicUrl}/sign#t=sl_`));
    const view = await t.request('GET', '/api/signing', { token: tokenOf(links[0].url) });
    assert.equal(view.status, 200, view.text);
    assert.deepEqual(view.body.me, { partyId: f.partyA.id, name: '张三', side: 'applicant', phoneMasked: '138****5678' });
    assert.equal(view.body.canSign, true);
    assert.ok(!JSON.stringify(view.body).includes('13812345678'), 'no raw phone number');
    const viaInvite = await t.request('GET', '/api/signing', { token: f.inviteB });
    assert.equal(viaInvite.body.me.partyId, f.partyB.id);
    assert.equal((await t.request('GET', '/api/signing', { token: 'sl_forged' })).status, 401);
  });

  test('refusals: not for the other party; an official is not a party; the mediator waits for the parties; bad images', async () => {
    const hash = frozen.frozen.hash;
    const otherParty = await t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyB.id, revisionHash: hash } });
    assert.equal(otherParty.status, 403);
    assert.match(otherParty.body.message, /only sign for themselves/);
    const otherSign = await t.request('POST', '/api/signing/sign', {
      token: tokenOf(links[1].url),
      body: { partyId: f.partyA.id, revisionHash: hash, consent: true, consentLang: 'zh-CN', code: '123456', signaturePng: signatureDataUrl(90) },
    });
    assert.equal(otherSign.status, 403);

    const officialInvite = await t.request('POST', '/api/signing/otp', { token: f.inviteOfficial, body: { partyId: f.partyA.id, revisionHash: hash } });
    assert.equal(officialInvite.status, 403);
    assert.match(officialInvite.body.message, /official cannot sign as a party/);
    const officialStaff = await t.request('POST', `/api/agreements/${a.id}/sign`, {
      token: official,
      body: { as: 'party', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(91) },
    });
    assert.equal(officialStaff.status, 403);
    // Not called in to this case, so the access rule refuses before the signing rules are asked.
    assert.equal(officialStaff.body.details?.action, 'agreement.sign');
    const officialAsMediator = await t.request('POST', `/api/agreements/${a.id}/sign`, {
      token: official,
      body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(92) },
    });
    assert.equal(officialAsMediator.status, 403);
    const early = await t.request('POST', `/api/agreements/${a.id}/sign`, {
      token: mediator,
      body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(93) },
    });
    assert.equal(early.status, 409);
    assert.match(early.body.message, /parties sign first/);

    const otp = await t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: hash } });
    assert.equal(otp.status, 200, otp.text);
    assert.equal(otp.body.sentTo, '138****5678');
    const sms = await lastSms(t.testDb, f.partyA.phone);
    assert.ok(sms.includes(`第${frozen.frozen.number}版，核对码${frozen.frozen.checkCode}`), `the SMS names the revision and its check code: ${sms}`);
    assert.match(frozen.frozen.checkCode, /^[0-9A-HJKMNP-TV-Z]{6}$/);
    assert.ok(!sms.includes(frozen.frozen.fingerprint) && !/[0-9a-f]{4} [0-9a-f]{4}/.test(sms), 'no hex fingerprint in the SMS');
    const code = codeIn(sms);
    const stored = (await t.testDb.sql.get(
      'SELECT "codeHash", "revisionHash" FROM "AgreementOtp" WHERE "partyId" = ? AND "consumedAt" IS NULL',
      f.partyA.id,
    )) as any;
    assert.notEqual(stored.codeHash, code);
    assert.ok(!stored.codeHash.includes(code), 'only a hash of the code is stored');
    assert.equal(stored.revisionHash, hash);
    assert.equal(
      (await t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: hash } })).status,
      429,
      'resend throttled',
    );

    const body = (over: Record<string, unknown>) => ({
      partyId: f.partyA.id,
      revisionHash: hash,
      consent: true,
      consentLang: 'zh-CN',
      code,
      signaturePng: signatureDataUrl(94),
      ...over,
    });
    assert.equal((await t.request('POST', '/api/signing/sign', { token: f.inviteA, body: body({ consent: false }) })).status, 400);
    const notPng = await t.request('POST', '/api/signing/sign', {
      token: f.inviteA,
      body: body({ signaturePng: 'data:image/png;base64,' + Buffer.from('GIF89a not a png at all, sorry').toString('base64') }),
    });
    assert.equal(notPng.status, 400);
    assert.match(notPng.body.message, /Invalid signature image/);
    const png = Buffer.from(signatureDataUrl(95).split(',')[1]!, 'base64');
    png[png.length - 20]! ^= 0xff; // corrupt a chunk: CRC fails
    assert.equal(
      (await t.request('POST', '/api/signing/sign', { token: f.inviteA, body: body({ signaturePng: 'data:image/png;base64,' + png.toString('base64') }) }))
        .status,
      400,
    );
    const big = 'data:image/png;base64,' + Buffer.alloc(60_000, 1).toString('base64');
    assert.equal(
      (await t.request('POST', '/api/signing/sign', { token: f.inviteA, body: body({ signaturePng: big }) })).status,
      413,
      'an oversized body is 413',
    );

    const wrong = await t.request('POST', '/api/signing/sign', { token: f.inviteA, body: body({ code: code === '000000' ? '000001' : '000000' }) });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.details.code, /4 attempts left/);
    // What the user is told comes from the client's catalogue: a reason with typed parameters.
    assert.equal(wrong.body.reason, 'otp_wrong');
    assert.deepEqual(wrong.body.params, { attemptsLeft: 4 });
  });

  test('a code is bound to its revision: after an edit (signatures cancelled) it never signs the new one; a replayed signature is refused', async () => {
    const hash1 = frozen.frozen.hash;
    // Party A signs revision 4 with a fresh code.
    t.clock.advance(31_000);
    const signedA = await partySigns(t, f.inviteA, f.partyA.id, f.partyA.phone, hash1, 11);
    assert.equal(signedA.status, 200, signedA.text);
    assert.equal(signedA.body.signers[0].status, 'signed');
    // Party B asks for a code on revision 4 ...
    t.clock.advance(31_000);
    assert.equal((await t.request('POST', '/api/signing/otp', { token: f.inviteB, body: { partyId: f.partyB.id, revisionHash: hash1 } })).status, 200);
    const codeB = codeIn(await lastSms(t.testDb, f.partyB.phone));
    // ... then the mediator edits: revision 5, A's signature cancelled.
    const edited = await save(a.id, 4, withClauses(a.revision.content, [...CLAUSES, '本协议一式三份。']));
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.status, 'drafting');
    assert.equal(edited.body.frozen, null);
    const cancelled = (await t.testDb.sql.get(
      'SELECT "cancelledAt" FROM "AgreementSignature" WHERE "agreementId" = ? AND "partyId" = ?',
      a.id,
      f.partyA.id,
    )) as any;
    assert.ok(cancelled.cancelledAt, 'the old signature is cancelled');
    const f2 = await freeze(a.id, 5);
    const hash2 = f2.frozen.hash;
    assert.notEqual(hash2, hash1);
    assert.deepEqual(
      f2.signers.map((s: any) => s.status),
      ['pending', 'pending', 'pending'],
      'the new revision starts unsigned',
    );

    // B's code for revision 4 does not sign revision 5.
    const crossRev = await t.request('POST', '/api/signing/sign', {
      token: f.inviteB,
      body: { partyId: f.partyB.id, revisionHash: hash2, consent: true, consentLang: 'zh-CN', code: codeB, signaturePng: signatureDataUrl(12) },
    });
    assert.equal(crossRev.status, 400);
    // The old revision cannot be signed any more.
    const oldRev = await t.request('POST', '/api/signing/sign', {
      token: f.inviteB,
      body: { partyId: f.partyB.id, revisionHash: hash1, consent: true, consentLang: 'zh-CN', code: codeB, signaturePng: signatureDataUrl(12) },
    });
    assert.equal(oldRev.status, 409);
    // A's signature from revision 4, replayed onto revision 5 (same image, fresh code), is refused.
    t.clock.advance(31_000);
    const replay = await partySigns(t, f.inviteA, f.partyA.id, f.partyA.phone, hash2, 11);
    assert.equal(replay.status, 409);
    assert.match(replay.body.message, /replayed signature is refused/);
    frozen = f2;
    a = edited.body;
  });

  test('complete signing → sealed PDF stored, listed, downloadable by parties and staff; verifiable; case settles', async () => {
    const hash = frozen.frozen.hash;
    t.clock.advance(31_000);
    const sA = await partySigns(t, tokenOf(links[0].url), f.partyA.id, f.partyA.phone, hash, 21);
    assert.equal(sA.status, 200, sA.text);
    const again = await t.request('POST', '/api/signing/otp', { token: tokenOf(links[0].url), body: { partyId: f.partyA.id, revisionHash: hash } });
    assert.equal(again.status, 409, 'no second signature');
    const sB = await partySigns(t, f.inviteB, f.partyB.id, f.partyB.phone, hash, 23);
    assert.equal(sB.status, 200, sB.text);
    assert.equal(sB.body.status, 'signing');
    assert.equal(
      (
        await t.request('POST', `/api/agreements/${a.id}/sign`, {
          token: otherMediator,
          body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(24) },
        })
      ).status,
      403,
    );
    const sM = await t.request('POST', `/api/agreements/${a.id}/sign`, {
      token: mediator,
      headers: { 'user-agent': 'mediator-browser' },
      body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(25) },
    });
    assert.equal(sM.status, 200, sM.text);
    assert.equal(sM.body.status, 'sealed');
    const doc = sM.body.document;
    assert.ok(doc, 'document');
    assert.match(doc.verificationCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    assert.equal(doc.revisionHash, hash);

    // Each signing recorded with everything the evidence needs.
    const rows = (await t.testDb.sql.all('SELECT * FROM "AgreementSignature" WHERE "agreementId" = ? AND "cancelledAt" IS NULL ORDER BY "at"', a.id)) as any[];
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(r.revisionHash, hash);
      assert.match(r.imageSha256, /^[0-9a-f]{64}$/);
      assert.match(r.consentTextSha256, /^[0-9a-f]{64}$/);
      assert.equal(r.ip, '127.0.0.1');
      assert.ok(r.userAgent.length > 0);
      assert.ok(r.at);
    }
    assert.deepEqual(
      rows.map((r) => [r.kind, r.signerName, r.side, r.identityMethod]),
      [
        ['party', '张三', '申请人', 'sms_otp'],
        ['party', '李四', '被申请人', 'sms_otp'],
        ['mediator', '王调解员', null, 'staff_login'],
      ],
    );

    // Download: staff, both parties (invitation, signing link); not an official's invitation.
    const dl = await fetch(`${t.baseUrl}/api/agreements/${a.id}/document`, { headers: { authorization: `Bearer ${f.inviteA}` } });
    assert.equal(dl.status, 200);
    const pdf = Buffer.from(await dl.arrayBuffer());
    assert.equal(sha256(pdf), doc.sha256);
    for (const token of [supervisor, tokenOf(links[1].url), f.inviteB]) {
      const r = await fetch(`${t.baseUrl}/api/agreements/${a.id}/document`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    assert.equal((await t.request('GET', `/api/agreements/${a.id}/document`, { token: f.inviteOfficial })).status, 403);
    const g = await caseWithSession(t, mediator);
    assert.equal((await t.request('GET', `/api/agreements/${a.id}/document`, { token: g.inviteA })).status, 403);

    // The file on disk, the stored hash and the timeline entry agree.
    const timeline = await t.request('GET', `/api/cases/${f.caseId}/timeline`, { token: supervisor });
    const sealed = timeline.body.filter((e: any) => e.type === 'agreement.sealed');
    assert.equal(sealed.length, 1);
    assert.equal(sealed[0].data.sha256, doc.sha256);
    assert.ok(timeline.body.some((e: any) => e.type === 'agreement.signatures_cancelled'));
    assert.equal(timeline.body.filter((e: any) => e.type === 'agreement.signed').length, 4);
    assert.equal((await t.request('GET', `/api/cases/${f.caseId}/timeline/verify`, { token: supervisor })).body.ok, true);
    const listed = await t.request('GET', `/api/cases/${f.caseId}/agreements`, { token: supervisor });
    assert.equal(listed.body[0].document.sha256, doc.sha256);

    // No edits after sealing.
    assert.equal((await save(a.id, a.revision.number, withClauses(a.revision.content, ['改了。']))).status, 409);

    // The PDF: Chinese text back, pdfsig valid, our verifier ok.
    const file = path.join(tmp, 'sealed.pdf');
    writeFileSync(file, pdf);
    const { stdout: text } = await run('pdftotext', ['-layout', file, '-']);
    for (const s of ['张三', '李四', '王调解员', '人民调解协议书', '18000', '电子签署证书', doc.verificationCode])
      assert.ok(text.includes(s), `pdftotext finds ${s}`);
    const { stdout: sig } = await run('pdfsig', ['-nocert', file]);
    assert.match(sig, /Signature is Valid\./);
    assert.match(sig, /Total document signed/);

    // Verification by code and by file.
    const byCode = await t.request('POST', '/api/verify/code', { body: { code: doc.verificationCode.toLowerCase() } });
    assert.equal(byCode.status, 200);
    assert.equal(byCode.body.status, 'authentic');
    assert.deepEqual(
      byCode.body.signers.map((s: any) => s.name),
      ['张*', '李*', '王***'],
    );
    assert.ok(!JSON.stringify(byCode.body).includes('张三'), 'names masked');
    assert.ok(!JSON.stringify(byCode.body).includes('127.0.0.1'), 'no IP on the public page');
    const upload = (body: Buffer) =>
      fetch(`${t.baseUrl}/api/verify/file`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(body) }).then(
        (r) => r.json() as Promise<any>,
      );
    assert.equal((await upload(pdf)).status, 'authentic');
    const flipped = Buffer.from(pdf);
    const at = flipped.indexOf('/Producer') + 12; // inside the signed range
    flipped[at]! ^= 0x01;
    const vf = await upload(flipped);
    assert.equal(vf.status, 'altered');
    assert.equal(vf.caseNumber, f.caseNumber);
    const appended = Buffer.concat([pdf, Buffer.from('\n% appended\n')]);
    const va = await upload(appended);
    assert.equal(va.status, 'altered');
    assert.match(va.reason, /appended|after the signed range|%%EOF/);
    assert.equal((await upload(Buffer.from('%PDF-1.4 not ours\n%%EOF\n'))).status, 'unknown');
    assert.equal((await t.request('POST', '/api/verify/code', { body: { code: 'AAAA-BBBB-CCCC' } })).body.status, 'unknown');
    const trust = await t.services.agreement.finaliser.sealTrust();
    assert.equal(verifySealedPdf(pdf, doc.sha256, { trustedRootsPem: trust.rootsPem, sealCertsPem: trust.sealCertsPem, at: new Date(doc.sealedAt) }).ok, true);

    // Settle the case through the case loop: the mediator registered it at the window, took it on
    // at once, and the session put it in mediation, so the sealed agreement closes it.
    const settled = await t.request('POST', `/api/agreements/${a.id}/settle`, { token: mediator, body: {} });
    assert.equal(settled.status, 200, settled.text);
    assert.equal(settled.body.state, 'closed_settled');
    assert.equal(settled.body.agreementId, a.id);
  });
});

describe('refusal, witness and signing order', () => {
  test('a party refuses with a reason; the agreement cannot complete; an edit starts over', async () => {
    const f = await caseWithSession(t, mediator, ['刘一', '陈二']);
    let a = await draft(f);
    a = (await save(a.id, 1, withClauses(a.revision.content, CLAUSES))).body;
    const fr = await freeze(a.id, 2);
    const refuse = await t.request('POST', '/api/signing/refuse', {
      token: f.inviteB,
      body: { partyId: f.partyB.id, revisionHash: fr.frozen.hash, reason: '金额不同意' },
    });
    assert.equal(refuse.status, 200, refuse.text);
    assert.deepEqual(refuse.body.signers[1], { ...refuse.body.signers[1], status: 'refused', refusalReason: '金额不同意' });
    assert.equal(
      (await t.request('POST', '/api/signing/refuse', { token: f.inviteA, body: { partyId: f.partyB.id, revisionHash: fr.frozen.hash, reason: '替他拒绝' } }))
        .status,
      403,
    );
    const sign = await partySigns(t, f.inviteB, f.partyB.id, f.partyB.phone, fr.frozen.hash, 31).catch(() => null);
    assert.equal(sign, null, 'no code once refused'); // the otp request itself is refused (409)
    const timeline = await t.request('GET', `/api/cases/${f.caseId}/timeline`, { token: supervisor });
    assert.ok(timeline.body.some((e: any) => e.type === 'agreement.refused' && e.data.reason === '金额不同意'));
    const edited = await save(a.id, 2, withClauses(a.revision.content, ['被申请人支付人民币15000元。']));
    assert.equal(edited.body.signers[1].status, 'pending');
  });

  test('order "any" lets the mediator sign first; a required witness (official) completes the agreement', async () => {
    const f = await caseWithSession(t, mediator, ['周五', '吴六']);
    let a = await draft(f);
    a = (await save(a.id, 1, withClauses(a.revision.content, CLAUSES))).body;
    const fr = await freeze(a.id, 2, { signingOrder: 'any', requireWitness: true });
    const hash = fr.frozen.hash;
    assert.equal(fr.signers.length, 4);
    const staffSign = (token: string, as: string, seed: number) =>
      t.request('POST', `/api/agreements/${a.id}/sign`, {
        token,
        body: { as, revisionHash: hash, consent: true, consentLang: 'en', signaturePng: signatureDataUrl(seed) },
      });
    assert.equal((await staffSign(mediator, 'mediator', 41)).status, 200);
    assert.equal((await staffSign(mediator, 'mediator', 42)).status, 409, 'once');
    assert.equal((await staffSign(mediator, 'witness', 43)).status, 403, 'a mediator is no witness');
    t.clock.advance(31_000);
    assert.equal((await partySigns(t, f.inviteA, f.partyA.id, f.partyA.phone, hash, 44)).status, 200);
    const last = await partySigns(t, f.inviteB, f.partyB.id, f.partyB.phone, hash, 45);
    assert.equal(last.body.status, 'signing', 'the witness is still missing');
    const uncalled = await staffSign(official, 'witness', 46);
    assert.equal(uncalled.status, 403, 'an official never called in to this case is no witness');
    assert.equal(uncalled.body.details?.action, 'agreement.sign');
    await callInOfficial(f.caseId);
    const w = await staffSign(official, 'witness', 46);
    assert.equal(w.status, 200, w.text);
    assert.equal(w.body.status, 'sealed');
    assert.equal(w.body.signers[3].name, '赵科长');
  });

  test('OTP: expiry after 10 minutes and the attempt limit', async () => {
    const f = await caseWithSession(t, mediator, ['郑七', '王八']);
    let a = await draft(f);
    a = (await save(a.id, 1, withClauses(a.revision.content, CLAUSES))).body;
    const fr = await freeze(a.id, 2);
    const hash = fr.frozen.hash;
    t.clock.advance(60_000);
    assert.equal((await t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: hash } })).status, 200);
    const code = codeIn(await lastSms(t.testDb, f.partyA.phone));
    t.clock.advance(10 * 60_000 + 1000);
    const late = await t.request('POST', '/api/signing/sign', {
      token: f.inviteA,
      body: { partyId: f.partyA.id, revisionHash: hash, consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(51) },
    });
    assert.equal(late.status, 400);
    assert.match(late.body.message, /expired/);
    assert.equal((await t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: hash } })).status, 200);
    const code2 = codeIn(await lastSms(t.testDb, f.partyA.phone));
    const wrong = code2 === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) {
      const r = await t.request('POST', '/api/signing/sign', {
        token: f.inviteA,
        body: { partyId: f.partyA.id, revisionHash: hash, consent: true, consentLang: 'zh-CN', code: wrong, signaturePng: signatureDataUrl(52) },
      });
      assert.equal(r.status, 400);
    }
    const locked = await t.request('POST', '/api/signing/sign', {
      token: f.inviteA,
      body: { partyId: f.partyA.id, revisionHash: hash, consent: true, consentLang: 'zh-CN', code: code2, signaturePng: signatureDataUrl(52) },
    });
    assert.equal(locked.status, 400, 'the right code no longer works after 5 wrong ones');
  });
});
