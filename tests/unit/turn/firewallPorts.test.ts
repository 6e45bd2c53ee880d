import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firewallPorts } from '../../../server/connectivity/firewallPorts.ts';

/* The ports the pre-join check's failure advice names for a network administrator. */

const mediasoup = { min: 40000, max: 40999 };
const turn = (urls: string[]) => ({ urls, secret: 'x'.repeat(32), ttlSeconds: undefined });

test('one port per worker: those ports over UDP and TCP', () => {
  assert.deepEqual(firewallPorts({ min: 40000, max: 40001 }, null), [
    { protocol: 'udp', min: 40000, max: 40001 },
    { protocol: 'tcp', min: 40000, max: 40001 },
  ]);
});

test('without TURN: the media port range over UDP and TCP', () => {
  assert.deepEqual(firewallPorts(mediasoup, null), [
    { protocol: 'udp', min: 40000, max: 40999 },
    { protocol: 'tcp', min: 40000, max: 40999 },
  ]);
});

test('with TURN: each URL’s port and transport (RFC 7065 defaults), once, none already in the media range', () => {
  const ports = firewallPorts(
    mediasoup,
    turn([
      'turn:turn.example.cn:3478?transport=udp',
      'turn:turn.example.cn:3478?transport=tcp',
      'turns:turn.example.cn:443?transport=tcp',
      'turn:turn.example.cn',
      'turns:[2001:db8::1]',
      'turn:10.0.0.1:40010',
    ]),
  );
  assert.deepEqual(ports.slice(2), [
    { protocol: 'udp', min: 3478, max: 3478 },
    { protocol: 'tcp', min: 3478, max: 3478 },
    { protocol: 'tcp', min: 443, max: 443 },
    { protocol: 'tcp', min: 5349, max: 5349 },
  ]);
});
