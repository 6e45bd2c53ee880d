import type { Clock } from '../clock.ts';
import type { SlidingWindow, SlidingWindows } from './SlidingWindow.ts';

/**
 * Sliding-window counter per key, in memory (one process). `take` checks and counts with no
 * await in between, so concurrent requests of this process cannot all pass the check before any
 * is counted. Other processes do not see these counts: a cluster uses ./RedisWindow.ts.
 */
export class MemoryWindow implements SlidingWindow {
  readonly #hits = new Map<string, number[]>();
  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  #recent(key: string): number[] {
    const cutoff = this.clock.now().getTime() - this.windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > cutoff);
    if (hits.length === 0) this.#hits.delete(key);
    else this.#hits.set(key, hits);
    return hits;
  }

  /** Milliseconds until the key may try again, or 0 when it may now. */
  #blockedForMs(key: string): number {
    const hits = this.#recent(key);
    if (hits.length < this.max) return 0;
    const oldest = hits[hits.length - this.max] ?? 0;
    return Math.max(1, oldest + this.windowMs - this.clock.now().getTime());
  }

  async take(key: string): Promise<number> {
    const wait = this.#blockedForMs(key);
    if (wait === 0) this.#count(key);
    return wait;
  }

  #count(key: string): void {
    if (!this.#hits.has(key) && this.#hits.size >= this.maxKeys) this.#prune();
    const hits = this.#recent(key);
    hits.push(this.clock.now().getTime());
    this.#hits.set(key, hits);
  }

  async forgive(key: string): Promise<void> {
    const hits = this.#recent(key);
    hits.pop();
    if (hits.length === 0) this.#hits.delete(key);
  }

  async reset(key: string): Promise<void> {
    this.#hits.delete(key);
  }

  #prune(): void {
    for (const key of [...this.#hits.keys()]) this.#recent(key);
    // Still full: forget the oldest keys (Map keeps insertion order).
    for (const key of this.#hits.keys()) {
      if (this.#hits.size < this.maxKeys) break;
      this.#hits.delete(key);
    }
  }
}

/** Today's single-process counters (the default without cluster mode). */
export function memoryWindows(clock: Clock): SlidingWindows {
  return (spec) => new MemoryWindow(clock, spec.max, spec.windowMs);
}
