import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

/*
 * A burst of concurrent wrong passwords for one account: the attempts are counted before any
 * password is checked, so at most the window's allowance (10) is ever evaluated; the rest are
 * refused at once with 429 and Retry-After, and the right password works after the window.
 */

let t: TestServer;

before(async () => {
  t = await startTestServer();
  await t.createUser('burst', 'mediator');
  await t.createUser('bystander', 'mediator');
});
after(async () => t.close());

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  t.request('POST', '/api/auth/login', { body: { username, password }, headers });

describe('login under a concurrent burst', () => {
  test('200 concurrent wrong passwords → at most 10 evaluated, the rest 429 with Retry-After; the right one works after the window', async () => {
    const work = t.services.auth.passwordWork;
    const startedBefore = work.started;
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => login('burst', `wrong-${i}`)));
    const statuses = answers.map((a) => a.status);
    const evaluated = statuses.filter((s) => s === 401).length;
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(evaluated <= 10, `at most 10 passwords evaluated, got ${evaluated} (${JSON.stringify(count(statuses))})`);
    assert.ok(evaluated >= 1, 'some were evaluated');
    assert.equal(evaluated + refused.length, 200, `only 401 and 429: ${JSON.stringify(count(statuses))}`);
    assert.ok(work.started - startedBefore <= 10, `scrypt ran ${work.started - startedBefore} times`);
    for (const r of refused) {
      assert.equal(r.body.code, 'too_many_requests');
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/, 'Retry-After in whole seconds');
    }

    // Blocked now, even with the right password; the window's end opens it again.
    const blocked = await login('burst', 'correct-horse-battery');
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 60, 'the window, not the in-flight retry');
    t.clock.advance(10 * 60_000 + 1000);
    assert.equal((await login('burst', 'correct-horse-battery')).status, 200);
  });

  test('in flight per account is capped: a burst of right passwords gets some 200s and quick 429s, never more than the cap at once', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => login('bystander', 'correct-horse-battery')));
    const ok = answers.filter((a) => a.status === 200).length;
    const busy = answers.filter((a) => a.status === 429);
    assert.equal(ok + busy.length, 20);
    assert.ok(ok >= 1 && busy.length >= 1, JSON.stringify(count(answers.map((a) => a.status))));
    for (const r of busy) assert.equal(r.headers.get('retry-after'), '1');
    // Right passwords do not use up the failure window.
    assert.equal((await login('bystander', 'correct-horse-battery')).status, 200);
  });
});

function count(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}
