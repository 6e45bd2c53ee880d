/** Small measuring helpers shared by the benches: percentiles, rounding, CPU time from /proc. */
import { readFileSync } from 'node:fs';

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(n: number, digits = 1): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** All cores' busy and total time from the first line of /proc/stat (clock ticks). */
export function readMachineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Online CPUs as /proc/stat counts them (what the machine-busy figure is relative to). */
export function cpuCount(): number {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    return stat.split('\n').filter((l) => /^cpu\d+ /.test(l)).length || 1;
  } catch {
    return 1;
  }
}

/** A process's user + system CPU time in clock ticks (/proc/<pid>/stat); 0 when it is gone. */
export function readProcessCpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime 14, stime 15 (1-based) → indices 11 and 12 here.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
