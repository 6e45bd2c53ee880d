import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { caseNumberPattern } from '../../server/cases/caseNumbers.ts';
import { maskIdNumber, maskName, maskPhone } from '../../server/cases/masking.ts';
import type { CreateCaseRequest } from '../../server/protocol/cases.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

let t: TestServer;
const tok: Record<string, string> = {};

const validCase = (): CreateCaseRequest => ({
  disputeType: 'labour',
  title: '欠薪纠纷',
  description: '拖欠三个月工资',
  district: '示范区',
  parties: [
    { side: 'applicant', name: '张三', phone: '138-1234-5678', idNumber: '11010119900307123x' },
    { side: 'respondent', name: '某某建筑公司', phone: '+86 13987654321' },
  ],
});

before(async () => {
  t = await startTestServer();
  for (const [name, role] of [
    ['mediator1', 'mediator'],
    ['mediator2', 'mediator'],
    ['supervisor1', 'supervisor'],
    ['admin1', 'admin'],
    ['official1', 'official'],
    ['grid1', 'gridworker'],
  ] as const) {
    await t.createUser(name, role);
    tok[name] = (await t.login(name)).token;
  }
});
after(async () => t.close());

describe('masking', () => {
  test('phones, ID numbers and names', () => {
    assert.equal(maskPhone('13812345678'), '138****5678');
    assert.equal(maskPhone('02112345678'), '021****5678');
    assert.equal(maskPhone('123'), '**3');
    assert.equal(maskIdNumber('11010119900307123X'), '110***********123X');
    assert.equal(maskName('张三'), '张*');
    assert.equal(maskName('欧阳娜娜'), '欧阳**');
    assert.equal(maskName('欧阳'), '欧*');
    assert.equal(maskName('李'), '*');
    assert.equal(maskName('王小明'), '王**');
  });
});

describe('case creation', () => {
  test('valid case → 201 detail with masked phones, number DY-<year>-<6 digits>, lead mediator', async () => {
    const res = await t.request('POST', '/api/cases', { token: tok.mediator1, body: validCase() });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.caseNumber, caseNumberPattern);
    assert.ok(res.body.caseNumber.startsWith('DY-2026-'));
    assert.equal(res.body.state, 'assigned', 'a window intake is taken on at once');
    assert.equal(res.body.title, '欠薪纠纷');
    assert.equal(res.body.district, '示范区');
    assert.equal(res.body.activeSessionId, null);
    assert.equal(res.body.leadMediator.displayName, 'mediator mediator1');
    assert.deepEqual(
      res.body.parties.map((p: { side: string; name: string; phoneMasked: string }) => [p.side, p.name, p.phoneMasked]),
      [
        ['applicant', '张三', '138****5678'],
        ['respondent', '某某建筑公司', '139****4321'],
      ],
    );
    assert.ok(!res.text.includes('13812345678') && !res.text.includes('13987654321'), 'raw phone not in detail');
    assert.ok(!res.text.includes('11010119900307123'), 'ID number not in detail');
    // Stored normalised.
    const parties = await t.testDb.db.party.findMany({ where: { caseId: res.body.id }, orderBy: { position: 'asc' } });
    assert.deepEqual(
      parties.map((p) => p.phone),
      ['13812345678', '13987654321'],
    );
    assert.equal(parties[0]!.idNumber, '11010119900307123X');

    const get = await t.request('GET', `/api/cases/${res.body.id}`, { token: tok.mediator1 });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, res.body);
    // An official with no relation to the case (not its unit, never called in) does not read it.
    assert.equal((await t.request('GET', `/api/cases/${res.body.id}`, { token: tok.official1 })).status, 403);
  });

  test('bad input → 400 with field errors, nothing written', async () => {
    const before = {
      cases: await t.testDb.db.case.count(),
      parties: await t.testDb.db.party.count(),
      timeline: await t.testDb.db.timelineEntry.count(),
      counters: await t.testDb.db.caseCounter.findMany(),
    };
    const bad = {
      disputeType: 'murder',
      title: '',
      description: 'x',
      parties: [{ side: 'applicant', name: '张三', phone: '12345', idNumber: 'abc' }],
    };
    const res = await t.request('POST', '/api/cases', { token: tok.mediator1, body: bad });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad_request');
    assert.ok(res.body.details.disputeType);
    assert.equal(res.body.details.title, 'Title is required');
    assert.equal(res.body.details['parties.0.phone'], 'Enter a valid phone number');
    assert.equal(res.body.details['parties.0.idNumber'], 'ID number must be 18 characters');

    const noParties = await t.request('POST', '/api/cases', { token: tok.mediator1, body: { ...validCase(), parties: [] } });
    assert.equal(noParties.status, 400);
    assert.equal(noParties.body.details.parties, 'At least one party is required');

    const extra = await t.request('POST', '/api/cases', { token: tok.mediator1, body: { ...validCase(), status: 'closed' } });
    assert.equal(extra.status, 400, 'unknown keys are refused');

    assert.deepEqual(
      {
        cases: await t.testDb.db.case.count(),
        parties: await t.testDb.db.party.count(),
        timeline: await t.testDb.db.timelineEntry.count(),
        counters: await t.testDb.db.caseCounter.findMany(),
      },
      before,
    );
  });

  test('case numbers are unique and sequential, also under concurrent creation', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('POST', '/api/cases', { token: i % 2 ? tok.grid1 : tok.admin1, body: { ...validCase(), title: `并发 ${i}` } }),
      ),
    );
    for (const r of results) assert.equal(r.status, 201, r.text);
    const numbers = results.map((r) => r.body.caseNumber as string);
    assert.equal(new Set(numbers).size, numbers.length);
    for (const n of numbers) assert.match(n, /^DY-2026-\d{6}$/);
    const all = (await t.testDb.db.case.findMany({ select: { caseNumber: true } })).map((c) => Number(c.caseNumber.slice(-6))).sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: all.length }, (_, i) => i + 1),
    );
  });

  test('the year comes from the clock (China time), and the counter restarts per year', async () => {
    const saved = t.clock.now();
    t.clock.set('2026-12-31T15:30:00Z'); // 2026-12-31 23:30 in Beijing
    const late = await t.request('POST', '/api/cases', { token: (await t.login('mediator1')).token, body: validCase() });
    assert.match(late.body.caseNumber, /^DY-2026-/);
    t.clock.set('2026-12-31T16:30:00Z'); // 2027-01-01 00:30 in Beijing
    const res = await t.request('POST', '/api/cases', { token: (await t.login('mediator1')).token, body: validCase() });
    assert.equal(res.body.caseNumber, 'DY-2027-000001');
    t.clock.set(saved);
  });

  test('list: newest first, phones masked, raw numbers nowhere in the response', async () => {
    const res = await t.request('GET', '/api/cases', { token: tok.supervisor1 });
    assert.equal(res.status, 200);
    assert.ok(res.body.length >= 10);
    for (const digits of ['13812345678', '13987654321', '1381234', '11010119900307123']) {
      assert.ok(!res.text.includes(digits), `${digits} must not appear in list responses`);
    }
    // Work-queue order: cases with a running time limit (mediators' walk-ins are taken on at once) by
    // deadline, then untimed reports newest first.
    type Row = { createdAt: string; deadlineAt: string | null; caseNumber: string };
    const rows = res.body as Row[];
    const timed = rows.filter((c) => c.deadlineAt !== null);
    const untimed = rows.filter((c) => c.deadlineAt === null);
    assert.deepEqual(rows, [...timed, ...untimed], 'timed cases first');
    const deadlines = timed.map((c) => c.deadlineAt!);
    assert.deepEqual(deadlines, [...deadlines].sort(), 'earliest deadline first');
    const times = untimed.map((c) => c.createdAt);
    assert.deepEqual(times, [...times].sort().reverse(), 'untimed: newest first');
    assert.ok(rows.some((c) => c.caseNumber === 'DY-2027-000001'));
    for (const c of res.body) for (const p of c.parties) assert.match(p.phoneMasked, /^\d{3}\*{4}\d{4}$/);
  });

  test('unknown case → 404 not_found', async () => {
    const res = await t.request('GET', '/api/cases/does-not-exist', { token: tok.mediator1 });
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'not_found');
  });
});

describe('role table', () => {
  test('who may create cases', async () => {
    for (const who of ['supervisor1', 'official1']) {
      const res = await t.request('POST', '/api/cases', { token: tok[who], body: validCase() });
      assert.equal(res.status, 403, who);
      assert.equal(res.body.code, 'forbidden');
    }
  });

  test('only mediators start sessions, end them and manage invitations', async () => {
    const c = await t.request('POST', '/api/cases', { token: tok.mediator1, body: validCase() });
    for (const who of ['supervisor1', 'admin1', 'official1', 'grid1']) {
      const res = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok[who] });
      assert.equal(res.status, 403, who);
    }
    const s = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.mediator1 });
    assert.equal(s.status, 201);
    for (const who of ['supervisor1', 'official1']) {
      assert.equal((await t.request('POST', `/api/sessions/${s.body.id}/end`, { token: tok[who] })).status, 403);
      assert.equal((await t.request('GET', `/api/sessions/${s.body.id}/invitations`, { token: tok[who] })).status, 403);
      assert.equal(
        (await t.request('POST', `/api/sessions/${s.body.id}/invitations`, { token: tok[who], body: { role: 'observer', displayName: '旁听' } })).status,
        403,
      );
    }
    // Media state: mediator, supervisor, admin; not official or gridworker.
    assert.equal((await t.request('GET', `/api/sessions/${s.body.id}/media`, { token: tok.supervisor1 })).status, 200);
    assert.equal((await t.request('GET', `/api/sessions/${s.body.id}/media`, { token: tok.official1 })).status, 403);
    assert.equal((await t.request('GET', `/api/sessions/${s.body.id}/media`, { token: tok.grid1 })).status, 403);
    // Forbidden is decided before the body is looked at, and leaks nothing.
    const res = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.supervisor1 });
    assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message']);
  });
});

describe('sessions', () => {
  test('start creates, then reuses the open session; end closes it and calls the hook', async () => {
    const c = await t.request('POST', '/api/cases', { token: tok.mediator1, body: validCase() });
    const first = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.mediator1 });
    assert.equal(first.status, 201);
    assert.equal(first.body.status, 'open');
    assert.equal(first.body.caseNumber, c.body.caseNumber);
    const stranger = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.mediator2 });
    assert.equal(stranger.status, 403, 'another mediator does not run this case');
    const again = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.mediator1 });
    assert.equal(again.status, 200, 'reused');
    assert.equal(again.body.id, first.body.id);

    const detail = await t.request('GET', `/api/cases/${c.body.id}`, { token: tok.mediator1 });
    assert.equal(detail.body.activeSessionId, first.body.id);
    assert.equal(detail.body.state, 'in_mediation');
    assert.equal('status' in detail.body, false, 'one lifecycle field: state');

    const ended = await t.request('POST', `/api/sessions/${first.body.id}/end`, { token: tok.mediator1 });
    assert.equal(ended.status, 200);
    assert.equal(ended.body.status, 'ended');
    assert.ok(ended.body.endedAt);
    assert.deepEqual(t.hookCalls.sessionEnded.slice(-1), [first.body.id]);

    const next = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.mediator1 });
    assert.equal(next.status, 201);
    assert.notEqual(next.body.id, first.body.id);
    const list = await t.request('GET', `/api/cases/${c.body.id}/sessions`, { token: tok.supervisor1 });
    assert.deepEqual(list.body.map((s: { id: string }) => s.id).sort(), [first.body.id, next.body.id].sort());
    const one = await t.request('GET', `/api/sessions/${next.body.id}`, { token: tok.supervisor1 });
    assert.equal(one.body.status, 'open');
  });

  test('concurrent starts produce one session', async () => {
    const c = await t.request('POST', '/api/cases', { token: tok.mediator1, body: validCase() });
    const results = await Promise.all(Array.from({ length: 5 }, () => t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.mediator1 })));
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
  });

  test('start on unknown case → 404; media of unknown session → 404', async () => {
    assert.equal((await t.request('POST', '/api/cases/nope/sessions', { token: tok.mediator1 })).status, 404);
    assert.equal((await t.request('GET', '/api/sessions/nope/media', { token: tok.mediator1 })).status, 404);
  });
});

describe('http basics', () => {
  test('unknown /api routes → 404 JSON; health is public', async () => {
    for (const [m, p] of [
      ['GET', '/api/nope'],
      ['DELETE', '/api/cases'],
      ['GET', '/api'],
    ] as const) {
      const res = await t.request(m, p);
      assert.equal(res.status, 404, `${m} ${p}`);
      assert.equal(res.body.code, 'not_found');
    }
    const h = await t.request('GET', '/api/health');
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'ok');
    assert.equal(h.body.workers, 1);
  });

  test('security headers', async () => {
    const res = await t.request('GET', '/api/health');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=/);
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  test('oversized body → 413 payload_too_large, not 500', async () => {
    const res = await t.request('POST', '/api/cases', { token: tok.mediator1, body: { ...validCase(), description: 'x'.repeat(100_000) } });
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'payload_too_large');
  });
});
