import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

/*
 * Behind a reverse proxy every client arrives from the proxy's address. With TRUST_PROXY the
 * per-address limits (login, public report and query, verification) count the client address
 * from X-Forwarded-For; without it the header is ignored and cannot buy a fresh limit.
 */

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const t = await startTestServer({ env });
  servers.push(t);
  await t.createUser('alice', 'mediator');
  return t;
}

const from = (ip: string) => ({ 'x-forwarded-for': ip });

async function failLogins(t: TestServer, ip: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await t.request('POST', '/api/auth/login', { body: { username: 'alice', password: `bad-${i}` }, headers: from(ip) });
    assert.equal(res.status, 401, `attempt ${i + 1} from ${ip}: ${res.text}`);
  }
}

const publicReport = (t: TestServer, ip: string) =>
  t.request('POST', '/api/public/cases', {
    headers: from(ip),
    body: { disputeType: 'neighbour', description: '楼上装修噪音', parties: [{ side: 'applicant', name: '刘六', phone: '13812345678' }] },
  });

describe('TRUST_PROXY', () => {
  test('with TRUST_PROXY=1 two clients behind the proxy have separate login, report, query and verify limits', async () => {
    const t = await server({ TRUST_PROXY: '1' });
    await failLogins(t, '198.51.100.1', 10);
    const blocked = await t.request('POST', '/api/auth/login', {
      body: { username: 'alice', password: 'correct-horse-battery' },
      headers: from('198.51.100.1'),
    });
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/);
    // The other client behind the same proxy still logs in.
    const other = await t.request('POST', '/api/auth/login', { body: { username: 'alice', password: 'correct-horse-battery' }, headers: from('198.51.100.2') });
    assert.equal(other.status, 200, other.text);

    for (let i = 0; i < 5; i++) assert.equal((await publicReport(t, '198.51.100.1')).status, 201);
    const reportRefused = await publicReport(t, '198.51.100.1');
    assert.equal(reportRefused.status, 429);
    assert.match(reportRefused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await publicReport(t, '198.51.100.2')).status, 201);

    const query = (ip: string) => t.request('POST', '/api/public/cases/query', { headers: from(ip), body: { caseNumber: 'NO-SUCH', queryCode: 'AAAA-BBBB' } });
    for (let i = 0; i < 10; i++) assert.equal((await query('198.51.100.1')).status, 404);
    const queryRefused = await query('198.51.100.1');
    assert.equal(queryRefused.status, 429);
    assert.match(queryRefused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await query('198.51.100.2')).status, 404);

    const verify = (ip: string) => t.request('POST', '/api/verify/code', { headers: from(ip), body: { code: 'AAAA-BBBB-CCCC' } });
    for (let i = 0; i < 30; i++) assert.equal((await verify('198.51.100.1')).status, 200);
    assert.equal((await verify('198.51.100.1')).status, 429);
    assert.equal((await verify('198.51.100.2')).status, 200);
  });

  test('a list of proxy addresses works like a hop count (the test proxy is loopback)', async () => {
    const t = await server({ TRUST_PROXY: 'loopback' });
    await failLogins(t, '203.0.113.7', 10);
    assert.equal((await t.request('POST', '/api/auth/login', { body: { username: 'alice', password: 'x' }, headers: from('203.0.113.7') })).status, 429);
    assert.equal(
      (await t.request('POST', '/api/auth/login', { body: { username: 'alice', password: 'correct-horse-battery' }, headers: from('203.0.113.8') })).status,
      200,
    );
  });

  test('without TRUST_PROXY, X-Forwarded-For is ignored: a forged header does not buy a fresh limit', async () => {
    const t = await server();
    await failLogins(t, '198.51.100.1', 10);
    const forged = await t.request('POST', '/api/auth/login', {
      body: { username: 'alice', password: 'correct-horse-battery' },
      headers: from('198.51.100.2'),
    });
    assert.equal(forged.status, 429);
    assert.match(forged.headers.get('retry-after') ?? '', /^\d+$/);
    for (let i = 0; i < 5; i++) assert.equal((await publicReport(t, `198.51.100.${10 + i}`)).status, 201);
    assert.equal((await publicReport(t, '198.51.100.99')).status, 429);
  });

  test('config: off by default; hop counts and address lists accepted; `true` and nonsense refused', () => {
    const dataDir = servers[0]!.testDb.dataDir;
    const load = (TRUST_PROXY?: string) =>
      loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(40), ...(TRUST_PROXY === undefined ? {} : { TRUST_PROXY }) }).trustProxy;
    assert.equal(load(), false);
    assert.equal(load('false'), false);
    assert.equal(load('2'), 2);
    assert.deepEqual(load('loopback, 10.0.0.0/8,2001:db8::1'), ['loopback', '10.0.0.0/8', '2001:db8::1']);
    assert.throws(() => load('true'), /TRUST_PROXY/);
    assert.throws(() => load('proxy.example.cn'), /TRUST_PROXY/);
  });
});
