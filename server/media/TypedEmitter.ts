import { createLogger } from '../logger.ts';

const log = createLogger('media:events');

/** Event name → listener argument tuple. */
export type EventMap<E> = { [K in keyof E]: unknown[] };
export type Listener<A extends unknown[]> = (...args: A) => void;

interface Entry {
  /** Stored untyped; `on`/`emit` keep listeners and arguments of one event in step. */
  fn: unknown;
  once: boolean;
}

/**
 * A small typed event emitter. Like mediasoup's `safeEmit`, a throwing listener is logged
 * and does not stop the other listeners nor the emitter's own close sequence.
 * There is no special `error` event.
 */
export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Entry[]>();

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    return this.#add(event, fn, false);
  }

  once<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    return this.#add(event, fn, true);
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    const i = list.findIndex((e) => e.fn === fn);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const entry of [...list]) {
      if (entry.once) this.#remove(event, entry);
      try {
        (entry.fn as Listener<E[K]>)(...args);
      } catch (error) {
        log.error('event listener threw', { event: String(event), error });
      }
    }
    return true;
  }

  #remove(event: keyof E, entry: Entry): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  #add<K extends keyof E>(event: K, fn: Listener<E[K]>, once: boolean): this {
    const list = this.#listeners.get(event) ?? [];
    list.push({ fn, once });
    this.#listeners.set(event, list);
    return this;
  }
}
