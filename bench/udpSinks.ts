/**
 * Kernel-counted UDP sinks for the benches: sockets held by bench/sinkHolder.ts that nobody reads,
 * and the per-socket drop counters of /proc/net/udp that count what arrived at them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROC_BUF = Buffer.allocUnsafe(8 * 1024 * 1024);

/**
 * Per-socket drop counters (last column of /proc/net/udp), by local 127.0.0.1 port.
 * Read with one big read(): the kernel resumes a /proc/net/udp read by position, so reading it in
 * chunks while other processes open and close sockets can skip or repeat lines.
 */
export function readUdpDrops(): Map<number, number> {
  const out = new Map<number, number>();
  let fd: number | undefined;
  try {
    fd = openSync('/proc/net/udp', 'r');
    let len = 0;
    for (let n = 1; n > 0 && len < PROC_BUF.length; len += n) n = readSync(fd, PROC_BUF, len, PROC_BUF.length - len, null);
    const lines = PROC_BUF.toString('latin1', 0, len).split('\n');
    for (let i = 1; i < lines.length; i++) {
      const cols = lines[i]!.trim().split(/\s+/);
      if (cols.length < 13 || !cols[1]?.startsWith('0100007F:')) continue;
      out.set(parseInt(cols[1].slice(9), 16), Number(cols[cols.length - 1]));
    }
  } catch {
    /* not Linux: no drop counters */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return out;
}

/** Starts bench/sinkHolder.ts and returns its ports (see that file). */
export async function startSinkHolder(count: number, lifetimeMs: number): Promise<{ ports: number[]; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./sinkHolder.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(count), String(Math.round(lifetimeMs))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let buf = '';
    const timeout = setTimeout(() => reject(new Error('sink holder did not start within 20 s')), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink holder exited early (code ${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timeout);
        resolve(JSON.parse(buf.slice(0, nl)) as number[]);
      }
    });
  });
  child.removeAllListeners('exit');
  return { ports, child };
}
