import type { AgreementView } from '@protocol/agreement.ts';
import type { RecordView } from '@protocol/mediationRecord.ts';
import type { SignallingClient } from './SignallingClient.ts';

/**
 * The view to show: a pushed view is dropped when the panel already has a later revision of the
 * same document (an answer to its own save can overtake the push of the save before it).
 */
export function laterOf<V extends { id: string; revision: { number: number } }>(pushed: V | null, current: V | null): V | null {
  if (pushed && current && pushed.id === current.id && pushed.revision.number < current.revision.number) return current;
  return pushed;
}

interface Views {
  agreement: AgreementView | null;
  record: RecordView | null;
}
type Kind = keyof Views;

/**
 * The case's agreement and mediation record as the room's socket pushes them (after joining,
 * after a resumed connection, on every change). It listens from the start of the call and keeps
 * the latest of each, so a panel opened later starts from the current view.
 */
export class CaseDocuments {
  readonly #latest: { [K in Kind]?: Views[K] } = {};
  readonly #watchers: { [K in Kind]: Set<(view: Views[K]) => void> } = { agreement: new Set(), record: new Set() };
  readonly #unsubscribe: Array<() => void>;

  constructor(socket: Pick<SignallingClient, 'on'>) {
    this.#unsubscribe = [
      socket.on('agreement.updated', ({ view }) => this.#set('agreement', view)),
      socket.on('record.updated', ({ view }) => this.#set('record', view)),
    ];
  }

  /** Calls `onView` with the latest view (if one came yet) and with every later one; returns the stop function. */
  watch<K extends Kind>(kind: K, onView: (view: Views[K]) => void): () => void {
    const watchers = this.#watchers[kind];
    watchers.add(onView);
    const latest = this.#latest[kind];
    if (latest !== undefined) onView(latest as Views[K]);
    return () => {
      watchers.delete(onView);
    };
  }

  dispose(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#watchers.agreement.clear();
    this.#watchers.record.clear();
  }

  #set<K extends Kind>(kind: K, view: Views[K]): void {
    this.#latest[kind] = view;
    for (const watcher of [...this.#watchers[kind]]) watcher(view);
  }
}
