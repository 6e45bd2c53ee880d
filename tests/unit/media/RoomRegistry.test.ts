import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Worker } from 'mediasoup/types';
import { AppError } from '../../../server/errors.ts';
import type { Room } from '../../../server/media/Room.ts';
import { RoomRegistry } from '../../../server/media/RoomRegistry.ts';
import { WorkerPool } from '../../../server/media/WorkerPool.ts';
import { log, makePeer, mediaConfig, nextEvent, record, rejectsWith, until } from './helpers.ts';

let pool: WorkerPool;
let registry: RoomRegistry;

beforeEach(async () => {
  pool = await WorkerPool.create(mediaConfig(2), log);
  registry = new RoomRegistry({ pool, config: mediaConfig(2), log });
});
afterEach(() => {
  registry.closeAll('ended');
  registry.dispose();
  pool.close();
});

async function routerCount(): Promise<number> {
  let n = 0;
  for (const w of pool.workers) n += (await w.dump()).routerIds.length;
  return n;
}

test('concurrent getOrCreate for one session share one room and one router', async () => {
  const rooms = await Promise.all(Array.from({ length: 10 }, () => registry.getOrCreate('s1')));
  assert.equal(new Set(rooms).size, 1);
  assert.equal(await routerCount(), 1);
  assert.equal(await registry.getOrCreate('s1'), rooms[0]);
  assert.equal(registry.get('s1'), rooms[0]);
  assert.equal(registry.get('other'), undefined);

  const [a, b] = await Promise.all([registry.getOrCreate('s2'), registry.getOrCreate('s3')]);
  assert.notEqual(a, b);
  assert.equal(await routerCount(), 3);
  assert.deepEqual(registry.stats(), { rooms: 3, peers: 0 });
});

test('a failed creation does not poison the session', async () => {
  const next = pool.next.bind(pool);
  let fail = true;
  pool.next = () => {
    if (fail) {
      fail = false;
      throw new AppError('unavailable', 'Media server unavailable');
    }
    return next();
  };
  const results = await Promise.allSettled([registry.getOrCreate('s1'), registry.getOrCreate('s1')]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
    'both waiters share the one failed attempt',
  );
  assert.equal(registry.stats().rooms, 0);
  const room = await registry.getOrCreate('s1');
  assert.equal(room.closed, false);
  assert.equal(await routerCount(), 1);
});

test('a room that becomes empty is closed and dropped', async () => {
  const events = record(registry, ['roomCreated', 'roomClosed']);
  const peer = makePeer();
  const room = await registry.addPeer('s1', peer);
  assert.deepEqual(registry.stats(), { rooms: 1, peers: 1 });
  room.join(peer.id, room.rtpCapabilities);
  assert.deepEqual(registry.mediaState('s1'), room.mediaState());
  assert.equal(registry.mediaState('s1').peers.length, 1);
  await room.createWebRtcTransport(peer.id, 'send');

  room.removePeer(peer.id);
  assert.equal(room.closed, true);
  assert.equal(room.router.closed, true);
  assert.equal(registry.get('s1'), undefined);
  assert.deepEqual(registry.stats(), { rooms: 0, peers: 0 });
  assert.deepEqual(events, [
    ['roomCreated', room],
    ['roomClosed', room, 'ended'],
  ]);
  assert.equal(await routerCount(), 0);
  assert.deepEqual(registry.mediaState('s1'), { sessionId: 's1', live: false, peers: [] });

  const again = await registry.getOrCreate('s1');
  assert.notEqual(again, room);
});

test('close(sessionId) and closeAll close and drop rooms, telling peers why', async () => {
  const p1 = makePeer();
  const p2 = makePeer();
  const r1 = await registry.addPeer('s1', p1);
  const r2 = await registry.addPeer('s2', p2);
  const p1Closed = nextEvent(p1, 'closed');
  registry.close('s1', 'session_closed');
  assert.deepEqual(await p1Closed, ['session_closed']);
  assert.equal(r1.closed, true);
  assert.equal(registry.get('s1'), undefined);
  registry.close('nope', 'ended'); // no-op

  registry.closeAll('media_server_restarted');
  assert.equal(r2.closed, true);
  assert.equal(p2.closeReason, 'media_server_restarted');
  assert.deepEqual(registry.stats(), { rooms: 0, peers: 0 });
  assert.equal(await routerCount(), 0);
});

test('close() during creation: the room is closed as soon as it exists and getOrCreate rejects', async () => {
  const pending = registry.getOrCreate('s1');
  registry.close('s1', 'session_closed');
  await rejectsWith('gone', pending);
  assert.equal(registry.stats().rooms, 0);
  assert.equal(await routerCount(), 0);
  assert.equal((await registry.getOrCreate('s1')).closed, false);
});

test('worker death: its rooms close with media_server_restarted and are dropped; pool recovers', async () => {
  const rooms: Room[] = await Promise.all(['a', 'b', 'c', 'd'].map((id) => registry.getOrCreate(id)));
  const peers = new Map(rooms.map((room) => [room, makePeer()]));
  for (const [room, peer] of peers) room.addPeer(peer);
  const victim = pool.workers[0] as Worker;
  const onVictim = rooms.filter((r) => r.worker === victim);
  const elsewhere = rooms.filter((r) => r.worker !== victim);
  assert.ok(onVictim.length > 0 && elsewhere.length > 0, 'rooms are spread over both workers');
  const closedEvents = record(registry, ['roomClosed']);
  const died = nextEvent(pool, 'workerDied');
  const replaced = nextEvent(pool, 'workerReplaced');

  process.kill(victim.pid, 'SIGKILL');
  const [deadWorker] = await died;
  assert.equal(deadWorker, victim);
  for (const room of onVictim) {
    assert.equal(room.closed, true);
    assert.equal(room.closeReason, 'media_server_restarted');
    assert.equal(registry.get(room.sessionId), undefined);
    assert.equal(peers.get(room)?.closeReason, 'media_server_restarted');
  }
  for (const room of elsewhere) assert.equal(registry.get(room.sessionId), room);
  assert.deepEqual(
    closedEvents.map(([, room, reason]) => [(room as Room).sessionId, reason]).sort(),
    onVictim.map((r) => [r.sessionId, 'media_server_restarted']).sort(),
  );
  assert.deepEqual(registry.stats(), { rooms: elsewhere.length, peers: elsewhere.length });

  await replaced;
  assert.equal(pool.size, 2);
  // Rejoining a session that was on the dead worker gets a fresh room on a live worker.
  const fresh = await registry.getOrCreate(onVictim[0]!.sessionId);
  assert.equal(fresh.closed, false);
  assert.ok(pool.workers.includes(fresh.worker));
  await until(() => pool.size === 2, 'pool size to stay at 2');
});
