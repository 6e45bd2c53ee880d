/**
 * A minimal external store: an immutable snapshot plus listeners.
 * Matches React's useSyncExternalStore contract (subscribe / getSnapshot) without depending on React.
 */
export class Store<T> {
  #state: T;
  readonly #listeners = new Set<() => void>();

  constructor(initial: T) {
    this.#state = initial;
  }

  getSnapshot = (): T => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  protected setState(next: T | ((previous: T) => T)): void {
    const value = typeof next === 'function' ? (next as (previous: T) => T)(this.#state) : next;
    if (Object.is(value, this.#state)) return;
    this.#state = value;
    for (const listener of [...this.#listeners]) listener();
  }
}

/** A store whose state anyone may set; for small shared values (language, route, auth). */
export class ValueStore<T> extends Store<T> {
  set(next: T | ((previous: T) => T)): void {
    this.setState(next);
  }
}
