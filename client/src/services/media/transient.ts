import { RequestError } from '../SignallingClient.ts';

/** Worth another try: lost answers, dropped sockets, server hiccups, a conflict that the next plan resolves. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof RequestError)) return true;
  return error.code === 'timeout' || error.code === 'disconnected' || error.code === 'internal' || error.code === 'unavailable' || error.code === 'conflict';
}

/** The socket dropped: the reconnection takes over (rejoins, reconciles, consumes again). */
export function isDisconnected(error: unknown): boolean {
  return error instanceof RequestError && error.code === 'disconnected';
}
