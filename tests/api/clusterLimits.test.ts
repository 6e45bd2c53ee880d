import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { LIMIT_KEY_PREFIX } from '../../server/limits/RedisWindow.ts';
import type { App } from '../../server/app.ts';
import { startClusterApps, type ClusterApps } from '../helpers/clusterApps.ts';
import { TEST_PASSWORD } from '../helpers/fullServer.ts';

/*
 * Two nodes of one cluster (createApp in cluster mode: the same PostgreSQL, the same Redis, the
 * same DATA_DIR) count every attempt against the same windows: an attacker who spreads guesses
 * over both gets the limit once, not once per node. Always PostgreSQL (cluster mode refuses
 * SQLite): the run's cluster (TEST_PG_URL), or one this process starts.
 */

let cluster: ClusterApps;
let nodes: App[] = [];
let inspect: Redis;

before(async () => {
  cluster = await startClusterApps(['node-a', 'node-b']);
  nodes = cluster.nodes.map((n) => n.app);
  inspect = new Redis(cluster.redis.url);
  for (const name of ['spread', 'burst']) await cluster.nodes[0]!.createUser(name, 'mediator');
});
after(async () => {
  inspect?.disconnect();
  await cluster?.close();
});

/** A POST to node i (0 or 1), JSON in and out. */
async function post(i: number, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(nodes[i]!.url() + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const login = (i: number, username: string, password: string) => post(i, '/api/auth/login', { username, password });

describe('two nodes share the rate limits through Redis', () => {
  test('wrong passwords alternating between the nodes: 10 in all (5 on each), then both refuse, even the right one', async () => {
    for (let n = 0; n < 10; n++) assert.equal((await login(n % 2, 'spread', `wrong-${n}`)).status, 401, `attempt ${n + 1}`);
    for (const i of [0, 1]) {
      const refused = await login(i, 'spread', `wrong-again`);
      assert.equal(refused.status, 429, `node ${i} after 10 failures in all`);
      assert.equal(refused.body.reason, 'login_rate_limited');
    }
    assert.equal((await login(1, 'spread', TEST_PASSWORD)).status, 429, 'the right password waits for the window too');
    assert.ok((await inspect.keys(`${LIMIT_KEY_PREFIX}login-account:*`)).length >= 1, 'the counts live in Redis');
  });

  test('a concurrent burst over both nodes: at most 10 passwords evaluated in all', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => login(n % 2, 'burst', `wrong-${n}`)));
    const evaluated = answers.filter((a) => a.status === 401).length;
    assert.ok(evaluated >= 1 && evaluated <= 10, `evaluated ${evaluated}`);
    assert.equal(evaluated + answers.filter((a) => a.status === 429).length, 60, 'only 401 and 429');
  });

  test('failed public progress queries count per address over both nodes', async () => {
    const wrong = { caseNumber: 'TJ-2026-000001', queryCode: 'AAAA-BBBB' };
    for (let n = 0; n < 10; n++) assert.equal((await post(n < 6 ? 0 : 1, '/api/public/cases/query', wrong)).status, 404, `query ${n + 1}`);
    for (const i of [0, 1]) assert.equal((await post(i, '/api/public/cases/query', wrong)).status, 429, `node ${i} after 10 failures in all`);
  });
});
