import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConnectivityProbe } from '../../server/protocol/connectivity.ts';
import { iceServer } from '../../server/protocol/signalling.ts';
import { turnPassword } from '../../server/signalling/turnCredentials.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { until } from '../helpers/wait.ts';

/*
 * The pre-join connectivity probe over HTTP, on the real server (real worker): who may open one,
 * what a bad body gets, that a probe closes by itself, on DELETE and when its caller opens another,
 * that nobody sees it in the room, and the per-caller limit. ICE and DTLS through it are proven
 * in Chromium (tests/e2e/connectivity-check.test.ts).
 */

const TTL_MS = 600;
const PER_CALLER = 4;
let server: FullServer;
let mediator: string;
let party: string;
let sessionId: string;

before(async () => {
  server = await startFullServer({ connectivity: { ttlMs: TTL_MS, perCaller: { max: PER_CALLER, windowMs: 600_000 } } });
  const m = await server.mediatorWithSession();
  mediator = m.token;
  sessionId = m.session.id;
  party = (await server.invite(mediator, sessionId, { role: 'party', displayName: '张三', side: 'applicant' })).token;
});
after(async () => server?.close());

const open = (token?: string, body: unknown = {}) =>
  server.api<ConnectivityProbe & { code?: string }>('POST', '/api/connectivity/probe', { ...(token ? { token } : {}), body });

test('without a token, with a bad one, or with a role that enters no room: refused before any media work', async () => {
  assert.equal((await open()).status, 401);
  assert.equal((await open('not-a-token')).status, 401);
  await server.createUser('admin1', 'admin');
  const admin = (await server.login('admin1')).token;
  const refused = await open(admin);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 'forbidden');
  assert.equal(server.app.connectivity.size, 0);
  // Someone else's probe id is unknown to a stranger too.
  const connect = await server.api('POST', '/api/connectivity/probe/anything/connect', { body: { dtlsParameters: {} } });
  assert.equal(connect.status, 401);
});

test('an invitation opens a probe: router capabilities, an SCTP-enabled transport; nobody in the room sees it', async () => {
  const res = await open(party);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const probe = res.body;
  assert.ok(probe.probeId);
  assert.ok(probe.routerRtpCapabilities.codecs?.some((c) => c.mimeType === 'audio/opus'));
  assert.ok(probe.transport.iceCandidates.some((c) => c.protocol === 'udp'));
  assert.ok(probe.transport.iceCandidates.some((c) => c.protocol === 'tcp'));
  assert.ok(probe.transport.sctpParameters.MIS > 0, 'SCTP is on');
  assert.equal(probe.transport.iceServers, undefined, 'no TURN configured, no iceServers');
  assert.equal(probe.expiresInMs, TTL_MS);
  const media = await server.api('GET', `/api/sessions/${sessionId}/media`, { token: mediator });
  assert.deepEqual(media.body.peers, [], 'the party is not in the room (nor its waiting room)');
  assert.equal(server.app.rooms.stats().peers, 0);
  await until(() => !server.app.connectivity.has(probe.probeId), 'the probe to close itself');
  const late = await server.api('POST', `/api/connectivity/probe/${probe.probeId}/connect`, {
    token: party,
    body: { dtlsParameters: probe.transport.dtlsParameters },
  });
  assert.equal(late.status, 404);
});

test('bad bodies: field errors, nothing opened', async () => {
  const extra = await open(mediator, { sessionId: 'x' });
  assert.equal(extra.status, 400);
  const probe = (await open(mediator)).body;
  const url = `/api/connectivity/probe/${probe.probeId}`;
  const badDtls = await server.api('POST', `${url}/connect`, { token: mediator, body: { dtlsParameters: { fingerprints: [] } } });
  assert.equal(badDtls.status, 400);
  assert.equal(badDtls.body.code, 'bad_request');
  assert.ok('dtlsParameters' in badDtls.body.details, JSON.stringify(badDtls.body));
  const badStream = await server.api('POST', `${url}/data-producer`, { token: mediator, body: { sctpStreamParameters: { streamId: 70000 } } });
  assert.equal(badStream.status, 400);
  assert.ok('sctpStreamParameters.streamId' in badStream.body.details, JSON.stringify(badStream.body));
  // Not the caller's own: as unknown as a closed one.
  const foreign = await server.api('DELETE', url, { token: party });
  assert.equal(foreign.status, 404);
  assert.ok(server.app.connectivity.has(probe.probeId));
  const own = await server.api('DELETE', url, { token: mediator });
  assert.equal(own.status, 204);
  assert.ok(!server.app.connectivity.has(probe.probeId));
});

test('a caller has one probe at a time, and a limited number per window (429 with Retry-After)', async () => {
  const other = (await server.invite(mediator, sessionId, { role: 'party', displayName: '李四', side: 'respondent' })).token;
  const ids: string[] = [];
  for (let i = 0; i < PER_CALLER; i++) {
    const res = await open(other);
    assert.equal(res.status, 201, `probe ${i + 1}: ${JSON.stringify(res.body)}`);
    ids.push(res.body.probeId);
    assert.deepEqual(
      ids.filter((id) => server.app.connectivity.has(id)),
      [res.body.probeId],
      'a new probe replaces the caller’s previous one',
    );
  }
  const res = await fetch(`${server.baseUrl}/api/connectivity/probe`, {
    method: 'POST',
    headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 429);
  assert.equal(((await res.json()) as { code: string }).code, 'too_many_requests');
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  // Another caller is not affected.
  assert.equal((await open(party)).status, 201);
});

test('with TURN: the probe carries the TURN servers with a credential for the caller that ends with the probe', async () => {
  const secret = 'probe-api-test-coturn-secret-0123456789-abcdef';
  const urls = ['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'];
  const turnServer = await startFullServer({
    env: { TURN_URLS: urls.join(','), TURN_SECRET: secret, RTC_PORT_MODE: 'range', RTC_MIN_PORT: '40100', RTC_MAX_PORT: '40199' },
  });
  try {
    const { token, session } = await turnServer.mediatorWithSession();
    const inv = await turnServer.invite(token, session.id, { role: 'party', displayName: '王五', side: 'applicant' });
    const before = Math.floor(Date.now() / 1000);
    const res = await turnServer.api<ConnectivityProbe>('POST', '/api/connectivity/probe', { token: inv.token, body: {} });
    assert.equal(res.status, 201);
    const ice = iceServer.parse(res.body.transport.iceServers?.[0]);
    assert.deepEqual(ice.urls, urls);
    const [expiry, ...identity] = ice.username.split(':');
    assert.equal(identity.join(':'), `invitation:${inv.id}`, 'the identity the room gives the same person');
    // Default probe lifetime 25 s, plus a minute's grace: not the invitation's days.
    assert.ok(Number(expiry) >= before + 25 && Number(expiry) <= before + 25 + 60 + 5, `expiry ${Number(expiry) - before} s from now`);
    assert.equal(ice.credential, turnPassword(secret, ice.username));
    assert.deepEqual(res.body.ports, [
      { protocol: 'udp', min: 40100, max: 40199 },
      { protocol: 'tcp', min: 40100, max: 40199 },
      { protocol: 'udp', min: 3478, max: 3478 },
      { protocol: 'tcp', min: 443, max: 443 },
    ]);
    assert.equal(res.body.node, null, 'one node');
  } finally {
    await turnServer.close();
  }
});

test('closing the server closes its probes', async () => {
  const probe = (await open(mediator)).body;
  assert.ok(server.app.connectivity.has(probe.probeId));
  server.app.connectivity.close();
  assert.equal(server.app.connectivity.size, 0);
  assert.equal((await open(mediator)).status, 503);
});
