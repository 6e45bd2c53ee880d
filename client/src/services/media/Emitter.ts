type Listener = (...args: unknown[]) => void;

/** Typed events for the media services: children tell their owner what happened without knowing it. */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();

  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): () => void {
    const stored = listener as unknown as Listener;
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) listener(...args);
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
