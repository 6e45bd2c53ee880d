import type { Worker } from 'mediasoup/types';

/**
 * The media workers' CPU use between two calls, as a share of their capacity (0..1 with one
 * core per worker): user + system time from each worker's getrusage, over the wall time.
 */
export function workerCpuSampler(workers: () => Worker[]): () => Promise<number> {
  let last: { at: number; busyMs: number } | undefined;
  return async () => {
    const live = workers();
    const usages = await Promise.all(live.map((w) => w.getResourceUsage().catch(() => undefined)));
    const busyMs = usages.reduce((sum, u) => sum + (u ? u.ru_utime + u.ru_stime : 0), 0);
    const at = Date.now();
    const previous = last;
    last = { at, busyMs };
    if (!previous || live.length === 0 || at <= previous.at) return 0;
    return Math.max(0, Math.min(1, (busyMs - previous.busyMs) / (at - previous.at) / live.length));
  };
}
