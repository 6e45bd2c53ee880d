import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sampleCase, startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { enterRoom, until, type Member } from '../helpers/room.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import type { TestSocket } from '../helpers/socketClient.ts';
import { codeIn, run, signatureDataUrl, withFilledFields } from './agreementHelpers.ts';

/*
 * The mediation record (调解笔录) against the real server and room: drafting with revisions and
 * the stale-revision refusal, the automatic events from the session's timeline (real joins, a
 * leave, a caucus), confirmation by every signatory (parties with the one-time code, an official
 * by invitation, the recorder and the mediator by their staff login), an objection kept, sealing
 * once every signatory answered (also when the last two answer at once), /verify, and the
 * cross-reference with the agreement sealed after it.
 */

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cm-record-'));

describe('the mediation record (调解笔录)', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  let mediator: string;
  let session: { id: string };
  let caseDetail: any;
  let tokA: string;
  let tokB: string;
  let a: Member;
  let b: Member;
  let m: Member;
  let otherMediator: string;
  const api = (method: string, p: string, token: string, body?: unknown) => server.api(method, p, { token, ...(body === undefined ? {} : { body }) });

  before(async () => {
    server = await startFullServer();
    const seated = await server.mediatorWithSession();
    mediator = seated.token;
    session = seated.session;
    caseDetail = seated.caseDetail;
    const [pa, pb] = caseDetail.parties;
    tokA = (await server.invite(mediator, session.id, { role: 'party', partyId: pa.id, displayName: pa.name })).token;
    tokB = (await server.invite(mediator, session.id, { role: 'party', partyId: pb.id, displayName: pb.name })).token;
    await server.createUser('med2', 'mediator', { displayName: '陈调解员' });
    otherMediator = (await server.login('med2')).token;
    // The room: the mediator and both parties, admitted; a caucus with A; B leaves and comes back.
    m = await enterRoom(server.baseUrl, sockets, { kind: 'staff', token: mediator, sessionId: session.id });
    a = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: tokA });
    b = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: tokB });
    await m.s.request('lobby.admitAll', {});
    await m.s.request('caucus.start', { peerIds: [a.id] });
    await m.s.request('caucus.end', {});
    b.s.close();
    await until(async () => {
      const tl = await api('GET', `/api/cases/${caseDetail.id}/timeline`, mediator);
      return (tl.body as any[]).some((e) => e.type === 'session.left');
    }, 'B has left');
    b = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: tokB });
    // Joins and leaves reach the timeline in groups (SessionService.recordJoin): wait until they are all written.
    const written = async (type: string) =>
      ((await api('GET', `/api/cases/${caseDetail.id}/timeline`, mediator)).body as Array<{ type: string }>).filter((e) => e.type === type).length;
    await until(
      async () => (await written('session.joined')) === 4 && (await written('session.left')) === 1,
      'four joins and a leave on the timeline',
      10_000,
      50,
    );
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  let record: any;

  test('the mediator starts it; everyone in the session reads it; the events come from the timeline', async () => {
    assert.equal((await api('GET', `/api/sessions/${session.id}/record`, tokA)).body.reason, 'record_none');
    assert.equal((await api('POST', `/api/sessions/${session.id}/record`, tokA, {})).status, 401, 'a party cannot start it');
    assert.equal((await api('POST', `/api/sessions/${session.id}/record`, otherMediator, {})).status, 403, 'nor another mediator');
    const created = await api('POST', `/api/sessions/${session.id}/record`, mediator, {});
    assert.equal(created.status, 201, JSON.stringify(created.body));
    record = created.body;
    assert.equal(record.status, 'drafting');
    assert.equal(record.revision.number, 1);
    assert.equal(record.revision.content.place, '云调解（线上视频调解）');
    assert.deepEqual(
      record.revision.content.participants.map((p: any) => p.role),
      ['applicant', 'respondent', 'mediator'],
    );
    assert.equal(record.me.canEdit, true);
    assert.equal((await api('POST', `/api/sessions/${session.id}/record`, mediator, {})).body.reason, 'record_exists');

    const seen = await api('GET', `/api/sessions/${session.id}/record`, tokA);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.me.canEdit, false);
    assert.equal(seen.body.me.partyId, caseDetail.parties[0].id);
    const kinds = (seen.body.events as any[]).map((e) => e.kind);
    for (const k of ['joined', 'caucus_started', 'caucus_ended', 'left']) assert.ok(kinds.includes(k), `event ${k} in ${kinds.join(',')}`);
    assert.equal(kinds.filter((k) => k === 'joined').length, 4, 'three joins and B rejoining');
    // Each event is the timeline entry itself (its seq and hash).
    const tl = (await api('GET', `/api/cases/${caseDetail.id}/timeline`, mediator)).body as any[];
    for (const e of seen.body.events) assert.equal(tl.find((x) => x.seq === e.seq)?.hash, e.hash);
  });

  test('autosaved revisions; a stale revision is refused; the events cannot be written into it', async () => {
    const content = {
      ...record.revision.content,
      participants: record.revision.content.participants.map((p: any, i: number) => ({ ...p, location: ['北京市朝阳区', '河北省廊坊市', '调解中心'][i] })),
      statements: [
        { at: new Date().toISOString(), speaker: '张三', role: 'applicant', text: '工资一万八千元至今未付。' },
        { at: new Date().toISOString(), speaker: '某某建筑公司', role: 'respondent', text: '工程款未结算，愿意分两期支付。' },
      ],
      mediatorProposal: '被申请人分两期支付工资 18000 元。',
      outcome: '双方同意调解方案。',
    };
    const saved = await api('PUT', `/api/records/${record.id}/draft`, mediator, { baseRevision: 1, content });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.revision.number, 2);
    const stale = await api('PUT', `/api/records/${record.id}/draft`, mediator, { baseRevision: 1, content: { ...content, outcome: '旧版本上的修改' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'record_draft_changed');
    assert.equal(stale.body.params.revision, 2);
    const same = await api('PUT', `/api/records/${record.id}/draft`, mediator, { baseRevision: 2, content });
    assert.equal(same.body.revision.number, 2, 'an unchanged autosave makes no revision');
    const withEvents = await api('PUT', `/api/records/${record.id}/draft`, mediator, { baseRevision: 2, content: { ...content, events: [] } });
    assert.equal(withEvents.status, 400, 'events are not part of what is written');
    assert.equal((await api('PUT', `/api/records/${record.id}/draft`, otherMediator, { baseRevision: 2, content })).status, 403);
    assert.equal((await api('PUT', `/api/records/${record.id}/draft`, tokA, { baseRevision: 2, content })).status, 401);
    record = saved.body;
  });

  test('put to its signatories: A confirms with the one-time code and a drawn signature, B objects, the mediator signs; it is sealed', async () => {
    const frozen = await api('POST', `/api/records/${record.id}/freeze`, mediator, { revision: record.revision.number });
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    assert.equal(frozen.body.status, 'confirming');
    const hash = frozen.body.frozen.hash as string;
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      frozen.body.confirmers.map((c: any) => [c.role, c.method, c.mayObject, c.status]),
      [
        ['applicant', 'sms_otp', true, 'pending'],
        ['respondent', 'sms_otp', true, 'pending'],
        ['mediator', 'staff_login', false, 'pending'],
      ],
      'the parties and the mediator (who is also the recorder here)',
    );
    assert.equal(frozen.body.me.signatory, frozen.body.confirmers[2].key);

    // The wrong hash, the wrong person, a wrong code.
    assert.equal((await api('POST', `/api/records/${record.id}/otp`, tokA, { revisionHash: 'b'.repeat(64) })).body.reason, 'record_text_changed');
    assert.equal(
      (await api('POST', `/api/records/${record.id}/otp`, mediator, { revisionHash: hash })).body.reason,
      'record_not_signatory',
      'no code for staff',
    );
    assert.equal((await api('POST', `/api/records/${record.id}/otp`, otherMediator, { revisionHash: hash })).status, 403, 'nor for one who may not read it');
    const otp = await api('POST', `/api/records/${record.id}/otp`, tokA, { revisionHash: hash });
    assert.equal(otp.status, 200, JSON.stringify(otp.body));
    assert.match(otp.body.sentTo, /\*/);
    const sms = await lastSms(server.testDb, sampleCase.parties[0]!.phone);
    assert.match(sms, /调解笔录/);
    const code = codeIn(sms);
    const wrong = await api('POST', `/api/records/${record.id}/confirm`, tokA, {
      revisionHash: hash,
      consent: true,
      consentLang: 'zh-CN',
      code: code === '000000' ? '111111' : '000000',
      signaturePng: signatureDataUrl(71),
    });
    assert.equal(wrong.body.reason, 'otp_wrong');
    assert.equal(wrong.body.params.attemptsLeft, 4);
    const confirmed = await api('POST', `/api/records/${record.id}/confirm`, tokA, {
      revisionHash: hash,
      consent: true,
      consentLang: 'zh-CN',
      code,
      signaturePng: signatureDataUrl(71),
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.confirmers[0].status, 'confirmed');
    assert.equal(confirmed.body.status, 'confirming', 'B has not answered');
    assert.equal(
      (await api('POST', `/api/records/${record.id}/object`, tokA, { revisionHash: hash, objection: '改主意了' })).body.reason,
      'record_already_answered',
    );
    // After confirmation starts, the record can still be edited, which takes it back to drafting; not here.

    const objected = await api('POST', `/api/records/${record.id}/object`, tokB, { revisionHash: hash, objection: '笔录未记载我方提出的工程款结算问题。' });
    assert.equal(objected.status, 200, JSON.stringify(objected.body));
    assert.equal(objected.body.confirmers[1].status, 'objected');
    assert.equal(objected.body.confirmers[1].objection, '笔录未记载我方提出的工程款结算问题。');
    assert.equal(objected.body.status, 'confirming', 'the mediator has not signed');
    assert.equal(objected.body.document, null);

    // The mediator: not through the invitation routes, may not object to their own text, signs with the staff login.
    const staffSign = { revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(73) };
    assert.equal((await api('POST', `/api/records/${record.id}/confirm`, mediator, { ...staffSign, code: '123456' })).body.reason, 'record_not_signatory');
    assert.equal(
      (await api('POST', `/api/records/${record.id}/object`, mediator, { revisionHash: hash, objection: '我写错了' })).body.reason,
      'record_no_objection',
    );
    assert.equal((await api('POST', `/api/records/${record.id}/sign`, tokA, staffSign)).status, 401, 'a party has no staff login');
    assert.equal((await api('POST', `/api/records/${record.id}/sign`, otherMediator, staffSign)).status, 403, 'a mediator who may not read the case');
    const signedByMediator = await api('POST', `/api/records/${record.id}/sign`, mediator, staffSign);
    assert.equal(signedByMediator.status, 200, JSON.stringify(signedByMediator.body));
    assert.equal(signedByMediator.body.confirmers[2].status, 'confirmed');
    assert.equal(signedByMediator.body.status, 'sealed');
    assert.equal((await api('POST', `/api/records/${record.id}/sign`, mediator, staffSign)).body.reason, 'record_sealed');
    const doc = signedByMediator.body.document;
    assert.ok(doc, 'sealed document');
    assert.equal(doc.number, `${caseDetail.caseNumber}-笔录-1`);
    assert.deepEqual(doc.related, [], 'no agreement sealed before');
    assert.equal(
      (
        await api('PUT', `/api/records/${record.id}/draft`, mediator, {
          baseRevision: signedByMediator.body.revision.number,
          content: signedByMediator.body.revision.content,
        })
      ).body.reason,
      'record_sealed',
    );

    const tl = (await api('GET', `/api/cases/${caseDetail.id}/timeline`, mediator)).body as any[];
    for (const type of ['record.drafted', 'record.revised', 'record.frozen', 'record.confirmed', 'record.objected', 'record.sealed'])
      assert.ok(
        tl.some((e) => e.type === type),
        type,
      );
    assert.equal(tl.find((e) => e.type === 'record.sealed').data.sha256, doc.sha256);
    assert.equal((await api('GET', `/api/cases/${caseDetail.id}/timeline/verify`, mediator)).body.ok, true);
    record = signedByMediator.body;
  });

  test('the sealed PDF: text, objection printed, pdfsig valid; /verify by code and by file', async () => {
    const res = await fetch(`${server.baseUrl}/api/records/${record.id}/document`, { headers: { authorization: `Bearer ${tokB}` } });
    assert.equal(res.status, 200);
    const pdf = Buffer.from(await res.arrayBuffer());
    assert.equal(sha256(pdf), record.document.sha256);
    const file = path.join(tmp, 'record.pdf');
    writeFileSync(file, pdf);
    const { stdout: text } = await run('pdftotext', ['-layout', file, '-']);
    const flat = text.replace(/\s+/g, '');
    for (const s of [
      '调解笔录',
      record.document.number,
      '云调解',
      '北京市朝阳区',
      '工资一万八千元至今未付',
      '进入调解室',
      '背对背调解',
      '笔录未记载我方提出的工程款结算问题',
      '提出异议',
      '确认记录属实',
      '核对与签名',
      '人民调解员',
      '工作人员账号登录',
      '电子签署证书',
      record.document.verificationCode,
    ]) {
      assert.ok(flat.includes(s.replace(/\s+/g, '')), `pdftotext finds ${s}`);
    }
    const { stdout: sig } = await run('pdfsig', ['-nocert', file]);
    assert.match(sig, /Signature is Valid\./);

    const byCode = await server.api('POST', '/api/verify/code', { body: { code: record.document.verificationCode } });
    assert.equal(byCode.body.status, 'authentic');
    assert.equal(byCode.body.kind, 'record');
    assert.equal(byCode.body.documentNumber, record.document.number);
    assert.deepEqual(
      byCode.body.signers.map((s: any) => s.method),
      ['sms_otp+handwritten', 'objection', 'staff_login+handwritten'],
    );
    assert.deepEqual(
      byCode.body.signers.map((s: any) => s.roleCode),
      ['applicant', 'respondent', 'mediator'],
    );
    const upload = (body: Buffer) =>
      fetch(`${server.baseUrl}/api/verify/file`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: new Uint8Array(body) }).then(
        (r) => r.json() as Promise<any>,
      );
    assert.equal((await upload(pdf)).status, 'authentic');
    const flipped = Buffer.from(pdf);
    flipped[flipped.indexOf('/Producer') + 12]! ^= 0x01;
    assert.equal((await upload(flipped)).status, 'altered');
  });

  test('a recorder (记录员) chosen from the mediators who read the case writes; one who cannot read it is refused', async () => {
    const other = await server.mediatorWithSession();
    // med2 is not responsible for this case and not in its unit: not a recorder for it.
    const refused = await api('POST', `/api/sessions/${other.session.id}/record`, other.token, {
      recorderId: (await server.testDb.db.user.findUniqueOrThrow({ where: { username: 'med2' } })).id,
    });
    assert.equal(refused.body.reason, 'record_recorder_invalid');
    // A colleague in the unit the case is routed to reads it (caseAccess.ts): now med2 may be chosen.
    const med2 = await server.testDb.db.user.findUniqueOrThrow({ where: { username: 'med2' } });
    const unit = await server.testDb.db.unit.create({
      data: { id: 'unit-record-test', name: '某街道人民调解委员会', kind: 'mediation_committee', level: 'town' },
    });
    await server.testDb.db.case.update({ where: { id: other.caseDetail.id }, data: { unitId: unit.id } });
    await server.testDb.db.user.update({ where: { id: med2.id }, data: { unitId: unit.id } });
    const candidates = await api('GET', `/api/sessions/${other.session.id}/record/recorders`, other.token);
    assert.deepEqual(candidates.body.map((c: any) => c.name).slice(1), ['陈调解员'], 'the lead first, then the colleague in the unit');
    assert.equal((await api('GET', `/api/sessions/${other.session.id}/record/recorders`, otherMediator)).status, 403);
    const created = await api('POST', `/api/sessions/${other.session.id}/record`, other.token, { recorderId: med2.id });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.header.recorder, '陈调解员');
    assert.deepEqual(created.body.revision.content.participants.map((p: any) => p.role).slice(-1), ['recorder']);
    const content = { ...created.body.revision.content, outcome: '记录员写的' };
    const byRecorder = await api('PUT', `/api/records/${created.body.id}/draft`, otherMediator, { baseRevision: 1, content });
    assert.equal(byRecorder.status, 200, JSON.stringify(byRecorder.body));
    assert.equal(byRecorder.body.revision.number, 2);
    assert.equal(byRecorder.body.me.canEdit, true);
    // The recorder writes; putting it to the parties is the mediator's.
    assert.equal((await api('POST', `/api/records/${created.body.id}/freeze`, otherMediator, { revision: 2 })).status, 403);
    const frozen = await api('POST', `/api/records/${created.body.id}/freeze`, other.token, { revision: 2 });
    assert.equal(frozen.body.status, 'confirming');
    // An edit after it was put to the parties takes it back to drafting: answers to the old hash no longer count.
    const edited = await api('PUT', `/api/records/${created.body.id}/draft`, otherMediator, { baseRevision: 2, content: { ...content, outcome: '再次修改' } });
    assert.equal(edited.body.status, 'drafting');
    assert.equal(edited.body.frozen, null);
    const invitation = await server.invite(other.token, other.session.id, { role: 'party', partyId: other.caseDetail.parties[0]!.id, displayName: '张三' });
    assert.equal(
      (await api('POST', `/api/records/${created.body.id}/otp`, invitation.token, { revisionHash: frozen.body.frozen.hash })).body.reason,
      'record_not_confirming',
    );
  });

  test('every signatory: an official who joined, the recorder and the mediator; sealed only when all answered, once, with the last two at once', async () => {
    const c = await server.mediatorWithSession();
    // The recorder: med2, a colleague in the unit the case is routed to (see the recorder test above).
    const med2 = await server.testDb.db.user.findUniqueOrThrow({ where: { username: 'med2' } });
    await server.testDb.db.case.update({ where: { id: c.caseDetail.id }, data: { unitId: med2.unitId } });
    // Also in the unit: reads the case, but is not one of this record's signatories.
    await server.createUser('med3', 'mediator', { displayName: '孙调解员' });
    await server.testDb.db.user.update({ where: { username: 'med3' }, data: { unitId: med2.unitId } });
    const med3 = (await server.login('med3')).token;
    const p1 = c.caseDetail.parties[0]!;
    const p2 = c.caseDetail.parties[1]!;
    const inv1 = await server.invite(c.token, c.session.id, { role: 'party', partyId: p1.id, displayName: p1.name });
    const inv2 = await server.invite(c.token, c.session.id, { role: 'party', partyId: p2.id, displayName: p2.name });
    const official = await server.invite(c.token, c.session.id, { role: 'official', displayName: '赵科长', department: '区人社局' });
    const absent = await server.invite(c.token, c.session.id, { role: 'official', displayName: '钱警官', department: '派出所' });
    await enterRoom(server.baseUrl, sockets, { kind: 'staff', token: c.token, sessionId: c.session.id }).then(async (host) => {
      await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: official.token });
      await host.s.request('lobby.admitAll', {});
    });
    await until(async () => {
      const tl = (await api('GET', `/api/cases/${c.caseDetail.id}/timeline`, c.token)).body as any[];
      return tl.some((e) => e.type === 'session.joined' && e.data.role === 'official');
    }, 'the official joined');

    const r = (await api('POST', `/api/sessions/${c.session.id}/record`, c.token, { recorderId: med2.id })).body;
    const frozen = await api('POST', `/api/records/${r.id}/freeze`, c.token, { revision: 1 });
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    const hash = frozen.body.frozen.hash as string;
    assert.deepEqual(
      frozen.body.confirmers.map((x: any) => [x.role, x.name, x.department, x.method, x.mayObject]),
      [
        ['applicant', p1.name, null, 'sms_otp', true],
        ['respondent', p2.name, null, 'sms_otp', true],
        ['official', '赵科长', '区人社局', 'invitation', true],
        ['recorder', '陈调解员', null, 'staff_login', false],
        ['mediator', c.caseDetail.leadMediator?.displayName ?? frozen.body.header.mediator, null, 'staff_login', false],
      ],
      'the parties, the official who joined (not the one who never came), the recorder, the mediator',
    );
    const sign = (seed: number) => ({ revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(seed) });

    // Not a signatory: a mediator who reads the case; an official invited who never joined.
    assert.equal((await api('GET', `/api/sessions/${c.session.id}/record`, med3)).body.me.signatory, null);
    assert.equal((await api('POST', `/api/records/${r.id}/sign`, med3, sign(101))).body.reason, 'record_not_signatory');
    assert.equal((await api('POST', `/api/records/${r.id}/confirm`, absent.token, sign(102))).body.reason, 'record_not_signatory');
    assert.equal(
      (await api('POST', `/api/records/${r.id}/object`, absent.token, { revisionHash: hash, objection: '未参加' })).body.reason,
      'record_not_signatory',
    );

    // The official: no code (their invitation carries no phone), the drawn signature; once only.
    const seenByOfficial = (await api('GET', `/api/sessions/${c.session.id}/record`, official.token)).body;
    assert.equal(seenByOfficial.me.signatory, seenByOfficial.confirmers[2].key);
    assert.equal((await api('POST', `/api/records/${r.id}/otp`, official.token, { revisionHash: hash })).body.reason, 'record_not_signatory');
    const byOfficial = await api('POST', `/api/records/${r.id}/confirm`, official.token, sign(103));
    assert.equal(byOfficial.status, 200, JSON.stringify(byOfficial.body));
    assert.equal(byOfficial.body.confirmers[2].status, 'confirmed');
    assert.equal(
      (await api('POST', `/api/records/${r.id}/object`, official.token, { revisionHash: hash, objection: '再想想' })).body.reason,
      'record_already_answered',
    );
    // A party without the code is refused; both parties object.
    assert.equal((await api('POST', `/api/records/${r.id}/confirm`, inv1.token, sign(104))).body.reason, 'record_code_required');
    for (const [i, inv] of [inv1, inv2].entries()) {
      const res = await api('POST', `/api/records/${r.id}/object`, inv.token, { revisionHash: hash, objection: `当事人异议${i + 1}：金额有误。` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'confirming', 'the recorder and the mediator have not signed');
    }
    // The recorder may not object to what they wrote.
    assert.equal(
      (await api('POST', `/api/records/${r.id}/object`, otherMediator, { revisionHash: hash, objection: '不对' })).body.reason,
      'record_no_objection',
    );

    // The last two answers at once, on two requests: both taken, sealed exactly once.
    const [byRecorder, byMediator] = await Promise.all([
      api('POST', `/api/records/${r.id}/sign`, otherMediator, sign(105)),
      api('POST', `/api/records/${r.id}/sign`, c.token, sign(106)),
    ]);
    assert.equal(byRecorder.status, 200, JSON.stringify(byRecorder.body));
    assert.equal(byMediator.status, 200, JSON.stringify(byMediator.body));
    await until(async () => (await api('GET', `/api/sessions/${c.session.id}/record`, c.token)).body.status === 'sealed', 'sealed');
    const sealed = (await api('GET', `/api/sessions/${c.session.id}/record`, c.token)).body;
    assert.deepEqual(
      sealed.confirmers.map((x: any) => x.status),
      ['objected', 'objected', 'confirmed', 'confirmed', 'confirmed'],
    );
    const tl = (await api('GET', `/api/cases/${c.caseDetail.id}/timeline`, c.token)).body as any[];
    assert.equal(tl.filter((e) => e.type === 'record.sealed').length, 1, 'one seal');
    assert.equal(await server.testDb.db.mediationRecordDocument.count({ where: { recordId: r.id } }), 1);
    assert.equal((await api('POST', `/api/records/${r.id}/sign`, c.token, sign(107))).body.reason, 'record_sealed');

    // The PDF and /verify list every signatory with role, time and signature or objection.
    const res = await fetch(`${server.baseUrl}/api/records/${r.id}/document`, { headers: { authorization: `Bearer ${c.token}` } });
    const file = path.join(tmp, 'record-all.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const flat = (await run('pdftotext', ['-layout', file, '-'])).stdout.replace(/\s+/g, '');
    for (const s of [
      '部门工作人员赵科长（区人社局）：已阅读本笔录，确认记录属实',
      '调解室邀请链接（经调解员准入）',
      '记录员陈调解员：已阅读本笔录，确认记录属实',
      `人民调解员${sealed.header.mediator}：已阅读本笔录，确认记录属实`,
      '工作人员账号登录+手写签名',
      '当事人异议1：金额有误。',
      '当事人异议2：金额有误。',
      '记录员（签名）',
      '部门工作人员（签名）',
      '人民调解员（签名）',
    ])
      assert.ok(flat.includes(s.replace(/\s+/g, '')), `pdftotext finds ${s}`);
    assert.ok(!flat.includes('钱警官'), 'the official who never joined is not in it');
    assert.match((await run('pdfsig', ['-nocert', file])).stdout, /Signature is Valid\./);
    const verified = await server.api('POST', '/api/verify/code', { body: { code: sealed.document.verificationCode } });
    assert.equal(verified.body.status, 'authentic');
    assert.deepEqual(
      verified.body.signers.map((x: any) => [x.roleCode, x.method]),
      [
        ['applicant', 'objection'],
        ['respondent', 'objection'],
        ['official', 'invitation+handwritten'],
        ['recorder', 'staff_login+handwritten'],
        ['mediator', 'staff_login+handwritten'],
      ],
    );
  });

  test('the agreement sealed after the record carries its number and SHA-256; each verification names the other', async () => {
    const draft = await api('POST', `/api/sessions/${session.id}/agreement`, mediator, {});
    assert.equal(draft.status, 201);
    const saved = await api('PUT', `/api/agreements/${draft.body.id}/draft`, mediator, {
      baseRevision: 1,
      content: withFilledFields(draft.body.revision.content),
    });
    const frozen = await api('POST', `/api/agreements/${draft.body.id}/freeze`, mediator, { revision: saved.body.revision.number });
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    const hash = frozen.body.frozen.hash;
    for (const [i, [token, party, phone]] of (
      [
        [tokA, caseDetail.parties[0], sampleCase.parties[0]!.phone],
        [tokB, caseDetail.parties[1], sampleCase.parties[1]!.phone],
      ] as const
    ).entries()) {
      assert.equal((await api('POST', '/api/signing/otp', token, { partyId: party.id, revisionHash: hash })).status, 200);
      const code = codeIn(await lastSms(server.testDb, phone));
      const signed = await api('POST', '/api/signing/sign', token, {
        partyId: party.id,
        revisionHash: hash,
        consent: true,
        consentLang: 'zh-CN',
        code,
        signaturePng: signatureDataUrl(80 + i),
      });
      assert.equal(signed.status, 200, JSON.stringify(signed.body));
    }
    const sealed = await api('POST', `/api/agreements/${draft.body.id}/sign`, mediator, {
      as: 'mediator',
      revisionHash: hash,
      consent: true,
      consentLang: 'zh-CN',
      signaturePng: signatureDataUrl(90),
    });
    assert.equal(sealed.body.status, 'sealed', JSON.stringify(sealed.body));
    const agreementDoc = sealed.body.document;

    const res = await fetch(`${server.baseUrl}/api/agreements/${draft.body.id}/document`, { headers: { authorization: `Bearer ${mediator}` } });
    const file = path.join(tmp, 'agreement.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const flat = (await run('pdftotext', ['-layout', file, '-'])).stdout.replace(/\s+/g, '');
    assert.ok(flat.includes('关联文书'), 'the agreement names the record');
    assert.ok(flat.includes(record.document.number), 'with its number');
    assert.ok(flat.includes(record.document.sha256), 'and its SHA-256');
    assert.match((await run('pdfsig', ['-nocert', file])).stdout, /Signature is Valid\./);

    const agreementVerified = await server.api('POST', '/api/verify/code', { body: { code: agreementDoc.verificationCode } });
    assert.equal(agreementVerified.body.kind, 'agreement');
    assert.deepEqual(agreementVerified.body.related, [{ kind: 'record', number: record.document.number, sha256: record.document.sha256, relation: 'earlier' }]);
    const recordVerified = await server.api('POST', '/api/verify/code', { body: { code: record.document.verificationCode } });
    assert.deepEqual(recordVerified.body.related, [{ kind: 'agreement', number: caseDetail.caseNumber, sha256: agreementDoc.sha256, relation: 'later' }]);
    const view = await api('GET', `/api/cases/${caseDetail.id}/records`, mediator);
    assert.deepEqual(
      view.body[0].document.related.map((r: any) => r.kind),
      ['agreement'],
    );
  });

  test('a sealing that failed (the records folder unwritable) leaves it answered and unsealed; recovery seals it and removes leftovers', async () => {
    const c = await server.mediatorWithSession();
    const invs = await Promise.all(
      c.caseDetail.parties.map((p: any) => server.invite(c.token, c.session.id, { role: 'party', partyId: p.id, displayName: p.name })),
    );
    const r = (await api('POST', `/api/sessions/${c.session.id}/record`, c.token, {})).body;
    const frozen = (await api('POST', `/api/records/${r.id}/freeze`, c.token, { revision: 1 })).body;
    const dir = path.join(server.testDb.dataDir, 'records');
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder');
    for (const [i, inv] of invs.entries()) {
      const res = await api('POST', `/api/records/${r.id}/object`, inv.token, { revisionHash: frozen.frozen.hash, objection: `异议${i + 1}：记录不全。` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const signed = await api('POST', `/api/records/${r.id}/sign`, c.token, {
      revisionHash: frozen.frozen.hash,
      consent: true,
      consentLang: 'en',
      signaturePng: signatureDataUrl(74),
    });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    const stuck = (await api('GET', `/api/sessions/${c.session.id}/record`, c.token)).body;
    assert.equal(stuck.status, 'confirming', 'not sealed: the file could not be written');
    assert.equal((await server.testDb.db.mediationRecord.findUniqueOrThrow({ where: { id: r.id } })).sealingDocId, null, 'the claim was released');
    rmSync(dir, { force: true });
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'leftover.pdf.abcd.tmp'), 'x');
    await server.app.services.agreement.record.sealer.recoverAndResume();
    const sealed = (await api('GET', `/api/sessions/${c.session.id}/record`, c.token)).body;
    assert.equal(sealed.status, 'sealed');
    assert.deepEqual(readdirSync(dir), [`${sealed.document.id}.pdf`]);
  });
});
