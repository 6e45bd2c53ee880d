import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { parsePrometheus, samplesOf, total, type Sample } from '../helpers/prometheus.ts';
import { enterRoom, type Member } from '../helpers/room.ts';
import type { TestSocket } from '../helpers/socketClient.ts';

/*
 * GET /metrics (Prometheus) on the real server: protected by METRICS_TOKEN (401 without it), off
 * without configuration (404), or served without a token on the separate METRICS_LISTEN address.
 * After a socket join and some requests, the media, join, socket, HTTP, rate-limit and database
 * series exist with sane values.
 */

const TOKEN = 'metrics-test-token-0123456789';

async function scrape(url: string, token?: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('with METRICS_TOKEN', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await startFullServer({ env: { METRICS_TOKEN: TOKEN } });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  test('unauthenticated or with a wrong token: 401, nothing exposed', async () => {
    const none = await scrape(`${server.baseUrl}/metrics`);
    assert.equal(none.status, 401);
    assert.doesNotMatch(none.text, /cm_/);
    assert.equal((await scrape(`${server.baseUrl}/metrics`, 'metrics-test-token-wrong-000000')).status, 401);
    assert.equal((await scrape(`${server.baseUrl}/metrics`, TOKEN.slice(0, -1))).status, 401);
  });

  test('after a socket join and requests: rooms, peers, workers, join latency, socket, HTTP, limits and database series', async () => {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    const enter = (auth: Parameters<typeof enterRoom>[2]): Promise<Member> => enterRoom(server.baseUrl, sockets, auth);
    await enter({ kind: 'staff', token, sessionId: session.id });
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const party = await enter({ kind: 'invitation', token: inv.token });
    const refused = await party.s.send('lobby.admit', { peerId: 'someone' });
    assert.equal(refused.ok, false);
    assert.equal((await server.api('GET', `/api/cases/${caseDetail.id}`, { token })).status, 200);
    // Ten wrong passwords for one account, then the limiter answers 429.
    await server.createUser('limited', 'mediator');
    let limited = 0;
    for (let i = 0; i < 12; i++) {
      const r = await server.api('POST', '/api/auth/login', { body: { username: 'limited', password: `wrong-${i}` } });
      if (r.status === 429) limited++;
    }
    assert.ok(limited >= 1, 'the login limit refused');

    const res = await scrape(`${server.baseUrl}/metrics`, TOKEN);
    assert.equal(res.status, 200);
    assert.match(res.type ?? '', /^text\/plain/);
    const m: Sample[] = parsePrometheus(res.text);

    // Media: one room, the mediator in it, the party waiting; the worker with its pid, CPU and memory.
    assert.equal(total(m, 'cm_rooms'), 1);
    assert.equal(total(m, 'cm_peers', { role: 'mediator', waiting: 'false' }), 1);
    assert.equal(total(m, 'cm_peers', { role: 'party', waiting: 'true' }), 1);
    assert.ok(samplesOf(m, 'cm_producers').length > 0 && samplesOf(m, 'cm_consumers').length > 0);
    assert.equal(total(m, 'cm_mediasoup_workers'), 1);
    const pid = String(server.app.pool.workers[0]!.pid);
    const cpu = samplesOf(m, 'cm_mediasoup_worker_cpu_seconds_total', { pid });
    assert.equal(cpu.length, 1, `CPU of worker ${pid}`);
    assert.ok(cpu[0]!.value > 0 && cpu[0]!.value < 3600, `worker CPU ${cpu[0]!.value} s`);
    const rss = total(m, 'cm_mediasoup_worker_resident_memory_bytes', { pid });
    assert.ok(rss > 1e6 && rss < 4e9, `worker RSS ${rss}`);
    assert.ok(total(m, 'cm_mediasoup_worker_max_resident_memory_bytes', { pid }) >= rss * 0.5);

    // Joins: two, each timed from the handshake.
    assert.equal(total(m, 'cm_room_join_duration_seconds_count'), 2);
    const joinSum = total(m, 'cm_room_join_duration_seconds_sum');
    assert.ok(joinSum > 0 && joinSum < 60, `join latency sum ${joinSum}`);

    // Socket requests and errors by name.
    assert.equal(total(m, 'cm_socket_requests_total', { request: 'room.join' }), 2);
    assert.equal(total(m, 'cm_socket_requests_total', { request: 'lobby.admit' }), 1);
    assert.equal(total(m, 'cm_socket_request_errors_total', { request: 'lobby.admit', code: 'forbidden' }), 1);
    assert.equal(total(m, 'cm_socket_request_errors_total', { request: 'room.join' }), 0);

    // HTTP latency by route pattern, never by raw path.
    assert.ok(total(m, 'cm_http_request_duration_seconds_count', { method: 'POST', route: '/api/cases', status: '201' }) >= 1);
    assert.ok(total(m, 'cm_http_request_duration_seconds_count', { method: 'GET', route: '/api/cases/:caseId', status: '200' }) >= 1);
    assert.ok(!res.text.includes(caseDetail.id), 'no case id in any label');
    assert.ok(total(m, 'cm_http_request_duration_seconds_sum', { route: '/api/auth/login' }) > 0);

    // Rate-limit refusals, the database and the process.
    assert.ok(total(m, 'cm_rate_limit_refusals_total') >= limited, 'each 429 counted');
    // …under the limiter's own name, not the route's.
    assert.equal(total(m, 'cm_rate_limit_refusals_total', { limiter: 'login per account' }), limited);
    assert.equal(total(m, 'cm_rate_limit_refusals_total', { limiter: 'http POST /api/auth/login' }), 0);
    assert.ok(total(m, 'cm_db_query_duration_seconds_count', { model: 'Case', operation: 'create' }) >= 1);
    assert.ok(total(m, 'cm_db_query_duration_seconds_count', { model: 'User', operation: 'findUnique' }) >= 1);
    assert.ok(samplesOf(m, 'cm_agreement_sealing_duration_seconds_count').length === 1, 'the sealing histogram is exposed');
    assert.ok(total(m, 'process_resident_memory_bytes') > 1e6);
  });
});

describe('without METRICS_TOKEN, with METRICS_LISTEN', () => {
  let server: FullServer;
  before(async () => {
    server = await startFullServer({ env: { METRICS_LISTEN: '127.0.0.1:0' } });
  });
  after(async () => server.close());

  test('the public listener answers 404 (not the client page); the internal listener serves the metrics', async () => {
    const pub = await scrape(`${server.baseUrl}/metrics`);
    assert.equal(pub.status, 404);
    assert.match(pub.type ?? '', /json/);
    const internal = server.app.metricsServer();
    assert.ok(internal, 'the internal listener runs');
    const { address, port } = internal.address() as AddressInfo;
    assert.equal(address, '127.0.0.1');
    const res = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(total(parsePrometheus(res.text), 'cm_mediasoup_workers'), 1);
    assert.equal((await scrape(`http://127.0.0.1:${port}/api/health`)).status, 404, 'only /metrics there');
  });
});
