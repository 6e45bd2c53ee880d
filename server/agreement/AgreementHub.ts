import type { ClusterBus } from '../cluster/ClusterBus.ts';

/**
 * Fan-out of agreement and record changes to the signalling sockets that follow the case
 * (server/agreement/documentFeed.ts), keyed by case id. A change goes out on the cluster bus,
 * so the listeners of every node hear it, whichever node made the change.
 */
export type HubListener = (event: { type: 'changed'; caseId: string }) => void;

export class AgreementHub {
  readonly #listeners = new Map<string, Set<HubListener>>();
  readonly #bus: ClusterBus;

  constructor(bus: ClusterBus) {
    this.#bus = bus;
    bus.subscribe('agreement.changed', ({ caseId }) => this.#deliver(caseId));
  }

  subscribe(caseId: string, listener: HubListener): () => void {
    let set = this.#listeners.get(caseId);
    if (!set) this.#listeners.set(caseId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(caseId);
    };
  }

  publish(caseId: string): void {
    // A listener that misses one change re-reads on the next; the write itself is committed.
    this.#bus.publish('agreement.changed', { caseId }).catch(() => {});
  }

  #deliver(caseId: string): void {
    for (const l of [...(this.#listeners.get(caseId) ?? [])]) {
      try {
        l({ type: 'changed', caseId });
      } catch {
        /* a broken listener must not stop the others */
      }
    }
  }

  listenerCount(caseId: string): number {
    return this.#listeners.get(caseId)?.size ?? 0;
  }
}
