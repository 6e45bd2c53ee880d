import path from 'node:path';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger, setLogLevel } from '../../server/logger.ts';
import { freePort } from './freePort.ts';
import { FULL_TEST_SECRET, serverHelpers, type ServerHelpers } from './fullServer.ts';
import { startRedis, type RedisServer } from './redisServer.ts';
import { createTestDb, type TestDb } from './testDb.ts';

export interface ClusterNode extends ServerHelpers {
  id: string;
  app: App;
  baseUrl: string;
}

export interface ClusterApps {
  nodes: ClusterNode[];
  node(id: string): ClusterNode;
  redis: RedisServer;
  testDb: TestDb;
  /** Stops one node as a deploy would (SIGTERM path): leaves the directory, rooms closed with 'reconnect'. */
  stopNode(id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Several nodes in one test process: real servers (each its own mediasoup worker, socket.io and
 * HTTP listener) in cluster mode on one PostgreSQL database and one Redis, both started here.
 * For the socket and API layer; browser tests use separate processes behind nginx
 * (tests/helpers/clusterTopology.ts).
 */
export async function startClusterApps(ids: readonly string[] = ['a', 'b']): Promise<ClusterApps> {
  setLogLevel((process.env.TEST_LOG_LEVEL as 'debug' | undefined) ?? 'silent');
  const testDb = await createTestDb('postgresql');
  const redis = await startRedis();
  const nodes: ClusterNode[] = [];
  const stopped = new Set<string>();
  try {
    let rtcPort = 42000;
    for (const id of ids) {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const config = loadConfig({
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: baseUrl,
        DATA_DIR: path.join(testDb.dataDir),
        DATABASE_URL: testDb.databaseUrl,
        JWT_SECRET: FULL_TEST_SECRET,
        LOG_LEVEL: 'silent',
        MEDIASOUP_WORKERS: '1',
        // Each worker's WebRtcServer on a free port: test servers run side by side.
        RTC_PORT: '0',
        RTC_LISTEN_IP: '127.0.0.1',
        RTC_MIN_PORT: String(rtcPort),
        RTC_MAX_PORT: String(rtcPort + 199),
        REDIS_URL: redis.url,
        NODE_ID: id,
        NODE_URL: baseUrl,
      });
      rtcPort += 200;
      const app = await createApp(config, { log: createLogger(`node-${id}`) });
      await app.listen();
      nodes.push({ id, app, baseUrl, ...serverHelpers(baseUrl, testDb) });
    }
  } catch (error) {
    for (const n of nodes) await n.app.close().catch(() => {});
    await redis.stop();
    await testDb.cleanup();
    throw error;
  }
  const node = (id: string) => {
    const found = nodes.find((n) => n.id === id);
    if (!found) throw new Error(`no node ${id}`);
    return found;
  };
  return {
    nodes,
    node,
    redis,
    testDb,
    async stopNode(id) {
      if (stopped.has(id)) return;
      stopped.add(id);
      await node(id).app.close();
    },
    async close() {
      for (const n of nodes) if (!stopped.has(n.id)) await n.app.close().catch(() => {});
      await redis.stop();
      await testDb.cleanup();
    },
  };
}
