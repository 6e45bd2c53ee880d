import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './freePort.ts';
import { FULL_TEST_SECRET, serverHelpers, type ServerHelpers } from './fullServer.ts';
import { createTestDb, type TestDb } from './testDb.ts';
import { until } from './wait.ts';

/**
 * The real server as a child process (`node server/main.ts`), so a test can SIGKILL it like a
 * crash and start it again on the same port with the same DATA_DIR and database.
 */
export interface ChildServer extends ServerHelpers {
  baseUrl: string;
  testDb: TestDb;
  /** The running process's pid (changes on restart). */
  readonly pid: number;
  /** Starts the server (again) and waits until it answers /api/health. */
  start(): Promise<void>;
  /** kill -9, and waits until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a planned restart), and waits until the process is gone. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

const mainFile = path.resolve(import.meta.dirname, '../../server/main.ts');

export async function startChildServer(options: { env?: Record<string, string> } = {}): Promise<ChildServer> {
  const testDb = await createTestDb();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    DATA_DIR: testDb.dataDir,
    DATABASE_URL: testDb.databaseUrl,
    JWT_SECRET: FULL_TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    MEDIASOUP_WORKERS: '1',
    // Each worker's WebRtcServer on a free port: test servers run side by side.
    RTC_PORT: '0',
    RTC_LISTEN_IP: '127.0.0.1',
    DEMO: 'false',
    ...options.env,
  };
  let child: ChildProcess | undefined;
  let output = '';

  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const server: ChildServer = {
    ...serverHelpers(baseUrl, testDb),
    baseUrl,
    testDb,
    get pid() {
      return child?.pid ?? 0;
    },
    async start() {
      output = '';
      const proc = spawn(process.execPath, ['--import', 'tsx', mainFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      await until(
        async () => {
          if (proc.exitCode !== null) throw new Error(`the server exited with ${proc.exitCode}: ${output}`);
          return fetch(`${baseUrl}/api/health`).then(
            (res) => res.ok,
            () => false,
          );
        },
        () => `the server to answer /api/health; its output: ${output}`,
        60_000,
        100,
      );
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGTERM');
      await exited(proc);
    },
    async close() {
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited(proc);
      }
      await testDb.cleanup();
    },
  };
  await server.start();
  return server;
}
