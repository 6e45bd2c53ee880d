import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { TokenService } from '../../server/auth/tokens.ts';
import { hashPassword, verifyPassword } from '../../server/auth/passwords.ts';
import { ManualClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/httpServer.ts';

let t: TestServer;

before(async () => {
  t = await startTestServer();
  await t.createUser('mediator1', 'mediator', undefined, { displayName: '王调解员' });
  await t.createUser('supervisor1', 'supervisor');
  await t.createUser('ratelimited', 'mediator');
  await t.createUser('disabled1', 'mediator');
  await t.testDb.db.user.update({ where: { username: 'disabled1' }, data: { disabled: true } });
});
after(async () => t.close());

/** A token signed with the real secret, for hand-made claims. */
function sign(payload: object, options: jwt.SignOptions = {}, secret = TEST_SECRET): string {
  return jwt.sign(payload, secret, { algorithm: 'HS256', ...options });
}
const nowS = () => Math.floor(t.clock.now().getTime() / 1000);

async function sessionIdOf(token: string): Promise<string> {
  const decoded = jwt.decode(token) as jwt.JwtPayload;
  assert.ok(decoded.jti);
  return decoded.jti;
}

describe('passwords', () => {
  test('scrypt encoding and verification', async () => {
    const h = await hashPassword('秘密-password');
    const parts = h.split('$');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['scrypt', '32768', '8', '1']);
    assert.equal(Buffer.from(parts[4]!, 'base64url').length, 16);
    assert.equal(await verifyPassword('秘密-password', h), true);
    assert.equal(await verifyPassword('wrong', h), false);
    assert.notEqual(await hashPassword('秘密-password'), h, 'salted');
  });
  test('malformed stored hashes never match and never throw', async () => {
    for (const bad of ['', 'plain', 'scrypt$1$8$1$aaaa$bbbb', 'scrypt$99999999$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA', 'bcrypt$x$y$z$a$b']) {
      assert.equal(await verifyPassword('x', bad), false, bad);
    }
  });
});

describe('login', () => {
  test('correct password → token, expiry and user', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: { username: 'mediator1', password: 'correct-horse-battery' } });
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.token, 'string');
    assert.equal(res.body.user.username, 'mediator1');
    assert.equal(res.body.user.displayName, '王调解员');
    assert.equal(res.body.user.role, 'mediator');
    assert.equal(res.body.user.passwordHash, undefined);
    const expected = new Date(t.clock.now().getTime() + t.config.staffSessionSeconds * 1000).toISOString();
    assert.equal(res.body.expiresAt, expected);
    const claims = jwt.decode(res.body.token, { complete: true })!;
    assert.equal(claims.header.alg, 'HS256');
    const p = claims.payload as jwt.JwtPayload;
    assert.equal(p.aud, 'cm:staff');
    assert.equal(p.iss, t.config.jwt.issuer);
    const row = await t.testDb.db.staffSession.findUnique({ where: { id: p.jti! } });
    assert.ok(row, 'jti is the StaffSession id');

    const me = await t.request('GET', '/api/auth/me', { token: res.body.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, res.body.user);
  });

  test('wrong password and unknown user give the same 401', async () => {
    const wrong = await t.request('POST', '/api/auth/login', { body: { username: 'mediator1', password: 'nope' } });
    const unknown = await t.request('POST', '/api/auth/login', { body: { username: 'nobody', password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.code, 'unauthenticated');
  });

  test('missing fields → bad_request with field details', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: { username: '' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad_request');
    assert.equal(res.body.details.username, 'Username is required');
    assert.ok(res.body.details.password);
  });

  test('malformed JSON → 400 bad_request, not 500', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: '{"username":' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad_request');
  });

  test('disabled account cannot log in', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: { username: 'disabled1', password: 'correct-horse-battery' } });
    assert.equal(res.status, 403);
  });

  test('rate limit: 10 failures per username+IP in 10 minutes → too_many_requests', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await t.request('POST', '/api/auth/login', { body: { username: 'ratelimited', password: `bad-${i}` } });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const blocked = await t.request('POST', '/api/auth/login', { body: { username: 'ratelimited', password: 'correct-horse-battery' } });
    assert.equal(blocked.status, 429, 'even the right password is refused while blocked');
    assert.equal(blocked.body.code, 'too_many_requests');
    // Another user from the same IP is not affected.
    await t.login('supervisor1');
    t.clock.advance(10 * 60_000 + 1000);
    await t.login('ratelimited');
  });
});

describe('staff token checks', () => {
  test('no token / garbage / wrong scheme → 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer' }, { authorization: 'Basic abc' }, { authorization: 'Bearer not.a.jwt' }] as Record<
      string,
      string
    >[]) {
      const res = await t.request('GET', '/api/cases', { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.body.code, 'unauthenticated');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
  });

  test('expired token → token expired', async () => {
    const { token } = await t.login('mediator1');
    t.clock.advance(t.config.staffSessionSeconds * 1000 + 1000);
    const res = await t.request('GET', '/api/auth/me', { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.message, 'token expired');
  });

  test('token without exp → refused (the library would accept it)', async () => {
    const { token } = await t.login('mediator1');
    const decoded = jwt.decode(token) as jwt.JwtPayload;
    const noExp = sign({ sub: decoded.sub, iat: nowS() }, { issuer: t.config.jwt.issuer, audience: 'cm:staff', jwtid: decoded.jti! });
    assert.equal((jwt.decode(noExp) as jwt.JwtPayload).exp, undefined);
    const res = await t.request('GET', '/api/auth/me', { token: noExp });
    assert.equal(res.status, 401);
    assert.equal(res.body.message, 'token has no expiry');
  });

  test('token without jti, iss or with the wrong audience → refused', async () => {
    const { token } = await t.login('mediator1');
    const d = jwt.decode(token) as jwt.JwtPayload;
    const base = { sub: d.sub, iat: nowS(), exp: nowS() + 3600 };
    const cases: Array<[string, string]> = [
      [sign(base, { issuer: t.config.jwt.issuer, audience: 'cm:staff' }), 'token has no id'],
      [sign(base, { audience: 'cm:staff', jwtid: d.jti! }), 'token issuer mismatch'],
      [sign(base, { issuer: 'someone-else', audience: 'cm:staff', jwtid: d.jti! }), 'token issuer mismatch'],
      [sign(base, { issuer: t.config.jwt.issuer, audience: 'cm:invitation', jwtid: d.jti! }), 'token is for another audience'],
      [sign(base, { issuer: t.config.jwt.issuer, jwtid: d.jti! }), 'token is for another audience'],
    ];
    for (const [bad, message] of cases) {
      const res = await t.request('GET', '/api/auth/me', { token: bad });
      assert.equal(res.status, 401, message);
      assert.equal(res.body.message, message);
    }
  });

  test('alg none, HS512 and another secret → refused', async () => {
    const { token } = await t.login('mediator1');
    const d = jwt.decode(token) as jwt.JwtPayload;
    const claims = { sub: d.sub, jti: d.jti, iss: t.config.jwt.issuer, aud: 'cm:staff', iat: nowS(), exp: nowS() + 3600 };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const hs512 = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS512' });
    const otherSecret = jwt.sign(claims, 'another-secret-that-is-long-enough-0123456789', { algorithm: 'HS256' });
    // Sanity: the same claims with the right key and algorithm work.
    const good = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256' });
    assert.equal((await t.request('GET', '/api/auth/me', { token: good })).status, 200);
    for (const [bad, label] of [
      [none, 'none'],
      [hs512, 'HS512'],
      [otherSecret, 'other secret'],
    ] as const) {
      const res = await t.request('GET', '/api/auth/me', { token: bad });
      assert.equal(res.status, 401, label);
      assert.equal(res.body.code, 'unauthenticated');
    }
  });

  test('logout revokes the session: the same token is refused afterwards', async () => {
    const { token } = await t.login('mediator1');
    assert.equal((await t.request('GET', '/api/cases', { token })).status, 200);
    const out = await t.request('POST', '/api/auth/logout', { token });
    assert.equal(out.status, 204);
    const row = await t.testDb.db.staffSession.findUnique({ where: { id: await sessionIdOf(token) } });
    assert.ok(row?.revokedAt);
    const res = await t.request('GET', '/api/cases', { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.message, 'session has been logged out');
  });

  test('a user disabled after login is refused', async () => {
    const id = await t.createUser('tobedisabled', 'mediator');
    const { token } = await t.login('tobedisabled');
    await t.testDb.db.user.update({ where: { id }, data: { disabled: true } });
    assert.equal((await t.request('GET', '/api/auth/me', { token })).status, 401);
  });

  test('an invitation-audience token is not a staff token', async () => {
    const tokens = new TokenService({ secret: TEST_SECRET, issuer: t.config.jwt.issuer, clock: t.clock });
    const inv = tokens.signInvitation({ invitationId: 'x', sessionId: 'y', role: 'party', expiresAt: new Date(t.clock.now().getTime() + 60_000) });
    const res = await t.request('GET', '/api/auth/me', { token: inv });
    assert.equal(res.status, 401);
    assert.equal(res.body.message, 'token is for another audience');
  });
});

describe('secrets', () => {
  test('TokenService refuses a secret shorter than 32 bytes', () => {
    const clock = new ManualClock();
    assert.throws(() => new TokenService({ secret: 'x'.repeat(31), issuer: 'i', clock }), /at least 32 bytes/);
    assert.throws(() => new TokenService({ secret: '', issuer: 'i', clock }), /at least 32 bytes/);
    assert.doesNotThrow(() => new TokenService({ secret: 'x'.repeat(32), issuer: 'i', clock }));
  });
  test('config refuses a short JWT_SECRET', () => {
    assert.throws(() => loadConfig({ DATA_DIR: t.testDb.dataDir, JWT_SECRET: 'short' }), /at least 32 bytes/);
  });
});
