/** One item's outcome in a group commit: its own value or its own error. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: callers submit one item each and get their own result, while the items of one
 * key that arrive while that key's previous write is running are written together by the next
 * one (one transaction and one commit for many). Per key, writes run one at a time, in arrival
 * order, at most `maxBatch` items each; different keys write independently.
 *
 * Why: a commit on SQLite is a synchronous fsync on the event loop, and each transaction costs
 * Node several query round trips; 200 people entering at once were 200 of each.
 */
export class GroupCommit<I, O> {
  readonly #queues = new Map<string, Array<Waiting<I, O>>>();
  readonly #write: (key: string, items: I[]) => Promise<Array<ItemResult<O>>>;
  readonly #maxBatch: number;
  readonly #gatherMs: number;

  /**
   * `write` gets one key's items and returns one result per item, in the same order; if it
   * throws, every item fails with that error. Each write waits `gatherMs` after its first item
   * for more to arrive (0: only what came in while the previous write ran).
   */
  constructor(write: (key: string, items: I[]) => Promise<Array<ItemResult<O>>>, options: { maxBatch?: number; gatherMs?: number } = {}) {
    this.#write = write;
    this.#maxBatch = options.maxBatch ?? 100;
    this.#gatherMs = options.gatherMs ?? 0;
  }

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const queue = this.#queues.get(key);
      if (queue) {
        queue.push({ item, resolve, reject });
        return;
      }
      this.#queues.set(key, [{ item, resolve, reject }]);
      // Started after this tick, so what is submitted in the same tick goes in the first write too.
      queueMicrotask(() => void this.#drain(key));
    });
  }

  async #drain(key: string): Promise<void> {
    const queue = this.#queues.get(key)!;
    while (queue.length > 0) {
      if (this.#gatherMs > 0 && queue.length < this.#maxBatch) await new Promise((resolve) => setTimeout(resolve, this.#gatherMs));
      const batch = queue.splice(0, this.#maxBatch);
      let results: Array<ItemResult<O>>;
      try {
        results = await this.#write(
          key,
          batch.map((w) => w.item),
        );
        if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      } catch (error) {
        results = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((w, i) => {
        const result = results[i]!;
        if (result.ok) w.resolve(result.value);
        else w.reject(result.error);
      });
    }
    this.#queues.delete(key);
  }
}
