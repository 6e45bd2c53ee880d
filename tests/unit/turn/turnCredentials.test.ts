import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iceServer } from '../../../server/protocol/signalling.ts';
import { iceServersFor, turnPassword, turnUsername } from '../../../server/signalling/turnCredentials.ts';

/* TURN REST credentials: coturn's use-auth-secret recomputes the same password from the username. */

const SECRET = 'north-gate-coturn-shared-secret-2026-0123456789';
const now = new Date('2026-01-01T00:00:00Z');

test('the password is base64(HMAC-SHA1(secret, username)): RFC 2202 test case 2 and an openssl-computed TURN username', () => {
  // RFC 2202 §3, test case 2: HMAC-SHA1 of "what do ya want for nothing?" under "Jefe" is effcdf6a…259a7c79.
  assert.equal(turnPassword('Jefe', 'what do ya want for nothing?'), Buffer.from('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79', 'hex').toString('base64'));
  assert.equal(turnPassword('Jefe', 'what do ya want for nothing?'), '7/zfauXrL6LSdBbV8YTfnCWafHk=');
  // printf %s '1767225600:invitation:3fKq9ZxV2bN7mLpQ1wE4tA' | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
  assert.equal(turnPassword(SECRET, '1767225600:invitation:3fKq9ZxV2bN7mLpQ1wE4tA'), '2wA20L4JshD1I5PaAgx5S5s4BJE=');
});

test('the username is <expiry>:<identity>, the expiry the login or invitation end, capped by TURN_TTL_SECONDS', () => {
  const ends = new Date('2026-01-03T12:00:00.900Z');
  assert.equal(turnUsername('user:u1', ends, now, undefined), `${Math.floor(ends.getTime() / 1000)}:user:u1`);
  // A cap shorter than the login wins; a longer one never extends it.
  assert.equal(turnUsername('user:u1', ends, now, 3600), `${now.getTime() / 1000 + 3600}:user:u1`);
  assert.equal(turnUsername('user:u1', ends, now, 30 * 24 * 3600), `${Math.floor(ends.getTime() / 1000)}:user:u1`);
});

test('one RTCIceServer per participant with every configured URL, valid by the protocol schema, never outliving its login', () => {
  const urls = ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'];
  const expiresAt = new Date(now.getTime() + 72 * 3600_000);
  const [server, ...rest] = iceServersFor({ urls, secret: SECRET, ttlSeconds: undefined }, { identity: 'invitation:inv-1', expiresAt }, now);
  assert.equal(rest.length, 0);
  assert.ok(server);
  assert.deepEqual(iceServer.parse(server), server);
  assert.deepEqual(server.urls, urls);
  const [expiry, ...identity] = server.username.split(':');
  assert.equal(identity.join(':'), 'invitation:inv-1');
  assert.ok(Number(expiry) <= expiresAt.getTime() / 1000);
  assert.equal(server.credential, turnPassword(SECRET, server.username));
  // Another participant, another credential; another secret, another password.
  const other = iceServersFor({ urls, secret: SECRET, ttlSeconds: undefined }, { identity: 'invitation:inv-2', expiresAt }, now)[0]!;
  assert.notEqual(other.credential, server.credential);
  assert.notEqual(turnPassword(SECRET + 'x', server.username), server.credential);
});
