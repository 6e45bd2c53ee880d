import type { MediaSource, ProducerInfo } from '@protocol/signalling.ts';

/** Every source a participant may publish, in the order they are (re)published. */
export const publishSources = ['mic', 'webcam', 'screen'] as const satisfies readonly MediaSource[];

export interface PublishState {
  /** May publish now (admitted, with publishing rights). */
  allowed: boolean;
  /** Sources the user wants on the wire: a live track (sent paused when switched off). */
  wanted: Record<MediaSource, boolean>;
  /** Producers this device holds, by source (open ones only). */
  local: Partial<Record<MediaSource, string>>;
  /** The caller's producers as the server has them; null when not known (then none is assumed lost). */
  server: readonly Pick<ProducerInfo, 'id' | 'source'>[] | null;
}

export type PublishAction =
  /** The server no longer has it (closed while we were away), or it is no longer wanted or allowed: forget it here. */
  | { type: 'dropLocal'; source: MediaSource }
  /** A producer on the server that this device does not hold (an answer lost in a drop) or no longer wants. */
  | { type: 'closeOnServer'; producerId: string }
  | { type: 'produce'; source: MediaSource };

/**
 * What to do so that the producers match what the user wants: the same answer however often it
 * is asked, so it runs after every (re)join, recovery, admission and failed attempt.
 */
export function planPublishing(state: PublishState): PublishAction[] {
  const actions: PublishAction[] = [];
  const onServer = state.server === null ? null : new Set(state.server.map((p) => p.id));
  for (const source of publishSources) {
    let localId = state.local[source];
    if (localId !== undefined && onServer !== null && !onServer.has(localId)) {
      actions.push({ type: 'dropLocal', source });
      localId = undefined;
    }
    const want = state.allowed && state.wanted[source];
    const closing = new Set<string>();
    if (!want && localId !== undefined) {
      actions.push({ type: 'dropLocal', source });
      // Not allowed: the server closed it already. Not wanted: tell the server.
      if (state.allowed) closing.add(localId);
      localId = undefined;
    }
    // Allowed or not, the server keeps at most the one producer this device holds for the source.
    for (const p of state.server ?? []) if (p.source === source && p.id !== localId) closing.add(p.id);
    for (const producerId of closing) actions.push({ type: 'closeOnServer', producerId });
    if (want && localId === undefined) actions.push({ type: 'produce', source });
  }
  return actions;
}
