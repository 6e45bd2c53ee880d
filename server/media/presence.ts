import { isHost, type ParticipantRole } from '../protocol/roles.ts';

/**
 * Room-level state of one peer connection. The Room that holds the peer owns and changes it;
 * the Peer only carries it (it never decides anything from it).
 */
export interface PeerPresence {
  /** In the waiting room: sees and is seen by nobody, may not publish or consume. */
  waiting: boolean;
  /** ms since epoch when the peer started waiting (null when not waiting). */
  waitingSince: number | null;
  /** The socket is up; false during a short drop (connection-state recovery window). */
  connected: boolean;
  handRaised: boolean;
  canPublish: boolean;
  canShare: boolean;
}

/** Publishing rights a role starts with; the mediator may grant or revoke them later. */
export function defaultPresence(role: ParticipantRole): PeerPresence {
  return {
    waiting: false,
    waitingSince: null,
    connected: true,
    handRaised: false,
    canPublish: role !== 'observer',
    canShare: isHost(role) || role === 'official',
  };
}
