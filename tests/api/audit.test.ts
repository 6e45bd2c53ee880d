import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditEventInfo, AuditPage } from '../../server/protocol/audit.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { enterRoom } from '../helpers/room.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';

/*
 * The audit trail on the real server: staff logins (successful and failed), logouts, contact
 * reveals and permission refusals (route permission table, service checks, the socket role
 * table, the socket handshake) are recorded with who, what, when and from where, once each,
 * and only admins read them (GET /api/admin/audit, with filters and pages).
 */

const AGENT = 'audit-test-agent/1.0 (phone)';
let server: FullServer;
const sockets: TestSocket[] = [];

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'user-agent': AGENT };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.baseUrl + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function events(admin: string, query = ''): Promise<AuditEventInfo[]> {
  const res = await call('GET', `/api/admin/audit${query}`, { token: admin });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body as AuditPage).events;
}

before(async () => {
  server = await startFullServer();
});
after(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

test('logins, logouts, contact reveals and refusals over HTTP and sockets are recorded once, with who, what, when and where', async () => {
  await server.createUser('aadmin', 'admin');
  const officialId = await server.createUser('aofficial', 'official', { department: '司法所' });
  const admin = (await server.login('aadmin')).token;

  // Logins: wrong password, unknown user, success.
  assert.equal((await call('POST', '/api/auth/login', { body: { username: 'aofficial', password: 'not-the-password' } })).status, 401);
  assert.equal((await call('POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'whatever-123' } })).status, 401);
  const login = await call('POST', '/api/auth/login', { body: { username: 'aofficial', password: TEST_PASSWORD } });
  assert.equal(login.status, 200);
  const official: string = login.body.token;

  // A refusal by the route permission table (officials do not create cases).
  assert.equal((await call('POST', '/api/cases', { token: official, body: {} })).status, 403);

  // A case; its contact revealed by its lead mediator; refused to another mediator (a service check).
  const { token: mediator, caseDetail, session } = await server.mediatorWithSession();
  const partyId = caseDetail.parties[0]!.id;
  assert.equal((await call('GET', `/api/cases/${caseDetail.id}/parties/${partyId}/contact`, { token: mediator })).status, 200);
  await server.createUser('amed2', 'mediator');
  const other = (await server.login('amed2')).token;
  assert.equal((await call('GET', `/api/cases/${caseDetail.id}/parties/${partyId}/contact`, { token: other })).status, 403);

  // Sockets: a party's mediator-only request (role table); an official's staff handshake (refused).
  await enterRoom(server.baseUrl, sockets, { kind: 'staff', token: mediator, sessionId: session.id });
  const inv = await server.invite(mediator, session.id, { role: 'party', displayName: '张三', partyId });
  const party = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: inv.token });
  const admitted = await party.s.send('lobby.admit', { peerId: party.id });
  assert.equal(admitted.ok, false);
  await assert.rejects(connectSocket(server.baseUrl, { kind: 'staff', token: official, sessionId: session.id }));

  // Logout.
  assert.equal((await call('POST', '/api/auth/logout', { token: official })).status, 204);

  const all = await events(admin, '?limit=200');
  const byAction = (action: string) => all.filter((e) => e.action === action);

  const failed = byAction('login_failed');
  assert.deepEqual(failed.map((e) => e.actorName).sort(), ['aofficial', 'nobody-here']);
  for (const e of failed) {
    assert.equal(e.detail, 'unauthenticated');
    assert.equal(e.actor, null);
    assert.equal(e.ip, '127.0.0.1');
    assert.equal(e.userAgent, AGENT);
  }
  const ok = byAction('login_succeeded').find((e) => e.userId === officialId);
  assert.ok(ok, 'the official login');
  assert.equal(ok.actor, `user:${officialId}`);
  assert.equal(ok.actorRole, 'official');
  assert.equal(ok.userAgent, AGENT);
  assert.ok(Math.abs(Date.parse(ok.at) - Date.now()) < 60_000, 'when');

  const refusals = byAction('permission_refused');
  const route = refusals.filter((e) => e.target === 'POST /api/cases');
  assert.equal(route.length, 1, 'the route refusal, once');
  assert.equal(route[0]!.userId, officialId);
  assert.equal(route[0]!.ip, '127.0.0.1');
  assert.equal(route[0]!.userAgent, AGENT);
  assert.match(route[0]!.detail ?? '', /official/);
  const service = refusals.filter((e) => e.target === `GET /api/cases/${caseDetail.id}/parties/${partyId}/contact`);
  assert.equal(service.length, 1, 'the service refusal, once');
  assert.equal(service[0]!.actorName, 'amed2');
  const socket = refusals.filter((e) => e.target === 'socket lobby.admit');
  assert.equal(socket.length, 1, 'the socket role-table refusal');
  assert.equal(socket[0]!.actor, `invitation:${inv.id}`);
  assert.equal(socket[0]!.actorRole, 'party');
  assert.equal(socket[0]!.ip, '127.0.0.1');
  const handshake = refusals.filter((e) => e.target === 'socket handshake');
  assert.equal(handshake.length, 1, 'the handshake refusal');
  assert.equal(handshake[0]!.userId, officialId);

  const reveal = byAction('contact_revealed');
  assert.equal(reveal.length, 1, 'only the granted reveal');
  assert.equal(reveal[0]!.target, `case:${caseDetail.id} party:${partyId}`);
  assert.equal(reveal[0]!.actorRole, 'mediator');

  const out = byAction('logout');
  assert.equal(out.length, 1);
  assert.equal(out[0]!.userId, officialId);

  // Nothing secret in the trail.
  const json = JSON.stringify(all);
  for (const secret of [TEST_PASSWORD, 'not-the-password', 'whatever-123', official, mediator, inv.token, '13812345678']) {
    assert.ok(!json.includes(secret), `no ${secret.slice(0, 8)}… in the trail`);
  }
});

test('only admins read the trail (a refusal is itself recorded); filters and pages', async () => {
  const admin = (await server.login('aadmin')).token;
  await server.createUser('asup', 'supervisor');
  const sup = (await server.login('asup')).token;
  assert.equal((await call('GET', '/api/admin/audit', { token: sup })).status, 403);
  assert.equal((await call('GET', '/api/admin/audit')).status, 401);
  const refusedRead = await events(admin, `?action=permission_refused&user=asup`);
  assert.equal(refusedRead.length, 1);
  assert.equal(refusedRead[0]!.target, 'GET /api/admin/audit');

  const failedOnly = await events(admin, '?action=login_failed');
  assert.ok(failedOnly.length >= 2 && failedOnly.every((e) => e.action === 'login_failed'));
  const one = await events(admin, '?user=nobody-here');
  assert.deepEqual(
    one.map((e) => e.action),
    ['login_failed'],
  );
  assert.deepEqual(await events(admin, '?ip=10.9.8.7'), []);
  assert.deepEqual(await events(admin, `?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`), []);

  // Pages: newest first, no event twice, all of them in the end.
  const everything = await events(admin, '?limit=200');
  const seen: string[] = [];
  let before: string | null = null;
  do {
    const res = await call('GET', `/api/admin/audit?limit=3${before ? `&before=${before}` : ''}`, { token: admin });
    const page = res.body as AuditPage;
    assert.ok(page.events.length <= 3);
    seen.push(...page.events.map((e) => e.id));
    before = page.next;
  } while (before);
  assert.deepEqual(
    seen,
    everything.map((e) => e.id),
  );
  const times = everything.map((e) => Date.parse(e.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
    'newest first',
  );

  assert.equal((await call('GET', '/api/admin/audit?action=bogus', { token: admin })).status, 400);
  assert.equal((await call('GET', '/api/admin/audit?limit=100000', { token: admin })).status, 400);
});
