import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { caseNumberPattern } from '../../server/cases/caseNumbers.ts';
import type { PublicCaseRequest } from '../../server/protocol/cases.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, act, caseIn, ok, setupWorld, snapshot, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;

const report = (overrides: Partial<PublicCaseRequest> = {}): PublicCaseRequest => ({
  disputeType: 'neighbour',
  description: '楼上邻居王五家装修噪音扰民，电话 13700001111 联系不上',
  district: '示范区',
  town: '城关街道',
  community: '幸福社区',
  grid: '第3网格',
  parties: [
    { side: 'applicant', name: '刘六', phone: '13812345678', idNumber: '11010119900307123X' },
    { side: 'respondent', name: '王五', phone: '13987654321' },
  ],
  ...overrides,
});

const personal = ['刘六', '王五', '13812345678', '13987654321', '11010119900307123', '装修噪音', '13700001111', '第3网格'];

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
});
after(async () => t.close());

/** Each public test starts with fresh per-IP windows (the limits are per hour / 10 minutes). */
const nextWindow = () => t.clock.advance(2 * 3600_000);

async function publicReport(body: PublicCaseRequest = report()) {
  const res = await t.request('POST', '/api/public/cases', { body });
  assert.equal(res.status, 201, res.text);
  return res.body as { caseNumber: string; queryCode: string; createdAt: string };
}

const query = (caseNumber: string, queryCode: string) => t.request('POST', '/api/public/cases/query', { body: { caseNumber, queryCode } });

describe('public report form', () => {
  test('no login: creates a reported case (source online) and returns the case number and a query code stored only as a hash', async () => {
    nextWindow();
    const r = await publicReport();
    assert.match(r.caseNumber, caseNumberPattern);
    assert.match(r.queryCode, /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    const row = await t.testDb.db.case.findUniqueOrThrow({ where: { caseNumber: r.caseNumber }, include: { parties: true } });
    assert.deepEqual([row.state, row.source, row.createdById, row.leadMediatorId, row.title], ['reported', 'online', null, null, '邻里纠纷']);
    assert.match(row.queryCodeHash!, /^scrypt\$/);
    const code = r.queryCode.replace('-', '');
    for (const table of ['Case', 'TimelineEntry', 'Party']) {
      const dump = JSON.stringify(await t.testDb.sql.all(`SELECT * FROM "${table}"`));
      assert.ok(!dump.includes(code) && !dump.includes(r.queryCode), `query code not stored in ${table}`);
    }
    const tl = await t.services.cases.timeline(row.id);
    assert.deepEqual([tl[0]!.type, tl[0]!.actor], ['case.created', 'public']);
    // Staff see it like any other report, phones masked.
    const staff = await t.request('GET', `/api/cases/${row.id}`, { token: w.tok.supervisor1 });
    assert.equal(staff.body.parties[0].phoneMasked, '138****5678');
    assert.deepEqual(staff.body.availableActions, ['register']);
  });

  test('bad input → 400 with details; nothing written', async () => {
    nextWindow();
    const before = await t.testDb.db.case.count();
    const res = await t.request('POST', '/api/public/cases', { body: { ...report(), parties: [{ side: 'applicant', name: '', phone: '123' }] } });
    assert.equal(res.status, 400);
    assert.ok(res.body.details['parties.0.phone']);
    assert.equal((await t.request('POST', '/api/public/cases', { body: { ...report(), state: 'closed_settled' } })).status, 400);
    assert.equal(await t.testDb.db.case.count(), before);
  });

  test("the other side is optional: a name without a phone is accepted; the reporter's phone is still required", async () => {
    nextWindow();
    const nameOnly = await t.request('POST', '/api/public/cases', {
      body: report({
        parties: [
          { side: 'applicant', name: '刘六', phone: '13812345678' },
          { side: 'respondent', name: '王五', phone: '' },
        ],
      }),
    });
    assert.equal(nameOnly.status, 201, nameOnly.text);
    const row = await t.testDb.db.case.findUniqueOrThrow({
      where: { caseNumber: nameOnly.body.caseNumber },
      include: { parties: { orderBy: { position: 'asc' } } },
    });
    assert.deepEqual(
      row.parties.map((p) => [p.side, p.name, p.phone]),
      [
        ['applicant', '刘六', '13812345678'],
        ['respondent', '王五', ''],
      ],
    );
    const staff = await t.request('GET', `/api/cases/${row.id}`, { token: w.tok.supervisor1 });
    assert.equal(staff.body.parties[1].phoneMasked, '', 'no phone to mask');
    const absent = await t.request('POST', '/api/public/cases', {
      body: report({
        parties: [
          { side: 'applicant', name: '刘六', phone: '13812345678' },
          { side: 'respondent', name: '王五' },
        ],
      }),
    });
    assert.equal(absent.status, 201, absent.text);

    const before = await t.testDb.db.case.count();
    const noReporterPhone = await t.request('POST', '/api/public/cases', { body: report({ parties: [{ side: 'applicant', name: '刘六', phone: '' }] }) });
    assert.equal(noReporterPhone.status, 400);
    assert.ok(noReporterPhone.body.details['parties.0.phone'], noReporterPhone.text);
    const badOtherPhone = await t.request('POST', '/api/public/cases', {
      body: report({
        parties: [
          { side: 'applicant', name: '刘六', phone: '13812345678' },
          { side: 'respondent', name: '王五', phone: '123' },
        ],
      }),
    });
    assert.equal(badOtherPhone.status, 400, 'a phone given must still be a phone number');
    assert.ok(badOtherPhone.body.details['parties.1.phone']);
    assert.equal(await t.testDb.db.case.count(), before);
  });

  test("the query code by SMS to the reporter's phone, through the OTP sender (dev outbox); only with the right code, a few times per case", async () => {
    nextWindow();
    const r = await publicReport(
      report({
        parties: [
          { side: 'applicant', name: '刘六', phone: '138-1111-2222' },
          { side: 'respondent', name: '王五', phone: '' },
        ],
      }),
    );
    const { sql } = t.testDb;
    const outbox = () =>
      sql.all<{ phone: string; text: string; purpose: string }>(
        `SELECT "phone", "text", "purpose" FROM "SmsOutbox" WHERE "purpose" = 'query_code' ORDER BY ${sql.insertionOrder}`,
      );
    const before = (await outbox()).length;

    const wrong = await t.request('POST', '/api/public/cases/sms', { body: { caseNumber: r.caseNumber, queryCode: 'AAAA-AAAA' } });
    assert.equal(wrong.status, 404, 'a wrong code sends nothing');
    assert.equal((await outbox()).length, before);

    const sent = await t.request('POST', '/api/public/cases/sms', {
      body: { caseNumber: r.caseNumber.toLowerCase(), queryCode: r.queryCode.replace('-', '').toLowerCase() },
    });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body, { sentTo: '138****2222' });
    const msgs = await outbox();
    assert.equal(msgs.length, before + 1);
    const sms = msgs.at(-1)!;
    assert.equal(sms.phone, '13811112222', 'to the reporter, the number as stored');
    assert.ok(sms.text.includes(r.caseNumber) && sms.text.includes(r.queryCode), sms.text);
    assert.ok(sms.text.includes('/query'), 'says where to query');

    for (let i = 0; i < 2; i++)
      assert.equal((await t.request('POST', '/api/public/cases/sms', { body: { caseNumber: r.caseNumber, queryCode: r.queryCode } })).status, 200);
    const limited = await t.request('POST', '/api/public/cases/sms', { body: { caseNumber: r.caseNumber, queryCode: r.queryCode } });
    assert.equal(limited.status, 429, 'at most three messages per case per hour');
    assert.equal((await outbox()).length, before + 3);
  });

  test('rate-limited per IP: the 6th report within an hour is refused, and allowed again an hour later', async () => {
    nextWindow();
    for (let i = 0; i < 5; i++) await publicReport();
    const before = await t.testDb.db.case.count();
    const refused = await t.request('POST', '/api/public/cases', { body: report() });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'too_many_requests');
    assert.equal(await t.testDb.db.case.count(), before);
    t.clock.advance(3600_000 + 1);
    await publicReport();
  });
});

describe('public progress query', () => {
  test('case number + query code (body or headers) → progress, light and public events; nothing personal', async () => {
    nextWindow();
    const r = await publicReport();
    const id = (await t.testDb.db.case.findUniqueOrThrow({ where: { caseNumber: r.caseNumber } })).id;
    let res = await query(r.caseNumber, r.queryCode);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.state, res.body.stateLabel, res.body.light, res.body.disputeTypeLabel], ['reported', '已上报', null, '邻里纠纷']);
    assert.deepEqual(
      res.body.events.map((e: { label: string }) => e.label),
      ['已上报'],
    );

    await ok(w, 'supervisor1', id, 'register');
    await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'low', level: 'community', unitId: w.units.committee });
    await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 });
    await t.request('POST', `/api/cases/${id}/supervision-notes`, { token: w.tok.supervisor1, body: { text: '内部督办：王五态度差', dueAt: '2027-01-01' } });
    await t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok.mediator1 });
    const party = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.mediator1 })).body.parties[0];
    await t.request('GET', `/api/cases/${id}/parties/${party.id}/contact`, { token: w.tok.mediator1 });

    // Lower case and no dash are accepted.
    res = await query(r.caseNumber.toLowerCase(), r.queryCode.replace('-', '').toLowerCase());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.state, 'in_mediation');
    assert.equal(res.body.light, 'green');
    assert.equal(res.body.lightLabel, '绿灯');
    assert.equal(res.body.unitName, '幸福社区人民调解委员会');
    assert.ok(res.body.deadlineAt);
    assert.deepEqual(
      res.body.events.map((e: { type: string }) => e.type),
      ['case.created', 'case.register', 'case.grade_and_route', 'case.assign', 'session.started', 'case.start_mediation'],
    );
    for (const e of res.body.events)
      assert.deepEqual(
        Object.keys(e)
          .filter((k) => k !== 'unitName')
          .sort(),
        ['at', 'kind', 'label', 'type'],
      );
    // The page labels each milestone from its kind in the reader's language.
    assert.deepEqual(
      res.body.events.map((e: { kind: string }) => e.kind),
      ['reported', 'accepted', 'routed', 'assigned', 'session_held', 'mediation_started'],
    );
    for (const p of [...personal, '督办', '王调解员', '李主任', 'user:']) assert.ok(!res.text.includes(p), `${p} must not be in the public progress`);

    const viaHeaders = await t.request('GET', '/api/public/cases/query', { headers: { 'x-case-number': r.caseNumber, 'x-query-code': r.queryCode } });
    assert.equal(viaHeaders.status, 200);
    assert.deepEqual(viaHeaders.body, res.body);
    const viaUrl = await t.request('GET', `/api/public/cases/query?caseNumber=${r.caseNumber}&queryCode=${r.queryCode}`);
    assert.equal(viaUrl.status, 400, 'credentials in the URL are not read');
  });

  test('a wrong code is refused exactly like an unknown case number; staff-registered cases have no code', async () => {
    nextWindow();
    const r = await publicReport();
    const wrong = await query(r.caseNumber, 'AAAA-AAAA');
    const unknown = await query('DY-2026-999999', r.queryCode);
    const staffCase = await t.request('POST', '/api/cases', {
      token: w.tok.mediator1,
      body: { disputeType: 'debt', title: '借款', description: '借款未还', parties: [{ side: 'applicant', name: '甲', phone: '13800000000' }] },
    });
    const noCode = await query(staffCase.body.caseNumber, r.queryCode);
    for (const res of [wrong, unknown, noCode]) {
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, wrong.body);
    }
    assert.equal(wrong.body.code, 'not_found');
  });

  test('failed queries are rate-limited per IP (10 per 10 minutes), even for the right code then', async () => {
    nextWindow();
    const r = await publicReport();
    for (let i = 0; i < 10; i++) assert.equal((await query(r.caseNumber, `WRONG${i}`)).status, 404);
    const limited = await query(r.caseNumber, r.queryCode);
    assert.equal(limited.status, 429);
    t.clock.advance(10 * 60_000 + 1);
    assert.equal((await query(r.caseNumber, r.queryCode)).status, 200);
  });
});

describe('follow-up through a no-login link', () => {
  test('staff create a link for a closed case; the party records satisfaction once; the case is complete', async () => {
    nextWindow();
    const id = await caseIn(w, 'closed_settled');
    const early = await caseIn(w, 'in_mediation');
    const before = await snapshot(t, early);
    assert.equal((await t.request('POST', `/api/cases/${early}/followup-link`, { token: w.tok.mediator1 })).status, 409, 'only closed cases get a link');
    assert.deepEqual(await snapshot(t, early), before);
    assert.equal((await t.request('POST', `/api/cases/${id}/followup-link`, { token: w.tok.mediator2 })).status, 403, 'not the lead');
    // Only the grid worker who reported the case goes back for the visit; another one may not.
    await t.createUser('grid-other', 'gridworker', undefined, { displayName: '吴网格员' });
    const otherGrid = (await t.login('grid-other')).token;
    assert.equal((await t.request('POST', `/api/cases/${id}/followup-link`, { token: otherGrid })).status, 403);

    const link = await t.request('POST', `/api/cases/${id}/followup-link`, { token: w.tok.mediator1 });
    assert.equal(link.status, 201, link.text);
    const m = /^https:\/\/tiaojie\.example\.cn\/followup#t=([A-Za-z0-9_-]{43})$/.exec(link.body.url);
    assert.ok(m, link.body.url);
    const token = m[1]!;
    const stored = JSON.stringify(await t.testDb.sql.all('SELECT * FROM "FollowUpLink"'));
    assert.ok(!stored.includes(token), 'only a hash of the token is stored');

    const preview = await t.request('GET', '/api/public/followup', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.closedAs, 'settled');
    assert.equal(preview.body.canRecord, true);
    for (const p of ['张三', '13812345678', '欠薪纠纷', '拖欠']) assert.ok(!preview.text.includes(p), p);

    const bad = await t.request('POST', '/api/public/followup', { headers: { authorization: `Bearer ${token}` }, body: { satisfaction: 'great' } });
    assert.equal(bad.status, 400);
    assert.equal((await t.request('POST', '/api/public/followup', { body: { satisfaction: 'satisfied' } })).status, 401);
    assert.equal(
      (await t.request('POST', '/api/public/followup', { headers: { authorization: 'Bearer nottherighttoken' }, body: { satisfaction: 'satisfied' } })).status,
      401,
    );

    const rec = await t.request('POST', '/api/public/followup', {
      headers: { authorization: `Bearer ${token}` },
      body: { satisfaction: 'satisfied', notes: '很满意' },
    });
    assert.equal(rec.status, 201, rec.text);
    assert.deepEqual(rec.body, { recorded: true, satisfaction: 'satisfied', satisfactionLabel: '满意' });
    const c = (await t.request('GET', `/api/cases/${id}`, { token: w.tok.supervisor1 })).body;
    assert.equal(c.state, 'followed_up');
    assert.equal(c.lastSatisfaction, 'satisfied');
    const fu = (await t.request('GET', `/api/cases/${id}/follow-ups`, { token: w.tok.supervisor1 })).body;
    assert.deepEqual([fu[0].method, fu[0].satisfaction, fu[0].notes], ['party_link', 'satisfied', '很满意']);
    assert.match(fu[0].recordedBy, /^followup-link:/);

    const twice = await t.request('POST', '/api/public/followup', { headers: { authorization: `Bearer ${token}` }, body: { satisfaction: 'not_satisfied' } });
    assert.equal(twice.status, 401, 'single use');
    assert.equal((await t.request('GET', '/api/public/followup', { headers: { authorization: `Bearer ${token}` } })).status, 401);
    const types = (await t.services.cases.timeline(id)).map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['followup.link_created', 'case.record_follow_up']);
    assert.deepEqual(await t.services.cases.verifyTimeline(id), { ok: true, entries: types.length });
  });

  test('a dissatisfied party through the link: the supervisor can reopen', async () => {
    const id = await caseIn(w, 'closed_unsettled');
    const link = await t.request('POST', `/api/cases/${id}/followup-link`, { token: w.tok.supervisor1 });
    const token = link.body.url.split('#t=')[1];
    const rec = await t.request('POST', '/api/public/followup', { headers: { authorization: `Bearer ${token}` }, body: { satisfaction: 'not_satisfied' } });
    assert.equal(rec.status, 201);
    const c = await ok(w, 'supervisor1', id, 'reopen', { reason: '当事人回访不满意' });
    assert.equal(c.state, 'reopened');
  });

  test('a link expires; a second link is spent once the case is followed up', async () => {
    const id = await caseIn(w, 'closed_settled');
    const a = (await t.request('POST', `/api/cases/${id}/followup-link`, { token: w.tok.mediator1 })).body.url.split('#t=')[1];
    const b = (await t.request('POST', `/api/cases/${id}/followup-link`, { token: w.tok.mediator1 })).body.url.split('#t=')[1];
    await act(w, 'mediator1', id, 'record_follow_up', { date: t.clock.now().toISOString(), method: 'phone', satisfaction: 'satisfied', notes: '电话回访' });
    const preview = await t.request('GET', '/api/public/followup', { headers: { authorization: `Bearer ${a}` } });
    assert.equal(preview.body.canRecord, false);
    const late = await t.request('POST', '/api/public/followup', { headers: { authorization: `Bearer ${a}` }, body: { satisfaction: 'satisfied' } });
    assert.equal(late.status, 409);
    t.clock.advance(31 * 24 * 3600_000);
    assert.equal((await t.request('GET', '/api/public/followup', { headers: { authorization: `Bearer ${b}` } })).status, 401, 'expired after 30 days');
  });
});
