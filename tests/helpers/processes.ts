import { readFileSync, rmSync } from 'node:fs';
import { until } from './wait.ts';

/** True while the process exists and has not exited (a zombie, exited but not yet reaped, counts as gone). */
export function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until the process is gone (polled: an unref'd child's exit event may never come). */
export function gone(pid: number, what: string, ms = 10_000): Promise<void> {
  return until(() => !alive(pid), `${what} (pid ${pid}) to exit`, ms, 20);
}

/** A helper daemon of the tests (Redis, coturn) ends: SIGKILL by PID, wait until it is gone, remove its temp dir. */
export async function killAndClean(pid: number, what: string, dir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await gone(pid, what);
  rmSync(dir, { recursive: true, force: true });
}
