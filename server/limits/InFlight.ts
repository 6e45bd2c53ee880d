/** Requests in progress per key, capped: a burst for one key waits for nothing, it is refused. */
export class InFlight {
  readonly #count = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** Enters `key` and returns the release function, or undefined when `max` are already in flight. */
  enter(key: string): (() => void) | undefined {
    const n = this.#count.get(key) ?? 0;
    if (n >= this.max) return undefined;
    this.#count.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#count.get(key) ?? 1) - 1;
      if (left <= 0) this.#count.delete(key);
      else this.#count.set(key, left);
    };
  }
}
