/**
 * A sliding-window counter per key: at most `max` hits per key in any `windowMs`. `take` checks
 * and counts in one atomic step, so a concurrent burst cannot pass the check before any of it is
 * counted. In memory (one process: ./MemoryWindow.ts) or in Redis (every node of a cluster
 * counts against the same windows: ./RedisWindow.ts). Time is the injected Clock's.
 */
export interface SlidingWindow {
  /** Counts one hit unless the key is blocked; resolves to the wait in ms (nothing counted) or 0 (counted). */
  take(key: string): Promise<number>;
  /** Takes back the latest counted hit (it turned out to be a success, or was never evaluated). */
  forgive(key: string): Promise<void>;
  /** Forgets every hit of the key. */
  reset(key: string): Promise<void>;
}

export interface WindowSpec {
  /** Which limit (e.g. `login-account`): windows of different names never share counts. */
  name: string;
  max: number;
  windowMs: number;
}

/** Makes the windows of one composition root: all in memory, or all in the cluster's Redis. */
export type SlidingWindows = (spec: WindowSpec) => SlidingWindow;
