import type { AddressInfo } from 'node:net';
import { AppError } from '../../server/errors.ts';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Refusal } from '../../server/access/refusals.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { ManualClock } from '../../server/clock.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createHttpApp } from '../../server/http/app.ts';
import type { HttpHooks } from '../../server/http/deps.ts';
import { newId } from '../../server/ids.ts';
import { createLogger, setLogLevel } from '../../server/logger.ts';
import type { LoginResponse } from '../../server/protocol/api.ts';
import type { StaffRole } from '../../server/protocol/roles.ts';
import { createServices, type Services } from '../../server/services.ts';
import { createTestDb, type TestDb } from './testDb.ts';
import type { Redis } from 'ioredis';
import { RedisClusterBus } from '../../server/cluster/ClusterBus.ts';
import { connectRedis } from '../../server/cluster/redis.ts';
import { openDb } from '../../server/db/client.ts';
import type { Logger } from '../../server/logger.ts';
import { startRedis } from './redisServer.ts';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const PUBLIC_URL = 'https://tiaojie.example.cn';

export interface HookCalls {
  sessionEnded: string[];
  invitationRevoked: string[];
}

export interface TestServer {
  baseUrl: string;
  app: Express;
  config: Config;
  clock: ManualClock;
  services: Services;
  testDb: TestDb;
  hookCalls: HookCalls;
  /** Every access refusal the server recorded (server/access/refusals.ts), in order. */
  refusals: Refusal[];
  /** fetch relative to the server, JSON in and out. */
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  /** Creates a staff user directly in the database (fast path for tests). */
  createUser(username: string, role: StaffRole, password?: string, extra?: { displayName?: string; department?: string }): Promise<string>;
  login(username: string, password?: string): Promise<LoginResponse>;
  close(): Promise<void>;
}

const DEFAULT_PASSWORD = 'correct-horse-battery';
let cachedHash: Promise<string> | undefined;

export async function startTestServer(
  options: {
    clock?: ManualClock;
    /** Overrides of the test configuration; `undefined` removes a default (e.g. JWT_SECRET, to use the data directory's). */
    env?: Record<string, string | undefined>;
    /** An existing data directory and database instead of a fresh one (it is removed by close()). */
    testDb?: TestDb;
  } = {},
): Promise<TestServer> {
  setLogLevel('silent');
  const testDb = options.testDb ?? (await createTestDb());
  const clock = options.clock ?? new ManualClock('2026-03-02T09:00:00+08:00');
  const config = loadConfig({
    DATA_DIR: testDb.dataDir,
    DATABASE_URL: testDb.databaseUrl,
    JWT_SECRET: TEST_SECRET,
    PUBLIC_URL: PUBLIC_URL,
    LOG_LEVEL: 'silent',
    MEDIASOUP_WORKERS: '1',
    // Each worker's WebRtcServer on a free port: test servers run side by side.
    RTC_PORT: '0',
    ...options.env,
  });
  const log = createLogger('test');
  const refusals: Refusal[] = [];
  // TEST_NODES=2 (with TEST_DATABASE=postgresql): a second node on the same database and a shared
  // Redis, with its own connection pool; requests alternate between the two.
  const second = process.env.TEST_NODES === '2' ? await secondNodeOf(config, testDb, clock, log) : undefined;
  const services = createServices({ config: second?.configA ?? config, db: testDb.db, clock, log, refusals: (r) => void refusals.push(r), ...second?.depsA });
  const hookCalls: HookCalls = { sessionEnded: [], invitationRevoked: [] };
  const hooks: HttpHooks = {
    onSessionEnded: (id) => void hookCalls.sessionEnded.push(id),
    onInvitationRevoked: (id) => void hookCalls.invitationRevoked.push(id),
    mediaState: (sessionId) => ({ sessionId, live: false, peers: [] }),
    mediaCapabilities: () => Promise.reject(new AppError('unavailable', 'No media server in the HTTP-only test server')),
    health: () => ({ status: 'ok', nodeId: null, workers: 1, rooms: 0, peers: 0, database: true, redis: null, uptimeSeconds: 1, version: 'test' }),
  };
  const app = createHttpApp({ config, db: testDb.db, clock, log, services, hooks });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const secondServer = second ? await second.listen(hooks) : undefined;
  let turn = 0;
  /** The node this request goes to: alternately the first and the second (TEST_NODES=2). */
  const nodeUrl = () => (secondServer && turn++ % 2 === 1 ? secondServer.baseUrl : baseUrl);

  const request: TestServer['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(nodeUrl() + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed, text, headers: res.headers };
  };

  const createUser: TestServer['createUser'] = async (username, role, password, extra = {}) => {
    const passwordHash = password === undefined ? await (cachedHash ??= hashPassword(DEFAULT_PASSWORD)) : await hashPassword(password);
    const id = newId();
    await testDb.db.user.create({
      data: { id, username, role, passwordHash, displayName: extra.displayName ?? `${role} ${username}`, department: extra.department ?? null },
    });
    return id;
  };

  const login: TestServer['login'] = async (username, password = DEFAULT_PASSWORD) => {
    const res = await request('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
    return res.body as LoginResponse;
  };

  return {
    baseUrl,
    app,
    config,
    clock,
    services,
    testDb,
    hookCalls,
    refusals,
    request,
    createUser,
    login,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await secondServer?.close();
      await second?.close();
      await testDb.cleanup();
    },
  };
}

/** The cluster settings of two nodes, a second node's services on its own pool, and the shared Redis (TEST_NODES=2). */
async function secondNodeOf(config: Config, testDb: TestDb, clock: ManualClock, log: Logger) {
  if (testDb.provider !== 'postgresql') throw new Error('TEST_NODES=2 needs TEST_DATABASE=postgresql');
  const redisServer = await startRedis();
  const cluster = (nodeId: string): Config => ({ ...config, cluster: { redisUrl: redisServer.url, nodeId, nodeUrl: `http://${nodeId}.test` } });
  const connections: Redis[] = [];
  const nodeDeps = async (nodeId: string) => {
    const redis = await connectRedis(redisServer.url, log, `test-${nodeId}`);
    connections.push(redis);
    return { redis, bus: await RedisClusterBus.create(redis, { nodeId, log }) };
  };
  const depsA = await nodeDeps('a');
  const depsB = await nodeDeps('b');
  const dbB = openDb(testDb.databaseUrl);
  const configB = cluster('b');
  const servicesB = createServices({ config: configB, db: dbB, clock, log, ...depsB });
  return {
    configA: cluster('a'),
    depsA,
    async listen(hooks: HttpHooks) {
      const app = createHttpApp({ config: configB, db: dbB, clock, log, services: servicesB, hooks });
      const server: Server = await new Promise((resolve) => {
        const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
      });
      return {
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        async close() {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
    async close() {
      await depsA.bus.close();
      await depsB.bus.close();
      for (const c of connections) c.disconnect();
      await dbB.$disconnect();
      await redisServer.stop();
    },
  };
}
