import type { types as msTypes } from 'mediasoup-client';
import type { ChatMessageInfo, CloseReason, PeerInfo, RoomStateInfo } from '@protocol/signalling.ts';
import type { SignallingStatus } from '../SignallingClient.ts';
import type { ConsentStep } from '../recording.ts';

export type MediaSessionStatus = 'idle' | 'connecting' | 'joining' | 'joined' | 'reconnecting' | 'closed';

/** Why the session ended: the server's close reason, or what happened on this side. */
export type EndReason = CloseReason | 'left' | 'refused' | 'disconnected' | 'error' | 'recording_left';

export interface RemotePeer {
  info: PeerInfo;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  /** The peer publishes a microphone / camera (paused or not). */
  hasMic: boolean;
  hasCam: boolean;
  micOn: boolean;
  camOn: boolean;
  /** Evidence shown by screen sharing, if any. */
  screenTrack: MediaStreamTrack | null;
}

export interface LocalMediaState {
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  micOn: boolean;
  camOn: boolean;
}

/** A short-lived problem the UI should mention (a device that could not be opened, etc.). */
export type MediaNotice =
  | 'mic-unavailable'
  | 'camera-unavailable'
  | 'publish-failed'
  | 'muted-mediator'
  | 'muted-caucus_return'
  | 'muted-rights_revoked'
  | 'camera-stopped'
  | 'consent-failed'
  | null;

export interface MediaSessionState {
  status: MediaSessionStatus;
  signalling: SignallingStatus;
  self: PeerInfo | null;
  peers: RemotePeer[];
  local: LocalMediaState;
  transports: { send: msTypes.ConnectionState | null; recv: msTypes.ConnectionState | null };
  endReason: EndReason | null;
  error: { code: string; message: string } | null;
  /** Reconnecting because the room moved to another server node (a node stopped or failed), not our network. */
  movingNode: boolean;
  notice: MediaNotice;
  /** Waiting room, caucus, lock, pause, roster (mediators), hands: as the server says. */
  room: RoomStateInfo | null;
  chat: ChatMessageInfo[];
  activeSpeaker: string | null;
  /** Upload quality of visible peers, 0..10. */
  quality: Record<string, number>;
  /** The mediator asked this participant to unmute (they decide). */
  unmuteRequested: boolean;
  /** Why the mediator ended it, for `denied`. */
  endMessage: string | null;
  screenOn: boolean;
  /** The recording notice (see recording.ts): whether it must be shown, is being answered, was confirmed here. */
  consent: ConsentStep;
}

export function samePeers(a: RemotePeer[], b: RemotePeer[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((p, i) => {
    const q = b[i]!;
    return (
      p.info === q.info &&
      p.audioTrack === q.audioTrack &&
      p.videoTrack === q.videoTrack &&
      p.hasMic === q.hasMic &&
      p.hasCam === q.hasCam &&
      p.micOn === q.micOn &&
      p.camOn === q.camOn &&
      p.screenTrack === q.screenTrack
    );
  });
}

export function sameLocal(a: LocalMediaState, b: LocalMediaState): LocalMediaState {
  return a.audioTrack === b.audioTrack && a.videoTrack === b.videoTrack && a.micOn === b.micOn && a.camOn === b.camOn ? a : b;
}
