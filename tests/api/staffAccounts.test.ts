import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WireError } from '../../server/protocol/errors.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { enterRoom, type Member } from '../helpers/room.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';

/*
 * Staff accounts over the real server: changing one's own password ends the user's OTHER logins
 * (their open sockets closed at once, reason `password_changed`) and keeps the current one; an
 * admin disabling an account ends all its logins (reason `account_disabled`) and re-enabling lets
 * the user sign in again, never reviving an old token. Each step is in the audit trail.
 */

const NEW_PASSWORD = 'harbour-lantern-2026';

describe('staff accounts: password change and disabling', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  let adminToken = '';
  let adminId = '';

  before(async () => {
    server = await startFullServer();
    adminId = await server.createUser('acc-admin', 'admin');
    adminToken = (await server.login('acc-admin')).token;
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  /** A mediator (own username) with a case, an open session, and a socket in its room. */
  async function mediatorInRoom(username: string): Promise<{ userId: string; token: string; sessionId: string; member: Member }> {
    const userId = await server.createUser(username, 'mediator');
    const { token } = await server.login(username);
    const created = await server.api('POST', '/api/cases', {
      token,
      body: { disputeType: 'labour', title: '欠薪纠纷', description: '拖欠工资三个月。', parties: [{ side: 'applicant', name: '张三', phone: '13812345678' }] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const session = await server.api('POST', `/api/cases/${created.body.id}/sessions`, { token });
    const member = await enterRoom(server.baseUrl, sockets, { kind: 'staff', token, sessionId: session.body.id });
    return { userId, token, sessionId: session.body.id, member };
  }

  const handshake = (token: string, sessionId: string): Promise<WireError | 'accepted'> =>
    connectSocket(server.baseUrl, { kind: 'staff', token, sessionId }).then(
      (s) => (s.close(), 'accepted' as const),
      (error: { wire?: WireError }) => error.wire ?? { code: 'internal', message: String(error) },
    );
  const login = (username: string, password: string) => server.api('POST', '/api/auth/login', { body: { username, password } });
  const changePassword = (token: string, currentPassword: string, newPassword: string) =>
    server.api('POST', '/api/auth/password', { token, body: { currentPassword, newPassword } });
  const setDisabled = (userId: string, disabled: boolean, token = adminToken) =>
    server.api('PUT', `/api/admin/users/${userId}/disabled`, { token, body: { disabled } });
  const auditRows = (action: string) => server.testDb.db.auditEvent.findMany({ where: { action }, orderBy: { seq: 'asc' } });
  const leaveReasonOf = async (sessionId: string, identity: string) =>
    (await server.testDb.db.sessionParticipation.findFirst({ where: { sessionId, identity, leftAt: { not: null } } }))?.leaveReason;

  test('changing the password closes the other login’s socket at once and refuses its token; this login stays; only the new password signs in', async () => {
    const other = await mediatorInRoom('pw-user');
    const here = await server.login('pw-user');

    const res = await changePassword(here.token, TEST_PASSWORD, NEW_PASSWORD);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { otherLoginsEnded: 1 });

    const closed = await other.member.s.waitFor('room.closed', 3000);
    assert.equal(closed.data.reason, 'password_changed');
    await until(() => !other.member.s.socket.connected, 'the other login’s socket disconnected');
    assert.equal((await server.api('GET', '/api/auth/me', { token: other.token })).status, 401, 'the other login’s token is refused');
    assert.equal(((await handshake(other.token, other.sessionId)) as WireError).code, 'unauthenticated');
    await until(async () => (await leaveReasonOf(other.sessionId, `user:${other.userId}`)) === 'password_changed', 'the participation ended with the reason');

    // The login that changed the password carries on, sockets included.
    assert.equal((await server.api('GET', '/api/auth/me', { token: here.token })).status, 200);
    assert.equal(await handshake(here.token, other.sessionId), 'accepted');

    assert.equal((await login('pw-user', TEST_PASSWORD)).status, 401, 'the old password no longer signs in');
    const fresh = await login('pw-user', NEW_PASSWORD);
    assert.equal(fresh.status, 200, 'the new one does');
    assert.equal(await handshake(fresh.body.token, other.sessionId), 'accepted', 'a login after the change is not caught by the revocation');

    const [row] = (await auditRows('password_changed')).filter((r) => r.userId === other.userId);
    assert.ok(row, 'audited');
    assert.equal(row.actorName, 'pw-user');
    assert.ok(row.ip, 'with the address');
    assert.equal(row.detail, '1', 'how many other logins ended');
  });

  test('the new password follows the policy: field errors with catalogue reasons, nothing changed, no attempt counted', async () => {
    await server.createUser('policy-user', 'mediator');
    const { token } = await server.login('policy-user');
    const cases: Array<[string, string, string, Record<string, unknown> | undefined]> = [
      [TEST_PASSWORD, 'short', 'password_too_short', { min: 8 }],
      [TEST_PASSWORD, 'Policy-User', 'password_is_username', undefined],
      [TEST_PASSWORD, TEST_PASSWORD, 'password_unchanged', undefined],
    ];
    for (const [current, next, reason, params] of cases) {
      const res = await changePassword(token, current, next);
      assert.equal(res.status, 400, `${next}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'bad_request');
      assert.deepEqual(res.body.fields, { newPassword: params ? { reason, params } : { reason } }, next);
    }
    const missing = await server.api('POST', '/api/auth/password', { token, body: { newPassword: NEW_PASSWORD } });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.details?.currentPassword, JSON.stringify(missing.body));
    // More refusals than the failure window allows: none of them was a password attempt.
    for (let i = 0; i < 11; i++) assert.equal((await changePassword(token, TEST_PASSWORD, 'short')).status, 400);
    assert.equal((await login('policy-user', TEST_PASSWORD)).status, 200, 'the password is unchanged, and not limited');
    assert.equal(
      (await server.api('POST', '/api/auth/password', { body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD } })).status,
      401,
      'signed in only',
    );
  });

  test('a wrong current password is a failed attempt: a field error, audited, then 429 with Retry-After (also for logins)', async () => {
    const userId = await server.createUser('guess-user', 'mediator');
    const { token } = await server.login('guess-user');
    for (let i = 0; i < 10; i++) {
      const res = await changePassword(token, `wrong-${i}`, NEW_PASSWORD);
      assert.equal(res.status, 400, `attempt ${i}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body.fields, { currentPassword: { reason: 'password_wrong' } });
    }
    const limited = await server.api('POST', '/api/auth/password', { token, body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD } });
    assert.equal(limited.status, 429, JSON.stringify(limited.body));
    assert.equal(limited.body.reason, 'login_rate_limited');
    const retry = await fetch(`${server.baseUrl}/api/auth/password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }),
    });
    assert.equal(retry.status, 429);
    assert.match(retry.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal((await login('guess-user', TEST_PASSWORD)).status, 429, 'the same limit as the login form');
    assert.equal((await server.api('GET', '/api/auth/me', { token })).status, 200, 'wrong guesses do not end the login');

    const failures = (await auditRows('password_change_failed')).filter((r) => r.userId === userId);
    assert.ok(failures.length >= 10, `failed attempts audited: ${failures.length}`);
    assert.equal(failures[0]!.detail, 'password_wrong');
    assert.equal(failures.at(-1)!.detail, 'login_rate_limited');
  });

  test('disabling an account closes its socket at once, refuses its token and its login; re-enabling lets it sign in, never reviving the old token', async () => {
    const m = await mediatorInRoom('off-user');

    const off = await setDisabled(m.userId, true);
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.disabled, true);
    const closed = await m.member.s.waitFor('room.closed', 3000);
    assert.equal(closed.data.reason, 'account_disabled');
    await until(() => !m.member.s.socket.connected, 'the disabled user’s socket disconnected');
    await until(async () => (await leaveReasonOf(m.sessionId, `user:${m.userId}`)) === 'account_disabled', 'the participation ended with the reason');
    assert.equal((await server.api('GET', '/api/auth/me', { token: m.token })).status, 401);
    assert.equal(((await handshake(m.token, m.sessionId)) as WireError).code, 'unauthenticated');
    const refused = await login('off-user', TEST_PASSWORD);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.reason, 'account_disabled');

    const list = await server.api('GET', '/api/admin/users', { token: adminToken });
    assert.equal(list.status, 200);
    const listed = (list.body as Array<{ id: string; disabled: boolean; username: string }>).find((u) => u.id === m.userId);
    assert.deepEqual(listed && { username: listed.username, disabled: listed.disabled }, { username: 'off-user', disabled: true });
    assert.ok(!JSON.stringify(list.body).includes('scrypt'), 'no password hashes');

    const on = await setDisabled(m.userId, false);
    assert.equal(on.status, 200);
    assert.equal(on.body.disabled, false);
    assert.equal((await server.api('GET', '/api/auth/me', { token: m.token })).status, 401, 'the old login stays ended');
    const back = await login('off-user', TEST_PASSWORD);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(await handshake(back.body.token, m.sessionId), 'accepted', 'a login after re-enabling opens a socket');

    const disabledRow = (await auditRows('account_disabled')).find((r) => r.target === `user:${m.userId}`);
    const enabledRow = (await auditRows('account_enabled')).find((r) => r.target === `user:${m.userId}`);
    for (const row of [disabledRow, enabledRow]) {
      assert.ok(row, 'audited');
      assert.equal(row.userId, adminId, 'by the admin');
      assert.equal(row.detail, 'off-user');
      assert.ok(row.ip);
    }
  });

  test('an admin cannot disable themselves; unknown users are 404, bad bodies 400; other roles are refused', async () => {
    const self = await setDisabled(adminId, true);
    assert.equal(self.status, 409, JSON.stringify(self.body));
    assert.equal(self.body.reason, 'account_self_disable');
    assert.equal((await server.api('GET', '/api/auth/me', { token: adminToken })).status, 200);
    assert.equal((await setDisabled('no-such-user', true)).status, 404);
    const bad = await server.api('PUT', `/api/admin/users/${adminId}/disabled`, { token: adminToken, body: { disabled: 'yes' } });
    assert.equal(bad.status, 400);

    const targetId = await server.createUser('target-user', 'mediator');
    for (const role of ['mediator', 'supervisor', 'official', 'gridworker'] as const) {
      await server.createUser(`acc-${role}`, role);
      const { token } = await server.login(`acc-${role}`);
      assert.equal((await setDisabled(targetId, true, token)).status, 403, role);
      assert.equal((await server.api('GET', '/api/admin/users', { token })).status, 403, role);
    }
    assert.equal((await login('target-user', TEST_PASSWORD)).status, 200, 'still enabled');
  });
});
