import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
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
    const raw = t.testDb.raw();
    const changed = raw.prepare(`UPDATE TimelineEntry SET data = json_set(data, '$.summary', '未达成') WHERE caseId = ? AND type = 'case.close_settled'`).run(id);
    assert.equal(changed.changes, 1);
    const v = await verify(id);
    assert.equal(v.ok, false);
    assert.equal(v.firstBrokenSeq, 7);
    assert.match(v.reason, /modified/);
  });

  test('an entry deleted in the middle is detected', async () => {
    const id = await loopCase();
    t.testDb.raw().prepare(`DELETE FROM TimelineEntry WHERE caseId = ? AND seq = 4`).run(id);
    const v = await verify(id);
    assert.deepEqual([v.ok, v.firstBrokenSeq], [false, 4]);
    assert.match(v.reason, /missing/);
  });

  test('deleting the newest entries is detected through the head stored on the case', async () => {
    const id = await loopCase();
    t.testDb.raw().prepare(`DELETE FROM TimelineEntry WHERE caseId = ? AND seq = 8`).run(id);
    const v = await verify(id);
    assert.deepEqual([v.ok, v.firstBrokenSeq], [false, 8]);
    assert.match(v.reason, /chain head records 8 entries/);

    const two = await loopCase();
    t.testDb.raw().prepare(`DELETE FROM TimelineEntry WHERE caseId = ? AND seq >= 7`).run(two);
    const v2 = await verify(two);
    assert.deepEqual([v2.ok, v2.firstBrokenSeq], [false, 7]);
  });

  test('an entry appended behind the server’s back, or a swapped last entry, is detected', async () => {
    const id = await loopCase();
    const raw = t.testDb.raw();
    const last = raw.prepare(`SELECT * FROM TimelineEntry WHERE caseId = ? AND seq = 8`).get(id) as Record<string, unknown>;
    raw.prepare(`INSERT INTO TimelineEntry (id, caseId, seq, type, actor, data, at, prevHash, hash) VALUES (?, ?, 9, 'case.reopen', 'system', '{}', ?, ?, ?)`).run(
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
    raw.prepare(`UPDATE "Case" SET chainHash = ? WHERE id = ?`).run('d'.repeat(64), other);
    const v2 = await verify(other);
    assert.deepEqual([v2.ok, v2.firstBrokenSeq], [false, 8]);
    assert.match(v2.reason, /chain head/);
  });
});
