import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../server/config.ts';

/* TURN is off unless both TURN_URLS and TURN_SECRET are set; half a configuration is refused, by name. */

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-turn-config-'));
const SECRET = 'north-gate-coturn-shared-secret-2026-0123456789';
const URLS = 'turn:turn.example.org:3478?transport=udp, turn:turn.example.org:3478?transport=tcp,turns:turn.example.org:443?transport=tcp';

const refusal = (env: Record<string, string | undefined>) => {
  try {
    loadConfig({ DATA_DIR: dataDir, ...env });
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('started');
};

test('no TURN setting: no TURN (the default)', () => {
  assert.equal(loadConfig({ DATA_DIR: dataDir }).turn, null);
});

test('TURN_URLS and TURN_SECRET: the URLs listed, the secret, no cap unless TURN_TTL_SECONDS', () => {
  assert.deepEqual(loadConfig({ DATA_DIR: dataDir, TURN_URLS: URLS, TURN_SECRET: SECRET }).turn, {
    urls: ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:443?transport=tcp'],
    secret: SECRET,
    ttlSeconds: undefined,
  });
  const capped = loadConfig({ DATA_DIR: dataDir, TURN_URLS: 'turn:10.0.0.5', TURN_SECRET: SECRET, TURN_TTL_SECONDS: '86400' }).turn;
  assert.deepEqual(capped, { urls: ['turn:10.0.0.5'], secret: SECRET, ttlSeconds: 86400 });
  assert.deepEqual(loadConfig({ DATA_DIR: dataDir, TURN_URLS: 'turn:[2001:db8::5]:3478', TURN_SECRET: SECRET }).turn?.urls, ['turn:[2001:db8::5]:3478']);
});

test('one without the other is refused, naming what is missing', () => {
  assert.match(refusal({ TURN_URLS: URLS }), /TURN_SECRET: coturn's static-auth-secret/);
  assert.match(refusal({ TURN_SECRET: SECRET }), /TURN_URLS: the turn:\/turns: URLs/);
  assert.match(refusal({ TURN_TTL_SECONDS: '3600' }), /TURN_TTL_SECONDS: set TURN_URLS and TURN_SECRET too/);
});

test('a short secret, a URL that is not turn:/turns: (or carries credentials), or a silly TTL is refused', () => {
  assert.match(refusal({ TURN_URLS: URLS, TURN_SECRET: 'short' }), /TURN_SECRET: TURN_SECRET must be at least 32 bytes/);
  for (const bad of [
    'stun:turn.example.org:3478',
    'https://turn.example.org',
    'turn:user:pass@turn.example.org',
    'turn:turn.example.org:3478?transport=sctp',
    ' , ',
  ]) {
    assert.match(refusal({ TURN_URLS: bad, TURN_SECRET: SECRET }), /TURN_URLS/, bad);
  }
  assert.match(refusal({ TURN_URLS: URLS, TURN_SECRET: SECRET, TURN_TTL_SECONDS: '5' }), /TURN_TTL_SECONDS/);
});
