import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalJson, GENESIS_HASH } from '../../server/cases/timeline.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { editTimelineData } from '../helpers/timelineTamper.ts';

let t: TestServer;
let mediator: string;
/** A supervisor (reads every case; an official reads only cases they are called in to). */
let reader: string;

/** A case with a session, an invitation, two joins and a leave: several timeline entries. */
async function busyCase(): Promise<{ caseId: string; sessionId: string }> {
  const c = await t.request('POST', '/api/cases', {
    token: mediator,
    body: {
      disputeType: 'debt',
      title: '借款纠纷',
      description: '借款未还',
      parties: [
        { side: 'applicant', name: '张三', phone: '13812345678' },
        { side: 'respondent', name: '李四', phone: '13987654321' },
      ],
    },
  });
  const s = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: mediator });
  const inv = await t.request('POST', `/api/sessions/${s.body.id}/invitations`, {
    token: mediator,
    body: { role: 'party', partyId: c.body.parties[0].id, displayName: '张先生' },
  });
  const a = await t.services.sessions.recordJoin({ sessionId: s.body.id, identity: 'user:m', role: 'mediator', displayName: '王调解员' });
  t.clock.advance(60_000);
  const b = await t.services.sessions.recordJoin({ sessionId: s.body.id, identity: `invitation:${inv.body.id}`, role: 'party', displayName: '张先生' });
  t.clock.advance(60_000);
  await t.services.sessions.recordLeave(b, 'left');
  await t.services.sessions.recordLeave(b, 'left'); // idempotent
  assert.notEqual(a, b);
  return { caseId: c.body.id, sessionId: s.body.id };
}

before(async () => {
  t = await startTestServer();
  await t.createUser('mediator1', 'mediator', undefined, { displayName: '王调解员' });
  await t.createUser('supervisor1', 'supervisor');
  mediator = (await t.login('mediator1')).token;
  reader = (await t.login('supervisor1')).token;
});
after(async () => t.close());

describe('timeline', () => {
  test('canonical JSON sorts keys recursively', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null }, u: undefined }), '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  test('entries are chained and the chain verifies', async () => {
    const { caseId } = await busyCase();
    const res = await t.request('GET', `/api/cases/${caseId}/timeline`, { token: reader });
    assert.equal(res.status, 200);
    const types = res.body.map((e: { type: string }) => e.type);
    // A mediator's window intake is taken on at once, so the first session starts the mediation.
    assert.deepEqual(types, [
      'case.created',
      'case.take_on',
      'session.started',
      'case.start_mediation',
      'invitation.created',
      'session.joined',
      'session.joined',
      'session.left',
    ]);
    assert.deepEqual(
      res.body.map((e: { seq: number }) => e.seq),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(res.body[0].prevHash, GENESIS_HASH);
    for (let i = 1; i < res.body.length; i++) assert.equal(res.body[i].prevHash, res.body[i - 1].hash);
    for (const e of res.body) assert.match(e.hash, /^[0-9a-f]{64}$/);
    const joined = res.body[6];
    assert.deepEqual({ role: joined.data.role, displayName: joined.data.displayName }, { role: 'party', displayName: '张先生' });
    assert.ok(!res.text.includes('13812345678') && !res.text.includes('1381234'), 'no phone numbers in the timeline');

    const v = await t.request('GET', `/api/cases/${caseId}/timeline/verify`, { token: reader });
    assert.equal(v.status, 200);
    assert.deepEqual(v.body, { ok: true, entries: 8 });
  });

  test('an edited row is detected', async () => {
    const { caseId } = await busyCase();
    assert.equal(await editTimelineData(t.testDb, caseId, { seq: 6 }, { displayName: '别人' }), 1);
    const v = await t.request('GET', `/api/cases/${caseId}/timeline/verify`, { token: mediator });
    assert.equal(v.body.ok, false);
    assert.equal(v.body.firstBrokenSeq, 6);
    assert.match(v.body.reason, /modified/);
  });

  test('an edited row whose hash was recomputed still breaks the link to the next', async () => {
    const { caseId } = await busyCase();
    await t.testDb.sql.run('UPDATE "TimelineEntry" SET "hash" = ? WHERE "caseId" = ? AND "seq" = 2', 'f'.repeat(64), caseId);
    const v = await t.services.cases.verifyTimeline(caseId);
    assert.equal(v.ok, false);
    assert.equal(v.ok === false && v.firstBrokenSeq, 2);
  });

  test('a deleted row is detected', async () => {
    const { caseId } = await busyCase();
    const { sql } = t.testDb;
    assert.equal(await sql.run('DELETE FROM "TimelineEntry" WHERE "caseId" = ? AND "seq" = 3', caseId), 1);
    const v = await t.request('GET', `/api/cases/${caseId}/timeline/verify`, { token: mediator });
    assert.deepEqual(v.body.ok, false);
    assert.equal(v.body.firstBrokenSeq, 3);
    assert.match(v.body.reason, /missing/);

    // Deleting and renumbering still breaks the hash links.
    const other = await busyCase();
    await sql.run('DELETE FROM "TimelineEntry" WHERE "caseId" = ? AND "seq" = 2', other.caseId);
    await sql.run('UPDATE "TimelineEntry" SET "seq" = "seq" - 1 WHERE "caseId" = ? AND "seq" > 2', other.caseId);
    const v2 = await t.services.cases.verifyTimeline(other.caseId);
    assert.equal(v2.ok, false);
    assert.equal(v2.ok === false && v2.firstBrokenSeq, 2);
  });

  test('other cases are unaffected by tampering elsewhere', async () => {
    const { caseId } = await busyCase();
    assert.deepEqual(await t.services.cases.verifyTimeline(caseId), { ok: true, entries: 8 });
    assert.equal((await t.request('GET', '/api/cases/nope/timeline/verify', { token: mediator })).status, 404);
  });
});

describe('participations', () => {
  test('joins and leaves are listed; ending a session closes open participations', async () => {
    const { sessionId, caseId } = await busyCase();
    const res = await t.request('GET', `/api/sessions/${sessionId}/participations`, { token: reader });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 2);
    assert.deepEqual(
      res.body.map((p: { role: string; leftAt: string | null; leaveReason: string | null }) => [p.role, p.leftAt !== null, p.leaveReason]),
      [
        ['mediator', false, null],
        ['party', true, 'left'],
      ],
    );
    assert.equal(res.body[0].identity, undefined);

    await t.request('POST', `/api/sessions/${sessionId}/end`, { token: mediator });
    const after = await t.request('GET', `/api/sessions/${sessionId}/participations`, { token: reader });
    assert.equal(after.body[0].leaveReason, 'session_ended');
    const types = (await t.services.cases.timeline(caseId)).map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['session.left', 'session.ended']);
    assert.deepEqual(await t.services.cases.verifyTimeline(caseId), { ok: true, entries: 10 });

    await assert.rejects(t.services.sessions.recordJoin({ sessionId, identity: 'user:x', role: 'mediator', displayName: 'x' }), { code: 'gone' });
  });
});
