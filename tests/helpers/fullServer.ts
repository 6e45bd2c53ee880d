import path from 'node:path';
import { hashPassword } from '../../server/auth/passwords.ts';
import { createApp, type App } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';
import type { ConnectivityProbesOptions } from '../../server/connectivity/ConnectivityProbes.ts';
import { loadConfig } from '../../server/config.ts';
import { newId } from '../../server/ids.ts';
import { createLogger, setLogLevel } from '../../server/logger.ts';
import type { CaseDetail, CreateCaseRequest } from '../../server/protocol/cases.ts';
import type { InvitationInfo, LoginResponse, MediationSessionInfo, CreateInvitationRequest } from '../../server/protocol/api.ts';
import type { StaffRole } from '../../server/protocol/roles.ts';
import { snapshotClient } from './clientSnapshot.ts';
import { freePort } from './freePort.ts';
import { createTestDb, type TestDb } from './testDb.ts';

export const FULL_TEST_SECRET = 'full-server-test-secret-0123456789-abcdefghij';
export const TEST_PASSWORD = 'correct-horse-battery';

export interface FullServer {
  app: App;
  baseUrl: string;
  testDb: TestDb;
  api<T = any>(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  createUser(username: string, role: StaffRole, extra?: { displayName?: string; department?: string }): Promise<string>;
  login(username: string): Promise<LoginResponse>;
  /** A mediator with a case, an open session and their token: the usual starting point. */
  mediatorWithSession(input?: Partial<CreateCaseRequest>): Promise<{
    token: string;
    caseDetail: CaseDetail;
    session: MediationSessionInfo;
  }>;
  invite(token: string, sessionId: string, input: CreateInvitationRequest): Promise<InvitationInfo & { url: string; token: string }>;
  close(): Promise<void>;
}

export const sampleCase: CreateCaseRequest = {
  disputeType: 'labour',
  title: '工地欠薪纠纷',
  description: '申请人称在被申请人工地务工三个月，工资 18000 元未结清。',
  parties: [
    { side: 'applicant', name: '张三', phone: '13812345678' },
    { side: 'respondent', name: '某某建筑公司', phone: '13987654321' },
  ],
};

let passwordHash: Promise<string> | undefined;

/** The real server: real mediasoup workers, real socket.io, real SQLite in a temp dir, on 127.0.0.1. */
export async function startFullServer(
  options: {
    clock?: Clock;
    workers?: number;
    /** The address it listens on and names in links (default 127.0.0.1). */
    host?: string;
    env?: Record<string, string>;
    signallingTiming?: { pingIntervalMs?: number; pingTimeoutMs?: number; recoveryMs?: number };
    /** Connectivity probe lifetime and limits. */
    connectivity?: ConnectivityProbesOptions;
    /** A built client to serve instead of a snapshot of client/dist (e.g. a development build). */
    clientDir?: string;
  } = {},
): Promise<FullServer> {
  setLogLevel((process.env.TEST_LOG_LEVEL as 'debug' | undefined) ?? 'silent');
  const testDb = await createTestDb();
  const port = await freePort();
  const host = options.host ?? '127.0.0.1';
  const config = loadConfig({
    HOST: host,
    PORT: String(port),
    PUBLIC_URL: `http://${host}:${port}`,
    DATA_DIR: testDb.dataDir,
    DATABASE_URL: testDb.databaseUrl,
    JWT_SECRET: FULL_TEST_SECRET,
    LOG_LEVEL: 'silent',
    MEDIASOUP_WORKERS: String(options.workers ?? 1),
    // Each worker's WebRtcServer on a free port: test servers run side by side.
    RTC_PORT: '0',
    RTC_LISTEN_IP: '127.0.0.1',
    ...options.env,
  });
  // A private, complete copy of the built client: a concurrent `vite build` cannot pull it away mid-test.
  const clientDir = options.clientDir ?? (await snapshotClient(path.join(testDb.dataDir, 'client-dist')));
  const app = await createApp(config, {
    ...(clientDir ? { clientDir } : {}),
    clock: options.clock,
    log: createLogger('test'),
    ...(options.signallingTiming ? { signallingTiming: options.signallingTiming } : {}),
    ...(options.connectivity ? { connectivity: options.connectivity } : {}),
  });
  await app.listen();
  const baseUrl = app.url();

  const helpers = serverHelpers(baseUrl, testDb);

  return {
    app,
    baseUrl,
    testDb,
    ...helpers,
    async close() {
      await app.close();
      await testDb.cleanup();
    },
  };
}

/** What a test does with a running server through its HTTP API and database (in-process or a child process). */
export type ServerHelpers = Pick<FullServer, 'api' | 'createUser' | 'login' | 'mediatorWithSession' | 'invite'>;

export function serverHelpers(baseUrl: string, testDb: TestDb): ServerHelpers {
  const api: FullServer['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const createUser: FullServer['createUser'] = async (username, role, extra = {}) => {
    passwordHash ??= hashPassword(TEST_PASSWORD);
    const id = newId();
    await testDb.db.user.create({
      data: {
        id,
        username,
        role,
        displayName: extra.displayName ?? username,
        department: extra.department ?? null,
        passwordHash: await passwordHash,
      },
    });
    return id;
  };

  const login: FullServer['login'] = async (username) => {
    const res = await api<LoginResponse>('POST', '/api/auth/login', { body: { username, password: TEST_PASSWORD } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  let mediators = 0;
  const mediatorWithSession: FullServer['mediatorWithSession'] = async (input = {}) => {
    const username = `mediator${++mediators}`;
    await createUser(username, 'mediator', { displayName: `调解员${mediators}` });
    const { token } = await login(username);
    const created = await api<CaseDetail>('POST', '/api/cases', { token, body: { ...sampleCase, ...input } });
    if (created.status !== 201) throw new Error(`case: ${created.status} ${JSON.stringify(created.body)}`);
    const started = await api<MediationSessionInfo>('POST', `/api/cases/${created.body.id}/sessions`, { token });
    if (started.status !== 201 && started.status !== 200) throw new Error(`session: ${started.status}`);
    return { token, caseDetail: created.body, session: started.body };
  };

  const invite: FullServer['invite'] = async (token, sessionId, input) => {
    const res = await api<InvitationInfo>('POST', `/api/sessions/${sessionId}/invitations`, { token, body: input });
    if (res.status !== 201 || !res.body.url) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
    const fragment = new URL(res.body.url).hash;
    const invitationToken = new URLSearchParams(fragment.slice(1)).get('t');
    if (!invitationToken) throw new Error(`no token in ${res.body.url}`);
    return { ...res.body, url: res.body.url, token: invitationToken };
  };

  return { api, createUser, login, mediatorWithSession, invite };
}
