import { tooManyRequests } from '../errors.ts';
import { countRateLimitRefusal } from '../metrics/rateLimit.ts';

/**
 * Runs expensive work (password hashing) at most `concurrency` at a time, with at most `maxQueued`
 * waiting; beyond that the work is refused at once (429), so a burst of requests cannot pin
 * every core or pile up memory. One gate is shared by every caller in the process.
 */
export class WorkGate {
  #running = 0;
  readonly #queue: Array<() => void> = [];
  #started = 0;
  #refused = 0;

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
    private readonly retryAfterMs = 1000,
  ) {}

  /** How many pieces of work have started since the gate was made. */
  get started(): number {
    return this.#started;
  }

  /** How many were refused because the queue was full. */
  get refused(): number {
    return this.#refused;
  }

  /** Runs `work` when a slot is free; throws too_many_requests when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#queue.length >= this.maxQueued) {
        this.#refused++;
        countRateLimitRefusal('password hashing queue full');
        throw tooManyRequests('The server is busy; try again in a moment', this.retryAfterMs);
      }
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#running++;
    }
    this.#started++;
    try {
      return await work();
    } finally {
      const next = this.#queue.shift();
      // The slot passes straight to the next in line (the running count stays), or is freed.
      if (next) next();
      else this.#running--;
    }
  }
}
