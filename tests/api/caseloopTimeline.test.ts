import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appendTimeline } from '../../server/cases/timeline.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { editTimelineData } from '../helpers/timelineTamper.ts';
import { LONG_LOGINS, caseIn, setupWorld, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
});
after(async () => t.close());

/** A followed-up case: created, registered, routed, assigned, session, mediation, closed, followed up = 8 entries. */
const loopCase = () => caseIn(w, 'followed_up');
const verify = async (caseId: string) => (await t.request('GET', `/api/cases/${caseId}/timeline/verify`, { token: w.tok.supervisor1 })).body;

describe('the case-loop timeline hash chain and its head', () => {
  test('a full loop verifies, and the head on the case is the last entry', async () => {
    const id = await loopCase();
    assert.deepEqual(await verify(id), { ok: true, entries: 8 });
    const head = await t.testDb.db.case.findUniqueOrThrow({ where: { id }, select: { chainSeq: true, chainHash: true } });
    const last = await t.testDb.db.timelineEntry.findFirstOrThrow({ where: { caseId: id }, orderBy: { seq: 'desc' } });
    assert.deepEqual(head, { chainSeq: 8, chainHash: last.hash });
  });

  test('an edited entry is detected (e.g. the closing outcome rewritten)', async () => {
    const id = await loopCase();
    assert.equal(await editTimelineData(t.testDb, id, { type: 'case.close_settled' }, { summary: '未达成' }), 1);
    const v = await verify(id);
    assert.equal(v.ok, false);
    assert.equal(v.firstBrokenSeq, 7);
    assert.match(v.reason, /modified/);
  });

  test('an entry deleted in the middle is detected', async () => {
    const id = await loopCase();
    await t.testDb.sql.run('DELETE FROM "TimelineEntry" WHERE "caseId" = ? AND "seq" = 4', id);
    const v = await verify(id);
    assert.deepEqual([v.ok, v.firstBrokenSeq], [false, 4]);
    assert.match(v.reason, /missing/);
  });

  test('deleting the newest entries is detected through the head stored on the case', async () => {
    const id = await loopCase();
    await t.testDb.sql.run('DELETE FROM "TimelineEntry" WHERE "caseId" = ? AND "seq" = 8', id);
    const v = await verify(id);
    assert.deepEqual([v.ok, v.firstBrokenSeq], [false, 8]);
    assert.match(v.reason, /chain head records 8 entries/);

    const two = await loopCase();
    await t.testDb.sql.run('DELETE FROM "TimelineEntry" WHERE "caseId" = ? AND "seq" >= 7', two);
    const v2 = await verify(two);
    assert.deepEqual([v2.ok, v2.firstBrokenSeq], [false, 7]);
  });

  test('an entry appended behind the server’s back, or a swapped last entry, is detected', async () => {
    const id = await loopCase();
    const { sql } = t.testDb;
    const last = (await sql.get('SELECT * FROM "TimelineEntry" WHERE "caseId" = ? AND "seq" = 8', id))!;
    await sql.run(
      `INSERT INTO "TimelineEntry" ("id", "caseId", "seq", "type", "actor", "data", "at", "prevHash", "hash") VALUES (?, ?, 9, 'case.reopen', 'system', '{}', ?, ?, ?)`,
      'forged',
      id,
      last.at,
      last.hash,
      'e'.repeat(64),
    );
    const v = await verify(id);
    assert.equal(v.ok, false);
    assert.equal(v.firstBrokenSeq, 9);

    const other = await loopCase();
    await sql.run('UPDATE "Case" SET "chainHash" = ? WHERE "id" = ?', 'd'.repeat(64), other);
    const v2 = await verify(other);
    assert.deepEqual([v2.ok, v2.firstBrokenSeq], [false, 8]);
    assert.match(v2.reason, /chain head/);
  });
});

describe('timeline actors are resolved for display, the stored entries are not', () => {
  type View = { seq: number; type: string; actor: string; actorName: string; actorRole: string | null; actorKind: string; hash: string };
  const timeline = async (caseId: string): Promise<View[]> => {
    const res = await t.request('GET', `/api/cases/${caseId}/timeline`, { token: w.tok.supervisor1 });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  test('staff users → display name and role; invitations → their display name; public and system labelled', async () => {
    const id = await caseIn(w, 'in_mediation');
    const wr = await t.request('POST', `/api/cases/${id}/whistles`, { token: w.tok.mediator1, body: { unitId: w.units.hr, need: '到场' } });
    const acc = await t.request('POST', `/api/whistles/${wr.body.id}/accept`, { token: w.tok.official1 });
    assert.equal(acc.status, 200, acc.text);
    const at = t.clock.now();
    await t.testDb.db.$transaction(async (tx) => {
      await appendTimeline(tx, { caseId: id, type: 'session.joined', actor: `invitation:${acc.body.invitationId}`, at, data: {} });
      await appendTimeline(tx, { caseId: id, type: 'session.ended', actor: 'system', at, data: {} });
    });
    const storedBefore = await t.testDb.db.timelineEntry.findMany({ where: { caseId: id }, orderBy: { seq: 'asc' } });

    const tl = await timeline(id);
    const by = (type: string) => tl.find((e) => e.type === type)!;
    assert.deepEqual(
      [by('case.created').actor, by('case.created').actorName, by('case.created').actorRole, by('case.created').actorKind],
      [`user:${w.ids.grid1}`, '孙网格员', 'gridworker', 'user'],
    );
    assert.deepEqual([by('case.grade_and_route').actorName, by('case.grade_and_route').actorRole], ['李主任', 'supervisor']);
    assert.deepEqual([by('whistle.requested').actorName, by('whistle.requested').actorRole], ['王调解员', 'mediator']);
    assert.deepEqual([by('whistle.accepted').actorName, by('whistle.accepted').actorRole], ['赵科长', 'official']);
    assert.deepEqual([by('session.joined').actorName, by('session.joined').actorRole, by('session.joined').actorKind], ['赵科长', 'official', 'invitation']);
    assert.deepEqual([by('session.ended').actorName, by('session.ended').actorRole, by('session.ended').actorKind], ['系统', 'system', 'system']);
    for (const e of tl) assert.ok(!/^user:|^invitation:/.test(e.actorName), `seq ${e.seq} shows ${e.actorName}`);

    // Nothing stored changed: same rows, and the chain still verifies.
    assert.deepEqual(await t.testDb.db.timelineEntry.findMany({ where: { caseId: id }, orderBy: { seq: 'asc' } }), storedBefore);
    assert.deepEqual(
      tl.map((e) => [e.seq, e.actor, e.hash]),
      storedBefore.map((r) => [r.seq, r.actor, r.hash]),
    );
    assert.equal((await verify(id)).ok, true);

    // A citizen's public report: labelled, not a person.
    const pub = await t.request('POST', '/api/public/cases', {
      body: { disputeType: 'neighbour', description: '噪音', parties: [{ side: 'applicant', name: '刘六', phone: '13812345678' }] },
    });
    assert.equal(pub.status, 201, pub.text);
    const row = await t.testDb.db.case.findFirstOrThrow({ where: { caseNumber: pub.body.caseNumber }, select: { id: true } });
    const first = (await timeline(row.id))[0]!;
    assert.deepEqual([first.actor, first.actorKind, first.actorRole, first.actorName], ['public', 'public', 'public', '群众（网上报事）']);
  });
});
