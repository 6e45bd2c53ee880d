import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { sealedAgreementCase } from '../helpers/judicialFlow.ts';
import { caseWithSession, codeIn, PHONE_A, PHONE_B, run, signatureDataUrl, tokenOf } from './agreementHelpers.ts';

/*
 * Online judicial confirmation (司法确认) through the HTTP API: an application to a court after the
 * agreement is sealed, both parties' confirmations on their links, the judge's queue of that court
 * only, the review, the decision and the ruling sealed with the court's own key (pdfsig and the
 * verification API), the rejection path, the statutory period (one clock for the server and the
 * test), and the concurrent last confirmations and decisions.
 */

let t: TestServer;
let mediator: string;
let supervisor: string;
let judgeA: string;
let judgeB: string;
let courtA: string;
let courtB: string;
let department: string;
let seed = 100;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cm-judicial-'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const COURT_A = '示范区人民法院';

before(async () => {
  t = await startTestServer();
  await t.createUser('med1', 'mediator', undefined, { displayName: '王调解员' });
  await t.createUser('sup1', 'supervisor');
  await t.createUser('adm1', 'admin');
  const judgeAId = await t.createUser('judgeA', 'judge', undefined, { displayName: '陈法官' });
  const judgeBId = await t.createUser('judgeB', 'judge', undefined, { displayName: '林法官' });
  mediator = (await t.login('med1')).token;
  supervisor = (await t.login('sup1')).token;
  const admin = (await t.login('adm1')).token;
  const unit = async (body: unknown) => {
    const r = await t.request('POST', '/api/admin/units', { token: admin, body });
    assert.equal(r.status, 201, r.text);
    return r.body.id as string;
  };
  courtA = await unit({ name: COURT_A, kind: 'court', level: 'county' });
  courtB = await unit({ name: '邻区人民法院', kind: 'court', level: 'county' });
  department = await unit({ name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' });
  for (const [id, court] of [
    [judgeAId, courtA],
    [judgeBId, courtB],
  ] as const) {
    assert.equal((await t.request('PUT', `/api/admin/users/${id}/unit`, { token: admin, body: { unitId: court } })).status, 200);
  }
  const misplaced = await t.request('PUT', `/api/admin/users/${judgeAId}/unit`, { token: admin, body: { unitId: department } });
  assert.deepEqual([misplaced.status, misplaced.body.fields?.unitId?.reason], [400, 'judicial_not_a_court'], `a judge belongs to a court: ${misplaced.text}`);
  judgeA = (await t.login('judgeA')).token;
  judgeB = (await t.login('judgeB')).token;
});
after(async () => t?.close());

/** A case whose agreement both parties and the mediator signed: sealed by the committee. */
const sealedCase = (names?: [string, string]) => sealedAgreementCase(t, mediator, names);

async function start(caseId: string, courtUnitId = courtA) {
  return t.request('POST', `/api/cases/${caseId}/judicial`, { token: mediator, body: { courtUnitId } });
}

/** The party's link tokens from the start answer, in party order. */
const linkTokens = (res: { body: { links: Array<{ url: string }> } }): [string, string] => {
  const [a, b] = res.body.links.map((l) => tokenOf(l.url));
  return [a!, b!];
};

async function requestCode(token: string, phone: string): Promise<string> {
  const otp = await t.request('POST', '/api/judicial/apply/otp', { token, body: {} });
  assert.equal(otp.status, 200, otp.text);
  assert.match(otp.body.sentTo, /\*{4}/);
  // The newest judicial code to the phone (by time: the outbox also holds this phone's signing codes).
  const sms = await t.testDb.db.smsOutbox.findFirst({ where: { phone, purpose: 'judicial_confirmation' }, orderBy: { createdAt: 'desc' } });
  return codeIn(sms!.text);
}

function confirm(token: string, code: string) {
  return t.request('POST', '/api/judicial/apply/confirm', {
    token,
    headers: { 'user-agent': `phone-${seed}` },
    body: { consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(seed++) },
  });
}

async function bothConfirm(tokens: [string, string]): Promise<void> {
  assert.equal((await confirm(tokens[0], await requestCode(tokens[0], PHONE_A))).status, 200);
  const last = await confirm(tokens[1], await requestCode(tokens[1], PHONE_B));
  assert.equal(last.status, 200, last.text);
  assert.equal(last.body.application.status, 'submitted');
}

async function download(applicationId: string, token: string): Promise<Buffer> {
  const res = await fetch(`${t.baseUrl}/api/judicial/applications/${applicationId}/ruling.pdf`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `ruling download: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

const uploadForVerification = (body: Buffer) =>
  fetch(`${t.baseUrl}/api/verify/file`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(body) }).then(
    (r) => r.json() as Promise<any>,
  );

const timelineTypes = async (caseId: string): Promise<string[]> =>
  ((await t.request('GET', `/api/cases/${caseId}/timeline`, { token: supervisor })).body as Array<{ type: string }>).map((e) => e.type);

describe('judicial confirmation', () => {
  test('refused before the agreement is sealed; only a court is addressed', async () => {
    const f = await caseWithSession(t, mediator);
    const early = await start(f.caseId);
    assert.equal(early.status, 409, early.text);
    assert.equal(early.body.reason, 'judicial_agreement_not_sealed');
    const info = await t.request('GET', `/api/cases/${f.caseId}/judicial`, { token: mediator });
    assert.equal(info.status, 200);
    assert.deepEqual([info.body.period, info.body.canApply, info.body.applications], [null, false, []]);
    const courts = await t.request('GET', '/api/courts', { token: mediator });
    assert.deepEqual(courts.body.map((c: any) => c.name).sort(), [COURT_A, '邻区人民法院'].sort());
    const s = await sealedCase();
    const notCourt = await start(s.f.caseId, department);
    assert.equal(notCourt.status, 400);
    assert.equal(notCourt.body.reason, 'judicial_not_a_court');
  });

  test('both parties confirm on their links; the court of the application alone reviews and confirms; the ruling is sealed by that court and verifies', async () => {
    const s = await sealedCase();
    const started = await start(s.f.caseId);
    assert.equal(started.status, 201, started.text);
    const app = started.body.application;
    assert.equal(app.status, 'collecting');
    assert.equal(app.court.name, COURT_A);
    assert.equal(app.agreement.sha256, s.document.sha256);
    assert.equal(Date.parse(app.deadlineAt) - Date.parse(app.effectiveAt), 30 * 86_400_000);
    assert.equal(started.body.links.length, 2);
    for (const l of started.body.links) assert.match(l.url, /^https:\/\/tiaojie\.example\.cn\/judicial#t=jl_/);
    assert.ok((await lastSms(t.testDb, PHONE_A)).includes(tokenOf(started.body.links[0].url)), 'the link by SMS');
    const tokens = linkTokens(started);

    const again = await start(s.f.caseId);
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'judicial_application_exists');

    // Not in any queue, not the judge's to read, before every party confirmed.
    assert.deepEqual((await t.request('GET', '/api/judicial/queue', { token: judgeA })).body, []);
    assert.equal((await t.request('GET', `/api/judicial/applications/${app.id}`, { token: judgeA })).status, 403);

    // The party's page: what they confirm.
    const view = await t.request('GET', '/api/judicial/apply', { token: tokens[0] });
    assert.equal(view.status, 200, view.text);
    assert.equal(view.body.canConfirm, true);
    assert.equal(view.body.me.name, '张三');
    assert.equal(view.body.requestTexts['zh-CN'], '请求确认调解协议有效');
    assert.ok(view.body.agreementContent.clauses.length > 0);
    assert.deepEqual(
      view.body.application.parties.map((p: any) => [p.name, p.status]),
      [
        ['张*', 'pending'],
        ['李*', 'pending'],
      ],
    );
    assert.equal((await t.request('GET', '/api/judicial/apply', { token: 'jl_nonsense' })).body.reason, 'judicial_link_invalid');

    // A wrong code is refused (and counted); the right one confirms.
    const codeA = await requestCode(tokens[0], PHONE_A);
    const wrong = await confirm(tokens[0], codeA === '000000' ? '111111' : '000000');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.reason, 'otp_wrong');
    const first = await confirm(tokens[0], codeA);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.application.status, 'collecting');
    assert.equal(first.body.myConfirmation.status, 'confirmed');
    assert.equal((await confirm(tokens[0], codeA)).body.reason, 'judicial_already_confirmed');
    const last = await confirm(tokens[1], await requestCode(tokens[1], PHONE_B));
    assert.equal(last.status, 200, last.text);
    assert.equal(last.body.application.status, 'submitted');
    assert.match(await lastSms(t.testDb, PHONE_A), /已提交示范区人民法院审查/);

    // The queue of that court only; the other court's judge and the mediator are refused.
    const queue = await t.request('GET', '/api/judicial/queue', { token: judgeA });
    assert.deepEqual(
      queue.body.map((q: any) => q.application.id),
      [app.id],
    );
    assert.deepEqual((await t.request('GET', '/api/judicial/queue', { token: judgeB })).body, []);
    assert.equal((await t.request('GET', `/api/judicial/applications/${app.id}`, { token: judgeB })).status, 403);
    const byOtherCourt = await t.request('POST', `/api/judicial/applications/${app.id}/decision`, { token: judgeB, body: { decision: 'confirmed' } });
    assert.equal(byOtherCourt.status, 403);
    assert.equal((await t.request('POST', `/api/judicial/applications/${app.id}/decision`, { token: mediator, body: { decision: 'confirmed' } })).status, 403);
    assert.equal((await t.request('GET', '/api/judicial/queue', { token: mediator })).status, 403);

    // A recording of the session (rows only): listed for the judge with the sealed agreement.
    const at = new Date('2026-03-02T02:00:00Z');
    await t.testDb.db.recording.create({
      data: {
        id: `rec-${app.id}`,
        sessionId: s.f.sessionId,
        caseId: s.f.caseId,
        state: 'stopped',
        startedById: (await t.testDb.db.user.findUniqueOrThrow({ where: { username: 'med1' } })).id,
        startedAt: at,
        stateAt: at,
        endedAt: at,
      },
    });
    const review = await t.request('GET', `/api/judicial/applications/${app.id}`, { token: judgeA });
    assert.equal(review.status, 200, review.text);
    assert.equal(review.body.agreement.status, 'sealed');
    assert.equal(review.body.agreement.document.sha256, s.document.sha256);
    assert.deepEqual(review.body.records, []);
    assert.deepEqual(
      review.body.recordings.map((r: any) => r.id),
      [`rec-${app.id}`],
    );
    assert.equal(review.body.canDecide, true);
    const agreementPdf = await fetch(`${t.baseUrl}${review.body.agreementPdfUrl}`, { headers: { authorization: `Bearer ${judgeA}` } });
    assert.equal(agreementPdf.status, 200);
    const committeePdf = Buffer.from(await agreementPdf.arrayBuffer());
    assert.equal((await t.request('GET', `/api/cases/${s.f.caseId}/recordings`, { token: judgeA })).status, 200);

    // The decision: confirmed, the ruling sealed; decided once.
    const decided = await t.request('POST', `/api/judicial/applications/${app.id}/decision`, { token: judgeA, body: { decision: 'confirmed', reasons: '' } });
    assert.equal(decided.status, 200, decided.text);
    assert.equal(decided.body.status, 'confirmed');
    assert.equal(decided.body.judge.name, '陈法官');
    const ruling = decided.body.ruling;
    assert.match(ruling.number, /^\(2026\)示范民特\d+号$/);
    const twice = await t.request('POST', `/api/judicial/applications/${app.id}/decision`, { token: judgeA, body: { decision: 'rejected', reasons: '再审' } });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.reason, 'judicial_already_decided');
    assert.match(await lastSms(t.testDb, PHONE_B), /确认调解协议有效/);

    // The PDF: by the judge, by the party's link; the same bytes as sealed; pdfsig valid; the court's own seal.
    const pdf = await download(app.id, judgeA);
    assert.equal(sha256(pdf), ruling.sha256);
    assert.equal(sha256(await download(app.id, tokens[1])), ruling.sha256);
    assert.equal((await t.request('GET', `/api/judicial/applications/${app.id}/ruling.pdf`, { token: judgeB })).status, 403);
    const file = path.join(tmp, 'ruling-confirmed.pdf');
    writeFileSync(file, pdf);
    const { stdout: text } = await run('pdftotext', ['-layout', file, '-']);
    for (const w of [COURT_A, '民 事 裁 定 书', ruling.number, '调解协议有效', '陈法官', s.document.sha256.slice(0, 16), ruling.verificationCode])
      assert.ok(text.includes(w), `pdftotext finds ${w}`);
    const { stdout: sig } = await run('pdfsig', [file]);
    assert.match(sig, /Signature is Valid\./);
    assert.match(sig, /Total document signed/);
    assert.match(sig, new RegExp(`Signer Certificate Common Name: ${COURT_A} 电子印章`));
    const committeeFile = path.join(tmp, 'agreement.pdf');
    writeFileSync(committeeFile, committeePdf);
    const { stdout: committeeSig } = await run('pdfsig', [committeeFile]);
    const cn = (out: string) => /Signer Certificate Common Name: (.+)/.exec(out)?.[1];
    assert.match(cn(committeeSig) ?? '', /人民调解委员会/);
    assert.notEqual(cn(sig), cn(committeeSig), 'the ruling is not sealed with the committee seal');

    // Verification: by code and by file it is a court ruling naming the court; the agreement is the committee's.
    const byCode = await t.request('POST', '/api/verify/code', { body: { code: ruling.verificationCode } });
    assert.equal(byCode.body.status, 'authentic', byCode.text);
    assert.deepEqual([byCode.body.kind, byCode.body.sealedBy, byCode.body.courtName, byCode.body.decision], ['ruling', 'court', COURT_A, 'confirmed']);
    assert.equal(byCode.body.documentNumber, ruling.number);
    assert.ok(!JSON.stringify(byCode.body).includes('张三'), 'names masked');
    const byFile = await uploadForVerification(pdf);
    assert.deepEqual([byFile.status, byFile.kind, byFile.sealedBy, byFile.courtName], ['authentic', 'ruling', 'court', COURT_A]);
    const agreementByFile = await uploadForVerification(committeePdf);
    assert.deepEqual([agreementByFile.status, agreementByFile.kind, agreementByFile.sealedBy], ['authentic', 'agreement', 'committee']);
    assert.equal(agreementByFile.courtName, undefined);
    const flipped = Buffer.from(pdf);
    flipped[flipped.indexOf('/Producer') + 12]! ^= 0x01;
    const altered = await uploadForVerification(flipped);
    assert.deepEqual([altered.status, altered.kind], ['altered', 'ruling']);

    // The case shows it; the timeline has every step.
    const info = await t.request('GET', `/api/cases/${s.f.caseId}/judicial`, { token: mediator });
    assert.equal(info.body.applications[0].status, 'confirmed');
    assert.equal(info.body.applications[0].ruling.number, ruling.number);
    assert.equal(info.body.canApply, false);
    const types = await timelineTypes(s.f.caseId);
    for (const ty of ['judicial.applied', 'judicial.submitted', 'judicial.decided']) assert.equal(types.filter((x) => x === ty).length, 1, ty);
    assert.equal(types.filter((x) => x === 'judicial.party_confirmed').length, 2);
    const tl = (await t.request('GET', `/api/cases/${s.f.caseId}/timeline`, { token: supervisor })).body as any[];
    assert.equal(tl.find((e) => e.type === 'judicial.decided').data.sha256, ruling.sha256);
    assert.deepEqual(
      tl.filter((e) => e.type === 'judicial.party_confirmed').map((e) => e.actorName),
      ['张三', '李四'],
    );
    assert.equal((await t.request('GET', `/api/cases/${s.f.caseId}/timeline/verify`, { token: supervisor })).body.ok, true);
  });

  test('a rejection needs reasons and yields a rejection ruling; a new application may follow', async () => {
    const s = await sealedCase(['赵六', '钱七']);
    const started = await start(s.f.caseId);
    await bothConfirm(linkTokens(started));
    const id = started.body.application.id;
    const bare = await t.request('POST', `/api/judicial/applications/${id}/decision`, { token: judgeA, body: { decision: 'rejected', reasons: ' ' } });
    assert.equal(bare.status, 400);
    assert.equal(bare.body.fields.reasons.reason, 'judicial_reasons_required');
    const reasons = '调解协议内容涉及案外人权益，不符合司法确认条件';
    const rejected = await t.request('POST', `/api/judicial/applications/${id}/decision`, { token: judgeA, body: { decision: 'rejected', reasons } });
    assert.equal(rejected.status, 200, rejected.text);
    assert.deepEqual([rejected.body.status, rejected.body.decisionReasons, rejected.body.ruling.decision], ['rejected', reasons, 'rejected']);
    const file = path.join(tmp, 'ruling-rejected.pdf');
    writeFileSync(file, await download(id, judgeA));
    const { stdout: text } = await run('pdftotext', ['-layout', file, '-']);
    assert.ok(text.includes('驳回申请人'), 'the ruling rejects');
    assert.ok(text.replace(/\s/g, '').includes(reasons), 'with the reasons');
    assert.match((await run('pdfsig', [file])).stdout, /Signature is Valid\./);
    const byCode = await t.request('POST', '/api/verify/code', { body: { code: rejected.body.ruling.verificationCode } });
    assert.deepEqual([byCode.body.status, byCode.body.kind, byCode.body.decision], ['authentic', 'ruling', 'rejected']);
    // Rejected: a new application within the period is allowed.
    assert.equal((await start(s.f.caseId, courtB)).status, 201);
  });

  test('the last two confirmations at once submit exactly once; two decisions at once produce one ruling', async () => {
    const s = await sealedCase(['孙八', '周九']);
    const started = await start(s.f.caseId);
    // New links (the old ones revoked), as the mediator would send again.
    const relinked = await t.request('POST', `/api/judicial/applications/${started.body.application.id}/links`, { token: mediator });
    assert.equal(relinked.status, 201, relinked.text);
    assert.equal((await t.request('GET', '/api/judicial/apply', { token: linkTokens(started)[0] })).body.reason, 'judicial_link_invalid');
    const tokens = linkTokens({ body: { links: relinked.body } });
    const codes = [await requestCode(tokens[0], PHONE_A), await requestCode(tokens[1], PHONE_B)];
    const both = await Promise.all([confirm(tokens[0], codes[0]!), confirm(tokens[1], codes[1]!)]);
    assert.deepEqual(
      both.map((r) => r.status),
      [200, 200],
    );
    const id = started.body.application.id;
    const types = await timelineTypes(s.f.caseId);
    assert.equal(types.filter((x) => x === 'judicial.submitted').length, 1);
    assert.equal(types.filter((x) => x === 'judicial.party_confirmed').length, 2);
    assert.equal((await t.request('GET', `/api/cases/${s.f.caseId}/judicial`, { token: mediator })).body.applications[0].status, 'submitted');

    const decisions = await Promise.all(
      [0, 1].map(() => t.request('POST', `/api/judicial/applications/${id}/decision`, { token: judgeA, body: { decision: 'confirmed' } })),
    );
    assert.deepEqual(decisions.map((r) => r.status).sort(), [200, 409]);
    assert.equal(decisions.find((r) => r.status === 409)!.body.reason, 'judicial_already_decided');
    assert.equal(await t.testDb.db.judicialRuling.count({ where: { applicationId: id } }), 1);
    assert.equal((await timelineTypes(s.f.caseId)).filter((x) => x === 'judicial.decided').length, 1);
  });

  test('decisions at once on two applications to one court take two ruling numbers, one after the other', async () => {
    const ids: string[] = [];
    for (const names of [
      ['褚甲', '卫乙'],
      ['蒋丙', '沈丁'],
    ] as const) {
      const s = await sealedCase([...names]);
      const started = await start(s.f.caseId);
      assert.equal(started.status, 201, started.text);
      const tokens = linkTokens(started);
      assert.equal((await confirm(tokens[0], await requestCode(tokens[0], PHONE_A))).status, 200);
      assert.equal((await confirm(tokens[1], await requestCode(tokens[1], PHONE_B))).status, 200);
      ids.push(started.body.application.id);
    }
    const decisions = await Promise.all(
      ids.map((id) => t.request('POST', `/api/judicial/applications/${id}/decision`, { token: judgeA, body: { decision: 'confirmed' } })),
    );
    assert.deepEqual(
      decisions.map((r) => r.status),
      [200, 200],
      decisions.map((r) => r.text).join(' | '),
    );
    const numbers = (await t.testDb.db.judicialRuling.findMany({ where: { applicationId: { in: ids } }, select: { number: true } })).map((r) => r.number);
    assert.equal(new Set(numbers).size, 2, `two numbers: ${numbers.join(', ')}`);
    const { courtUnitId } = await t.testDb.db.judicialApplication.findUniqueOrThrow({ where: { id: ids[0]! } });
    const courtApps = await t.testDb.db.judicialApplication.findMany({ where: { courtUnitId }, select: { id: true } });
    const all = (await t.testDb.db.judicialRuling.findMany({ where: { applicationId: { in: courtApps.map((x) => x.id) } }, select: { number: true } })).map(
      (r) => Number(/民特(\d+)号$/.exec(r.number)?.[1]),
    );
    assert.deepEqual(
      [...all].sort((x, y) => x - y),
      all.map((_, i) => i + 1),
      'the court counts its rulings 1, 2, 3, … without a gap or a repeat',
    );
  });

  // Last: it moves the one clock (server and test) past the statutory period.
  test('after JUDICIAL_APPLICATION_DAYS from the sealing: a new application is refused; a late confirmation is refused and the application lapses', async () => {
    const late = await sealedCase(['吴十', '郑十一']);
    const collecting = await sealedCase(['王十二', '冯十三']);
    const started = await start(collecting.f.caseId);
    const tokens = linkTokens(started);
    assert.equal((await confirm(tokens[0], await requestCode(tokens[0], PHONE_A))).status, 200);

    t.clock.advance(30 * 86_400_000 + 60_000);
    // Staff logins end after hours: sign in again on the new day.
    mediator = (await t.login('med1')).token;
    supervisor = (await t.login('sup1')).token;
    judgeA = (await t.login('judgeA')).token;
    const refused = await start(late.f.caseId);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.reason, 'judicial_period_over');
    assert.equal((await t.request('GET', `/api/cases/${late.f.caseId}/judicial`, { token: mediator })).body.canApply, false);

    const otp = await t.request('POST', '/api/judicial/apply/otp', { token: tokens[1], body: {} });
    assert.equal(otp.body.reason, 'judicial_period_over');
    const tooLate = await confirm(tokens[1], '123456');
    assert.equal(tooLate.status, 409);
    assert.equal(tooLate.body.reason, 'judicial_period_over');
    const info = await t.request('GET', `/api/cases/${collecting.f.caseId}/judicial`, { token: mediator });
    assert.equal(info.body.applications[0].status, 'lapsed');
    assert.equal((await timelineTypes(collecting.f.caseId)).filter((x) => x === 'judicial.lapsed').length, 1);
    const page = await t.request('GET', '/api/judicial/apply', { token: tokens[1] });
    assert.deepEqual([page.body.application.status, page.body.canConfirm], ['lapsed', false]);
    assert.deepEqual(
      (await t.request('GET', '/api/judicial/queue?status=all', { token: judgeA })).body.filter((q: any) => q.application.caseId === collecting.f.caseId),
      [],
    );
  });
});
