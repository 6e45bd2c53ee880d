import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisClusterBus } from '../../../server/cluster/ClusterBus.ts';
import { leastLoaded, NodeDirectory, type NodeLoad } from '../../../server/cluster/NodeDirectory.ts';
import { RoomPlacement } from '../../../server/cluster/RoomPlacement.ts';
import { createLogger } from '../../../server/logger.ts';
import { startRedis, type RedisServer } from '../../helpers/redisServer.ts';
import { until } from '../../helpers/wait.ts';

/* Room placement and the cluster bus against a real Redis (Debian's redis-server). */

const log = createLogger('test');

describe('room placement in Redis', () => {
  let server: RedisServer;
  const connections: Redis[] = [];
  const directories: NodeDirectory[] = [];
  const connect = () => {
    const r = new Redis(server.url);
    connections.push(r);
    return r;
  };
  /** A node with its own Redis connection; beats every 50 ms, dead 300 ms after its last beat. */
  async function node(id: string, load: NodeLoad = { rooms: 0, peers: 0, cpu: 0 }) {
    const redis = connect();
    const nodes = new NodeDirectory({ redis, self: { id, url: `http://${id}.test` }, load: () => load, log, beatMs: 50, ttlMs: 300 });
    directories.push(nodes);
    await nodes.start();
    return { nodes, placement: new RoomPlacement({ redis, nodes }), load };
  }

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    for (const d of directories) await d.stop().catch(() => {});
    for (const c of connections) c.disconnect();
    await server.stop();
  });

  test('concurrent first joins on two nodes agree on one owner: the least loaded', async () => {
    const a = await node('pa', { rooms: 3, peers: 9, cpu: 0.5 });
    const b = await node('pb', { rooms: 1, peers: 2, cpu: 0.1 });
    const located = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).placement.locate('session-1')));
    assert.deepEqual(new Set(located.map((l) => l.nodeId)), new Set(['pb']));
    assert.equal(located[0]!.url, 'http://pb.test');
    assert.equal((await a.placement.owner('session-1'))?.nodeId, 'pb');
    await a.nodes.stop();
    await b.nodes.stop();
  });

  test('a dead owner is replaced by the next locate; the old owner learns it lost the room', async () => {
    // qa beats once and then falls silent, as a killed node does: its heartbeat expires in 200 ms.
    const redisA = connect();
    const silent = new NodeDirectory({
      redis: redisA,
      self: { id: 'qa', url: 'http://qa.test' },
      load: () => ({ rooms: 0, peers: 0, cpu: 0 }),
      log,
      beatMs: 60_000,
      ttlMs: 200,
    });
    directories.push(silent);
    await silent.start();
    const a = new RoomPlacement({ redis: redisA, nodes: silent });
    const b = await node('qb', { rooms: 5, peers: 5, cpu: 0 });
    assert.equal((await b.placement.locate('session-2')).nodeId, 'qa');
    await until(async () => (await b.placement.owner('session-2')) === null, 'the silent owner to drop out', 3000);
    const moved = await b.placement.locate('session-2');
    assert.equal(moved.nodeId, 'qb');
    assert.equal(moved.takenOverFrom, 'qa');
    assert.deepEqual(await a.renew(['session-2']), ['session-2'], 'qa, back, sees qb holds the room now');
    assert.deepEqual(await b.placement.renew(['session-2']), []);
    await a.release('session-2');
    assert.equal((await b.placement.owner('session-2'))?.nodeId, 'qb', 'a release by a non-owner changes nothing');
    await b.placement.release('session-2');
    assert.equal(await b.placement.owner('session-2'), null);
    await b.nodes.stop();
  });

  test('a heartbeat expires by itself once a node stops beating', async () => {
    const redis = connect();
    const quiet = new NodeDirectory({
      redis,
      self: { id: 'quiet', url: 'http://quiet.test' },
      load: () => ({ rooms: 0, peers: 0, cpu: 0 }),
      log,
      beatMs: 60_000,
      ttlMs: 200,
    });
    await quiet.start(); // one beat, the next a minute away
    const watcher = (await node('watcher')).nodes;
    assert.ok((await watcher.live()).some((n) => n.id === 'quiet'));
    await until(async () => !(await watcher.live()).some((n) => n.id === 'quiet'), 'the silent node to drop out', 3000);
    await quiet.stop();
    await watcher.stop();
  });

  test('a node cut off from Redis for longer than its heartbeat lasts gives its rooms up', async () => {
    const own = await startRedis();
    const redis = new Redis(own.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => {});
    let fenced = 0;
    const cutOff = new NodeDirectory({
      redis,
      self: { id: 'island', url: 'http://island.test' },
      load: () => ({ rooms: 1, peers: 2, cpu: 0 }),
      log,
      beatMs: 50,
      ttlMs: 300,
      onFenced: () => fenced++,
    });
    await cutOff.start();
    assert.equal(fenced, 0);
    await own.stop();
    await until(() => fenced === 1, 'the node to give its rooms up', 5000);
    await cutOff.stop();
    redis.disconnect();
  });

  test('leastLoaded: peers, then rooms, then CPU, then id', () => {
    const n = (id: string, peers: number, rooms: number, cpu: number) => ({ id, url: '', peers, rooms, cpu, at: 0 });
    assert.equal(leastLoaded([n('x', 3, 1, 0), n('y', 2, 5, 0.9)])?.id, 'y');
    assert.equal(leastLoaded([n('x', 2, 2, 0), n('y', 2, 1, 0.9)])?.id, 'y');
    assert.equal(leastLoaded([n('x', 2, 1, 0.2), n('y', 2, 1, 0.1)])?.id, 'y');
    assert.equal(leastLoaded([n('y', 0, 0, 0), n('x', 0, 0, 0)])?.id, 'x');
    assert.equal(leastLoaded([]), undefined);
  });

  test('the bus delivers a typed message to every node and ignores what does not match its schema', async () => {
    const one = await RedisClusterBus.create(connect(), { nodeId: 'one', log });
    const two = await RedisClusterBus.create(connect(), { nodeId: 'two', log });
    const heard: string[] = [];
    one.subscribe('session.ended', ({ sessionId }) => heard.push(`one:${sessionId}`));
    two.subscribe('session.ended', ({ sessionId }) => heard.push(`two:${sessionId}`));
    const raw = connect();
    await raw.publish('cm:bus', JSON.stringify({ name: 'session.ended', data: { sessionId: 42 }, from: 'x' }));
    await raw.publish('cm:bus', JSON.stringify({ name: 'no.such', data: {}, from: 'x' }));
    await raw.publish('cm:bus', 'not json');
    await one.publish('session.ended', { sessionId: 's-9' });
    await until(() => heard.length === 2, 'both nodes to hear it');
    assert.deepEqual(heard.sort(), ['one:s-9', 'two:s-9']);
    await one.close();
    await two.close();
  });
});
