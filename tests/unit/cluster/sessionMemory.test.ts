import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalSessionMemory } from '../../../server/cluster/SessionMemory.ts';

const DAY = 24 * 3600 * 1000;

test('the local session memory keeps removals and the lead, and forgets a session a day after its last write', async () => {
  let now = Date.parse('2026-12-03T08:00:00Z');
  const memory = new LocalSessionMemory({ now: () => now });
  await memory.addRemoved('s1', 'invitation:a');
  await memory.setLead('s1', 'user:m');
  await memory.addRemoved('s2', 'invitation:b');
  assert.deepEqual(await memory.load('s1'), { removed: ['invitation:a'], lead: 'user:m' });

  now += DAY - 1000;
  await memory.setLead('s2', null); // a write keeps s2 a day longer
  assert.deepEqual(await memory.load('s1'), { removed: ['invitation:a'], lead: 'user:m' }, 'not yet a day');

  now += 2000;
  assert.deepEqual(await memory.load('s1'), { removed: [], lead: null }, 'a day after its last write');
  assert.deepEqual(await memory.load('s2'), { removed: ['invitation:b'], lead: null });
  await memory.addRemoved('s3', 'invitation:c');
  assert.equal(memory.size, 2, 's1 dropped on the next write');
});

test('a session with nothing left to remember takes no entry', async () => {
  const memory = new LocalSessionMemory();
  await memory.setLead('s1', 'user:m');
  await memory.setLead('s1', null);
  assert.equal(memory.size, 0);
});
