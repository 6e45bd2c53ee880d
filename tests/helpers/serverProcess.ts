import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort.ts';
import { until } from './wait.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the exit (the log's last lines included). */
  stop(): Promise<void>;
}

/**
 * The real server as operators run it (`node --import tsx server/main.ts`), on 127.0.0.1, with
 * its own environment; waits for its "listening" log line. The database must be migrated.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      MEDIASOUP_WORKERS: '1',
      // Each worker's WebRtcServer on a free port: test servers run side by side.
      RTC_PORT: '0',
      RTC_LISTEN_IP: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited = false;
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    await until(
      () => out.includes('Cloud Mediation is listening') || exited,
      () => `the server to listen; its output:\n${out.slice(-2000)}`,
      60_000,
      50,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (exited) throw new Error(`the server exited at start-up:\n${out}`);
  return {
    baseUrl,
    child,
    output: () => out,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}
