/**
 * Milestones of a join, as User Timing marks (`cm-join:<phase>`), so the join bench (and the
 * browser's performance panel) can tell where the time between the join click and the first
 * frame goes. A mark costs a few microseconds; nothing reads them in normal use.
 */
export const joinPhases = [
  'socket-connected',
  'join-answered',
  'transports-created',
  'send-connected',
  'recv-connected',
  'admitted',
  /** The first video consumer: answered by the server, set up in the browser, resumed. */
  'consumer-created',
  'consumer-ready',
  'consumer-resumed',
] as const;

export type JoinPhase = (typeof joinPhases)[number];

export const joinMarkPrefix = 'cm-join:';

export function markJoinPhase(phase: JoinPhase): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  performance.mark(`${joinMarkPrefix}${phase}`);
}
