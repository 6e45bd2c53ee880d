/*
 * Every write path under real concurrency: N parallel clients at once, on whatever database the
 * test helper gives (SQLite, or PostgreSQL with TEST_DATABASE=postgresql). No answer may be a 5xx;
 * where one request can win, exactly one does; case numbers stay distinct; every case's timeline
 * stays one chain that verifies; the one-time code's attempt limit holds.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Finaliser, SEALING_STALE_MS } from '../../server/agreement/Finaliser.ts';
import { ManualClock } from '../../server/clock.ts';
import { OTP_MAX_ATTEMPTS } from '../../server/agreement/SigningService.ts';
import { lockCase } from '../../server/cases/caseLock.ts';
import { transaction } from '../../server/db/transactions.ts';
import { toWireError } from '../../server/errors.ts';
import { createLogger } from '../../server/logger.ts';
import { startTestServer } from '../helpers/httpServer.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { caseWithSession, codeIn, partySigns, signatureDataUrl, withFilledFields, type AgreementFixture } from './agreementHelpers.ts';
import { caseIn, labourCase, LONG_LOGINS, setupWorld, type LoopWorld } from './caseloopHelpers.ts';

const N = 20;
let w: LoopWorld;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cm-concurrency-'));

before(async () => {
  w = await setupWorld(await startTestServer(LONG_LOGINS));
});
after(async () => {
  await w.t.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Answer = { status: number; body: any; text: string };

/** N requests started together. */
function burst<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** `{ 200: 1, 409: 19 }`, and no 5xx among them. */
function tally(answers: Answer[], what: string): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  const broken = answers.filter((a) => a.status >= 500);
  assert.equal(broken.length, 0, `${what}: no 5xx (${JSON.stringify(counts)}; ${broken[0]?.text})`);
  return counts;
}

/** Exactly one answer has `won`; every other one is a 4xx with one of `reasons`. */
function oneWinner(answers: Answer[], won: number, reasons: string[], what: string): void {
  const counts = tally(answers, what);
  assert.equal(counts[won] ?? 0, 1, `${what}: exactly one ${won} (${JSON.stringify(counts)})`);
  for (const a of answers.filter((x) => x.status !== won)) {
    assert.ok(a.status >= 400 && a.status < 500, `${what}: ${a.status} ${a.text}`);
    assert.ok(reasons.includes(a.body?.reason), `${what}: reason ${a.body?.reason} not in ${reasons.join(', ')}`);
  }
}

async function assertChain(caseId: string): Promise<void> {
  const v = await w.t.request('GET', `/api/cases/${caseId}/timeline/verify`, { token: w.tok.supervisor1 });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.body.ok, true, `chain of ${caseId}: ${v.text}`);
}

const entries = (caseId: string, type: string) => w.t.testDb.db.timelineEntry.findMany({ where: { caseId, type }, orderBy: { seq: 'asc' } });

describe('cases and their timeline', () => {
  test(`${N} registrations at once get ${N} distinct, consecutive case numbers`, async () => {
    const answers = await burst(N, () => w.t.request('POST', '/api/cases', { token: w.tok.mediator1, body: labourCase() }));
    assert.deepEqual(tally(answers, 'registrations'), { 201: N });
    const numbers = answers.map((a) => Number((a.body.caseNumber as string).slice(-6))).sort((x, y) => x - y);
    assert.equal(new Set(numbers).size, N, 'distinct');
    assert.equal(numbers[N - 1]! - numbers[0]!, N - 1, 'consecutive');
    for (const a of answers) await assertChain(a.body.id);
  });

  test(`${N} timeline appends to one case at once stay one chain`, async () => {
    const caseId = await caseIn(w, 'in_mediation');
    const before = await w.t.testDb.db.timelineEntry.count({ where: { caseId } });
    const party = (await w.t.testDb.db.party.findFirstOrThrow({ where: { caseId } })).id;
    const answers = await burst(N, (i) =>
      i % 2 === 0
        ? w.t.request('GET', `/api/cases/${caseId}/parties/${party}/contact`, { token: w.tok.mediator1 })
        : w.t.request('POST', `/api/cases/${caseId}/supervision-notes`, { token: w.tok.supervisor1, body: { text: `督办 ${i}`, dueAt: '2026-12-31' } }),
    );
    assert.deepEqual(tally(answers, 'appends'), { 200: N / 2, 201: N / 2 });
    const rows = await w.t.testDb.db.timelineEntry.findMany({ where: { caseId }, orderBy: { seq: 'asc' }, select: { seq: true } });
    assert.equal(rows.length, before + N);
    assert.deepEqual(
      rows.map((r) => r.seq),
      Array.from({ length: before + N }, (_, i) => i + 1),
    );
    await assertChain(caseId);
  });

  test(`${N} case-loop moves at once: one wins, the rest are told the case changed`, async () => {
    const caseId = await caseIn(w, 'in_mediation');
    const answers = await burst(N, () =>
      w.t.request('POST', `/api/cases/${caseId}/actions/close_unsettled`, {
        token: w.tok.mediator1,
        body: { reason: '被申请人拒绝调解', referredTo: 'arbitration' },
      }),
    );
    oneWinner(answers, 200, ['case_changed_meanwhile', 'case_state_forbids'], 'close_unsettled');
    assert.equal((await entries(caseId, 'case.close_unsettled')).length, 1);
    await assertChain(caseId);
  });

  test(`a follow-up link used by ${N} at once records one follow-up`, async () => {
    const caseId = await caseIn(w, 'closed_unsettled');
    const link = await w.t.request('POST', `/api/cases/${caseId}/followup-link`, { token: w.tok.mediator1 });
    assert.equal(link.status, 201, link.text);
    const token = /#t=(.+)$/.exec(link.body.url)![1]!;
    const answers = await burst(N, () =>
      w.t.request('POST', '/api/public/followup', { headers: { authorization: `Bearer ${token}` }, body: { satisfaction: 'satisfied' } }),
    );
    oneWinner(answers, 201, ['follow_up_link_invalid', 'follow_up_not_possible', 'case_changed_meanwhile'], 'follow-up link');
    assert.equal(await w.t.testDb.db.followUp.count({ where: { caseId } }), 1);
    await assertChain(caseId);
  });

  test(`${N} answers to one supervision note: one is recorded`, async () => {
    const caseId = await caseIn(w, 'in_mediation');
    const note = await w.t.request('POST', `/api/cases/${caseId}/supervision-notes`, {
      token: w.tok.supervisor1,
      body: { text: '请尽快办理', dueAt: '2026-12-31' },
    });
    assert.equal(note.status, 201, note.text);
    const answers = await burst(N, (i) =>
      w.t.request('POST', `/api/supervision-notes/${note.body.id}/answer`, { token: w.tok.mediator1, body: { answer: `已办理 ${i}` } }),
    );
    oneWinner(answers, 200, ['supervision_answered'], 'answers');
    assert.equal((await entries(caseId, 'supervision.answered')).length, 1);
    await assertChain(caseId);
  });
});

describe('sessions, invitations, whistles', () => {
  test(`${N} starts at once open one session`, async () => {
    const caseId = await caseIn(w, 'assigned');
    const answers = await burst(N, () => w.t.request('POST', `/api/cases/${caseId}/sessions`, { token: w.tok.mediator1 }));
    assert.deepEqual(tally(answers, 'starts'), { 200: N - 1, 201: 1 });
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, 'the same session for all');
    assert.equal(await w.t.testDb.db.mediationSession.count({ where: { caseId, status: 'open' } }), 1);
    assert.equal((await entries(caseId, 'session.started')).length, 1);
    assert.equal((await entries(caseId, 'case.start_mediation')).length, 1);
    await assertChain(caseId);
  });

  test('invitations and joins racing the end of the session: none lands after the end', async () => {
    const caseId = await caseIn(w, 'in_mediation');
    const session = (await w.t.testDb.db.mediationSession.findFirstOrThrow({ where: { caseId, status: 'open' } })).id;
    const joins: Array<PromiseSettledResult<string>> = [];
    const answers = await burst(N, async (i) => {
      if (i % 4 === 0) return w.t.request('POST', `/api/sessions/${session}/end`, { token: w.tok.mediator1 });
      if (i % 4 === 1) {
        const [joined] = await Promise.allSettled([
          w.t.services.sessions.recordJoin({ sessionId: session, identity: `user:guest-${i}`, role: 'observer', displayName: `旁听 ${i}` }),
        ]);
        joins.push(joined!);
        return {
          status: joined!.status === 'fulfilled' ? 201 : toWireError(joined!.reason).status,
          body: {},
          text: String(joined!.status === 'rejected' ? joined!.reason : ''),
        };
      }
      return w.t.request('POST', `/api/sessions/${session}/invitations`, {
        token: w.tok.mediator1,
        body: { role: 'party', side: 'applicant', displayName: `当事人 ${i}` },
      });
    });
    const counts = tally(answers, 'end / invite / join');
    assert.equal((counts[200] ?? 0) + (counts[201] ?? 0) + (counts[410] ?? 0), N, JSON.stringify(counts));
    const ended = await entries(caseId, 'session.ended');
    assert.equal(ended.length, 1, 'ended once');
    for (const e of [...(await entries(caseId, 'invitation.created')), ...(await entries(caseId, 'session.joined'))]) {
      assert.ok(e.seq < ended[0]!.seq, `${e.type} at ${e.seq} after the end at ${ended[0]!.seq}`);
    }
    assert.equal(await w.t.testDb.db.sessionParticipation.count({ where: { sessionId: session, leftAt: null } }), 0, 'no one left inside an ended session');
    assert.equal(await w.t.testDb.db.invitation.count({ where: { sessionId: session } }), answers.filter((a, i) => i % 4 > 1 && a.status === 201).length);
    await assertChain(caseId);
  });

  test(`${N} leaves of one participation and ${N} revocations of one invitation are each recorded once`, async () => {
    const caseId = await caseIn(w, 'in_mediation');
    const session = (await w.t.testDb.db.mediationSession.findFirstOrThrow({ where: { caseId, status: 'open' } })).id;
    const participation = await w.t.services.sessions.recordJoin({ sessionId: session, identity: 'user:guest', role: 'observer', displayName: '旁听' });
    await burst(N, (i) => w.t.services.sessions.recordLeave(participation, `left-${i}`));
    assert.equal((await entries(caseId, 'session.left')).length, 1);
    const inv = await w.t.request('POST', `/api/sessions/${session}/invitations`, {
      token: w.tok.mediator1,
      body: { role: 'party', side: 'applicant', displayName: '张三' },
    });
    assert.equal(inv.status, 201, inv.text);
    const answers = await burst(N, () => w.t.request('POST', `/api/invitations/${inv.body.id}/revoke`, { token: w.tok.mediator1 }));
    assert.deepEqual(tally(answers, 'revocations'), { 200: N });
    assert.equal((await entries(caseId, 'invitation.revoked')).length, 1);
    await assertChain(caseId);
  });

  test(`${N} answers to one whistle at once (accept, decline, cancel): one wins`, async () => {
    const caseId = await caseIn(w, 'in_mediation');
    const whistle = await w.t.request('POST', `/api/cases/${caseId}/whistles`, { token: w.tok.mediator1, body: { unitId: w.units.hr, need: '核实工资' } });
    assert.equal(whistle.status, 201, whistle.text);
    const id = whistle.body.id;
    const answers = await burst(N, (i) =>
      i % 5 === 0
        ? w.t.request('POST', `/api/whistles/${id}/cancel`, { token: w.tok.mediator1, body: { reason: '已解决' } })
        : i % 5 === 1
          ? w.t.request('POST', `/api/whistles/${id}/decline`, { token: w.tok.official1, body: { reason: '不属本部门' } })
          : w.t.request('POST', `/api/whistles/${id}/accept`, { token: w.tok.official1 }),
    );
    oneWinner(answers, 200, ['whistle_answered'], 'whistle');
    const outcomes = await w.t.testDb.db.timelineEntry.count({
      where: { caseId, type: { in: ['whistle.accepted', 'whistle.declined', 'whistle.cancelled'] } },
    });
    assert.equal(outcomes, 1);
    const row = await w.t.testDb.db.whistleRequest.findUniqueOrThrow({ where: { id } });
    assert.equal(await w.t.testDb.db.invitation.count({ where: { session: { caseId }, role: 'official' } }), row.status === 'accepted' ? 1 : 0);
    assert.equal(await w.t.testDb.db.mediationSession.count({ where: { caseId, status: 'open' } }), 1);
    await assertChain(caseId);
  });
});

describe('the agreement', () => {
  let f: AgreementFixture;
  let agreementId: string;
  let hash: string;

  before(async () => {
    f = await caseWithSession(w.t, w.tok.mediator1!);
  });

  test(`${N} drafts of one agreement at once: one is created`, async () => {
    const answers = await burst(N, () => w.t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: w.tok.mediator1, body: {} }));
    agreementId = answers.find((a) => a.status === 201)!.body.id;
    oneWinner(answers, 201, ['agreement_exists'], 'agreement create');
  });

  test(`${N} saves on the same base revision: one new revision, the rest are stale (409)`, async () => {
    const a = await w.t.request('GET', `/api/sessions/${f.sessionId}/agreement`, { token: w.tok.mediator1 });
    const content = withFilledFields(a.body.revision.content);
    const answers = await burst(N, (i) =>
      w.t.request('PUT', `/api/agreements/${agreementId}/draft`, {
        token: w.tok.mediator1,
        body: { baseRevision: 1, content: { ...content, clauses: [`被申请人支付劳动报酬人民币${1000 + i}元。`] } },
      }),
    );
    oneWinner(answers, 200, ['agreement_draft_changed'], 'saves');
    assert.equal(await w.t.testDb.db.agreementRevision.count({ where: { agreementId } }), 2);
    await assertChain(f.caseId);
  });

  test(`${N} freezes at once: one`, async () => {
    const answers = await burst(N, () => w.t.request('POST', `/api/agreements/${agreementId}/freeze`, { token: w.tok.mediator1, body: { revision: 2 } }));
    hash = answers.find((a) => a.status === 200)!.body.frozen.hash;
    oneWinner(answers, 200, ['agreement_already_frozen'], 'freeze');
    assert.equal((await entries(f.caseId, 'agreement.frozen')).length, 1);
  });

  test(`${N} code requests at once send one code (the resend limit is counted in the database)`, async () => {
    const answers = await burst(N, () => w.t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: hash } }));
    oneWinner(answers, 200, ['otp_too_soon'], 'code requests');
    assert.equal(await w.t.testDb.db.agreementOtp.count({ where: { agreementId, partyId: f.partyA.id } }), 1);
    assert.equal(await w.t.testDb.db.smsOutbox.count({ where: { phone: f.partyA.phone, text: { contains: f.caseNumber } } }), 1);
  });

  test(`${N} wrong codes at once: exactly ${OTP_MAX_ATTEMPTS} are compared, then the code is dead`, async () => {
    const sign = (code: string, seed: number) =>
      w.t.request('POST', '/api/signing/sign', {
        token: f.inviteA,
        body: { partyId: f.partyA.id, revisionHash: hash, consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(seed) },
      });
    const right = codeIn(await lastSms(w.t.testDb, f.partyA.phone));
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const answers = await burst(N, (i) => sign(wrong, 1000 + i));
    tally(answers, 'wrong codes');
    const compared = answers.filter((a) => a.body?.reason === 'otp_wrong');
    assert.deepEqual(
      compared.map((a) => a.body.params.attemptsLeft).sort(),
      Array.from({ length: OTP_MAX_ATTEMPTS }, (_, i) => i),
      'each attempt counted once',
    );
    for (const a of answers.filter((x) => x.body?.reason !== 'otp_wrong')) assert.ok(['otp_locked', 'otp_expired'].includes(a.body?.reason), a.text);
    const otp = await w.t.testDb.db.agreementOtp.findFirstOrThrow({ where: { agreementId, partyId: f.partyA.id } });
    assert.equal(otp.attempts, OTP_MAX_ATTEMPTS);
    assert.notEqual(otp.consumedAt, null);
    const late = await sign(right, 2000);
    assert.equal(late.body.reason, 'otp_expired', 'the right code no longer works');
  });

  test(`${N} signings with one valid code: one signature; ${N} refusals: one refusal`, async () => {
    w.t.clock.advance(31_000);
    const otp = await w.t.request('POST', '/api/signing/otp', { token: f.inviteA, body: { partyId: f.partyA.id, revisionHash: hash } });
    assert.equal(otp.status, 200, otp.text);
    const code = codeIn(await lastSms(w.t.testDb, f.partyA.phone));
    const signs = await burst(N, (i) =>
      w.t.request('POST', '/api/signing/sign', {
        token: f.inviteA,
        body: { partyId: f.partyA.id, revisionHash: hash, consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(3000 + i) },
      }),
    );
    oneWinner(signs, 200, ['otp_used', 'otp_expired', 'sign_already_signed'], 'signings');
    const refusals = await burst(N, (i) =>
      w.t.request('POST', '/api/signing/refuse', { token: f.inviteB, body: { partyId: f.partyB.id, revisionHash: hash, reason: `不同意 ${i}` } }),
    );
    oneWinner(refusals, 200, ['sign_already_refused'], 'refusals');
    const rows = await w.t.testDb.db.agreementSignature.groupBy({ by: ['partyId', 'action'], where: { agreementId, cancelledAt: null }, _count: true });
    assert.deepEqual(
      rows.map((r) => [r.partyId, r.action, r._count]).sort(),
      [
        [f.partyA.id, 'signed', 1],
        [f.partyB.id, 'refused', 1],
      ].sort(),
    );
    await assertChain(f.caseId);
  });
});

describe('sealing', () => {
  let g: AgreementFixture;
  let agreementId: string;
  let hash: string;

  /** An agreement with every required signature, unsealed (the server's automatic sealing is undone). */
  async function unseal(): Promise<void> {
    await w.t.testDb.db.agreementDocument.deleteMany({ where: { agreementId } });
    await w.t.testDb.db.agreement.update({ where: { id: agreementId }, data: { status: 'signing' } });
  }

  /** A node's finaliser: its own data directory unless `dataDir` (a shared volume) is given; its own clock if given. */
  function finaliser(name: string, options: { onSealed?: () => void; dataDir?: string; clock?: ManualClock } = {}): Finaliser {
    const dataDir = options.dataDir ?? path.join(tmp, name);
    return new Finaliser({
      db: w.t.testDb.db,
      clock: options.clock ?? w.t.clock,
      config: { ...w.t.config, dataDir },
      log: createLogger('test'),
      onSealed: options.onSealed,
      nodeId: name,
    });
  }

  const claimOf = (id: string) =>
    w.t.testDb.db.agreement.findUniqueOrThrow({
      where: { id },
      select: { status: true, sealingBy: true, sealingRun: true, sealingAt: true, sealingDocId: true },
    });

  before(async () => {
    g = await caseWithSession(w.t, w.tok.mediator1!);
    const a = await w.t.request('POST', `/api/sessions/${g.sessionId}/agreement`, { token: w.tok.mediator1, body: {} });
    agreementId = a.body.id;
    const saved = await w.t.request('PUT', `/api/agreements/${agreementId}/draft`, {
      token: w.tok.mediator1,
      body: { baseRevision: 1, content: withFilledFields(a.body.revision.content) },
    });
    assert.equal(saved.status, 200, saved.text);
    const frozen = await w.t.request('POST', `/api/agreements/${agreementId}/freeze`, { token: w.tok.mediator1, body: { revision: 2 } });
    assert.equal(frozen.status, 200, frozen.text);
    hash = frozen.body.frozen.hash;
    for (const [token, party, seed] of [
      [g.inviteA, g.partyA, 11],
      [g.inviteB, g.partyB, 12],
    ] as const) {
      const signed = await partySigns(w.t, token, party.id, party.phone, hash, seed);
      assert.equal(signed.status, 200, signed.text);
    }
  });

  test(`${N} mediator signatures at once: one, then sealed once; ${N} finalisations after it change nothing`, async () => {
    const signs = await burst(N, (i) =>
      w.t.request('POST', `/api/agreements/${agreementId}/sign`, {
        token: w.tok.mediator1,
        body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(4000 + i) },
      }),
    );
    oneWinner(signs, 200, ['sign_already_signed'], 'mediator signatures');
    const finalisations = await burst(N, () => w.t.request('POST', `/api/agreements/${agreementId}/finalise`, { token: w.tok.mediator1 }));
    assert.deepEqual(tally(finalisations, 'finalisations'), { 200: N });
    const docs = await w.t.testDb.db.agreementDocument.findMany({ where: { agreementId } });
    assert.equal(docs.length, 1);
    assert.equal((await entries(g.caseId, 'agreement.sealed')).length, 1);
    assert.ok(existsSync(path.join(w.t.config.dataDir, 'agreements', `${docs[0]!.id}.pdf`)));
    await assertChain(g.caseId);
  });

  test('two servers sealing the same agreement at once: one sealer, the other keeps no file', async () => {
    await unseal();
    let sealed = 0;
    const [a, b] = [finaliser('node-a', { onSealed: () => sealed++ }), finaliser('node-b', { onSealed: () => sealed++ })];
    const results = await Promise.allSettled([a.finalise(agreementId), b.finalise(agreementId)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled'],
      JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))),
    );
    assert.equal(sealed, 1, 'one run sealed it');
    const doc = await w.t.testDb.db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    const files = ['node-a', 'node-b'].flatMap((n) => [path.join(tmp, n, 'agreements', `${doc.id}.pdf`)]).filter((p) => existsSync(p));
    assert.equal(files.length, 1, 'the winner has the file');
    for (const n of ['node-a', 'node-b']) assert.equal((await a.recover()).length + (await b.recover()).length, 0, `${n}: nothing left over`);
    await assertChain(g.caseId);
  });

  test('recovery running during a finalisation leaves its files alone', async () => {
    await unseal();
    const c = finaliser('node-c');
    let done = false;
    const sealing = c.finalise(agreementId).finally(() => (done = true));
    while (!done) {
      await c.recover();
      await new Promise((r) => setTimeout(r, 1));
    }
    await sealing;
    const doc = await w.t.testDb.db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    const file = path.join(tmp, 'node-c', 'agreements', `${doc.id}.pdf`);
    assert.ok(existsSync(file), 'the sealed file is there');
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), doc.sha256);
  });

  test('two nodes on one shared DATA_DIR sealing at once: one claims and writes, the other waits for its result', async () => {
    await unseal();
    const shared = path.join(tmp, 'shared-1');
    const sealedBy: string[] = [];
    const nodes = ['node-a', 'node-b'].map((n) => finaliser(n, { dataDir: shared, onSealed: () => sealedBy.push(n) }));
    const results = await Promise.allSettled(nodes.map((f) => f.finalise(agreementId)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled'],
      JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))),
    );
    assert.equal(sealedBy.length, 1, `one sealer: ${sealedBy.join(', ')}`);
    const doc = await w.t.testDb.db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    assert.deepEqual(readdirSync(path.join(shared, 'agreements')), [`${doc.id}.pdf`], 'one file, the sealed one; no .tmp');
    assert.deepEqual(
      await claimOf(agreementId),
      { status: 'sealed', sealingBy: null, sealingRun: null, sealingAt: null, sealingDocId: null },
      'the claim ended with the sealing',
    );
    assert.equal((await entries(g.caseId, 'agreement.sealed')).filter((e) => JSON.parse(e.data).documentId === doc.id).length, 1);
    await assertChain(g.caseId);
  });

  test("another node's recovery during a sealing on the shared DATA_DIR leaves its files alone", async () => {
    await unseal();
    const shared = path.join(tmp, 'shared-2');
    const [a, b] = [finaliser('node-a', { dataDir: shared }), finaliser('node-b', { dataDir: shared })];
    let done = false;
    const sealing = a.finalise(agreementId).finally(() => (done = true));
    let sawClaim = false;
    while (!done) {
      assert.deepEqual(await b.recover(), [], 'node-b removes nothing of node-a');
      sawClaim ||= (await claimOf(agreementId)).sealingBy === 'node-a';
      await new Promise((r) => setTimeout(r, 1));
    }
    await sealing;
    assert.ok(sawClaim, "node-a's claim was on the agreement while it sealed");
    const doc = await w.t.testDb.db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    const file = path.join(shared, 'agreements', `${doc.id}.pdf`);
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), doc.sha256);
  });

  test("start-up clean-up: a live claim of another node is spared and left to it; a stale one, or this node's from before its restart, is ended and its files removed", async () => {
    await unseal();
    const shared = path.join(tmp, 'shared-3');
    const dir = path.join(shared, 'agreements');
    mkdirSync(dir, { recursive: true });
    /** Node `by` (run `run`) claimed the agreement at `at` and crashed or stalls after writing its files. */
    const leftBehind = async (by: string, run: string, at: Date) => {
      const documentId = `doc-${by}-${run}`;
      await w.t.testDb.db.agreement.update({ where: { id: agreementId }, data: { sealingBy: by, sealingRun: run, sealingAt: at, sealingDocId: documentId } });
      const files = [`${documentId}.pdf`, `${documentId}.pdf.0a1b2c3d.tmp`];
      for (const f of files) writeFileSync(path.join(dir, f), 'partial');
      return files.sort();
    };
    const names = () => readdirSync(dir).sort();

    // node-x sealing right now: node-b starting up removes nothing and does not seal over it.
    const live = await leftBehind('node-x', 'r1', w.t.clock.now());
    const b = finaliser('node-b', { dataDir: shared });
    const started = Date.now();
    await b.recoverAndResume();
    assert.ok(Date.now() - started < 20_000, 'start-up does not wait for the other node');
    assert.deepEqual(names(), live, "node-x's files are still there");
    assert.equal((await claimOf(agreementId)).sealingBy, 'node-x');
    assert.equal((await claimOf(agreementId)).status, 'signing');

    // The same claim, seen by a node whose clock is past the stale age: ended, files gone, sealed.
    const later = finaliser('node-b', { dataDir: shared, clock: new ManualClock(new Date(w.t.clock.now().getTime() + SEALING_STALE_MS + 1000)) });
    assert.deepEqual((await later.recover()).sort(), live);
    assert.equal((await claimOf(agreementId)).sealingBy, null, 'the dead claim ended');
    await later.recoverAndResume();
    let doc = await w.t.testDb.db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    assert.deepEqual(names(), [`${doc.id}.pdf`]);

    // node-b's own claim from before its restart (another run), however fresh: ended at once, sealed again.
    await unseal();
    rmSync(path.join(dir, `${doc.id}.pdf`));
    const own = await leftBehind('node-b', 'before-restart', w.t.clock.now());
    const restarted = finaliser('node-b', { dataDir: shared });
    await restarted.recoverAndResume();
    doc = await w.t.testDb.db.agreementDocument.findUniqueOrThrow({ where: { agreementId } });
    assert.deepEqual(names(), [`${doc.id}.pdf`], `${own.join(', ')} removed`);
    assert.deepEqual(await claimOf(agreementId), { status: 'sealed', sealingBy: null, sealingRun: null, sealingAt: null, sealingDocId: null });
    await assertChain(g.caseId);
  });
});

describe('the database settles what the service could not check', () => {
  test(`${N} units with one name at once: one, the rest told the name is taken`, async () => {
    const answers = await burst(N, () =>
      w.t.request('POST', '/api/admin/units', { token: w.tok.admin1, body: { name: '并发测试调委会', kind: 'mediation_committee', level: 'community' } }),
    );
    oneWinner(answers, 201, ['unit_name_taken'], 'units');
  });

  test(`${N} rule-set changes at once: consecutive versions, the losers told to reload`, async () => {
    const current = await w.t.request('GET', '/api/admin/routing-rules', { token: w.tok.admin1 });
    const answers = await burst(N, () => w.t.request('PUT', '/api/admin/routing-rules', { token: w.tok.admin1, body: current.body.ruleSet }));
    const counts = tally(answers, 'rule sets');
    assert.ok((counts[200] ?? 0) >= 1, JSON.stringify(counts));
    for (const a of answers.filter((x) => x.status !== 200)) assert.equal(a.body.reason, 'rules_changed_meanwhile', a.text);
    const versions = (await w.t.testDb.db.routingRuleSet.findMany({ select: { version: true }, orderBy: { version: 'asc' } })).map((r) => r.version);
    assert.deepEqual(
      versions,
      Array.from({ length: versions.length }, (_, i) => i + 1),
    );
    assert.equal(versions.length, current.body.version + (counts[200] ?? 0));
  });

  test('a unique violation that reaches the error handler is a 409 with its reason, not a 500', async () => {
    const unit = await w.t.testDb.db.unit.findFirstOrThrow();
    const error = await w.t.testDb.db.unit.create({ data: { id: 'dup', name: unit.name, kind: unit.kind, level: unit.level } }).then(
      () => assert.fail('a duplicate name was stored'),
      (e: unknown) => e,
    );
    const wire = toWireError(error);
    assert.equal(wire.status, 409);
    assert.equal(wire.body.reason, 'saved_meanwhile');
  });

  test('two transactions locking two cases in opposite order both finish (a deadlock is retried)', async () => {
    const [x, y] = [await caseIn(w, 'reported'), await caseIn(w, 'reported')];
    let arrived = 0;
    const bothLocked = () =>
      new Promise<void>((resolve) => {
        arrived++;
        const started = Date.now();
        // SQLite runs one transaction at a time: the other never arrives, so do not wait long.
        const poll = () => (arrived >= 2 || Date.now() - started > 300 ? resolve() : setTimeout(poll, 5));
        poll();
      });
    const crosswise = (first: string, second: string) =>
      transaction(w.t.testDb.db, async (tx) => {
        await lockCase(tx, first);
        await bothLocked();
        await lockCase(tx, second);
      });
    const results = await Promise.allSettled([crosswise(x, y), crosswise(y, x)]);
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
      ['ok', 'ok'],
    );
  });
});
