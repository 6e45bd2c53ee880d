import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit, type ItemResult } from '../../../server/db/groupCommit.ts';

/** A writer that records each write's key and items, and waits for `release` before answering. */
function recordingWriter() {
  const writes: Array<{ key: string; items: number[] }> = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => (release = r));
  const write = async (key: string, items: number[]): Promise<Array<ItemResult<string>>> => {
    writes.push({ key, items });
    await gate;
    return items.map((n) => (n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: `${key}:${n}` }));
  };
  return {
    writes,
    write,
    open() {
      release();
      gate = new Promise<void>((r) => (release = r));
    },
  };
}

test('what arrives while a write runs goes in the next write, in order; each caller gets its own answer', async () => {
  const w = recordingWriter();
  const commit = new GroupCommit(w.write);
  const first = [commit.submit('a', 1), commit.submit('a', 2)];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.writes, [{ key: 'a', items: [1, 2] }]);
  const later = [commit.submit('a', 3), commit.submit('a', -4), commit.submit('a', 5)];
  w.open();
  assert.deepEqual(await Promise.all(first), ['a:1', 'a:2']);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.writes[1], { key: 'a', items: [3, -4, 5] });
  w.open();
  const settled = await Promise.allSettled(later);
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    ['a:3', 'bad -4', 'a:5'],
  );
});

test('keys write independently; a write that throws fails each of its items; a batch holds at most maxBatch', async () => {
  const writes: Array<{ key: string; items: number[] }> = [];
  const commit = new GroupCommit<number, number>(
    async (key, items) => {
      writes.push({ key, items });
      if (key === 'broken') throw new Error('database down');
      return items.map((value) => ({ ok: true, value }));
    },
    { maxBatch: 2 },
  );
  const broken = Promise.allSettled([commit.submit('broken', 1), commit.submit('broken', 2)]);
  const fine = Promise.all([1, 2, 3, 4, 5].map((n) => commit.submit('fine', n)));
  assert.deepEqual(await fine, [1, 2, 3, 4, 5]);
  assert.deepEqual(
    (await broken).map((s) => s.status === 'rejected' && (s.reason as Error).message),
    ['database down', 'database down'],
  );
  assert.deepEqual(
    writes.filter((x) => x.key === 'fine').map((x) => x.items),
    [[1, 2], [3, 4], [5]],
  );
  // Drained keys are forgotten and start afresh.
  assert.equal(await commit.submit('fine', 6), 6);
});

test('gatherMs: the first item waits for others to write with it', async () => {
  const writes: number[][] = [];
  const commit = new GroupCommit<number, number>(async (_key, items) => (writes.push(items), items.map((value) => ({ ok: true, value }))), { gatherMs: 30 });
  const first = commit.submit('k', 1);
  // A later turn of the event loop, well inside the 30 ms the first one waits.
  await new Promise((r) => setImmediate(r));
  const second = commit.submit('k', 2);
  assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  assert.deepEqual(writes, [[1, 2]]);
});
