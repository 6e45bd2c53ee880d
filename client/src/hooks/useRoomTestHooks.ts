import { useEffect } from 'react';
import type { MediaSession } from '../services/MediaSession.ts';
import type { MediaSessionStatus } from '../services/media/sessionState.ts';

/** What end-to-end tests read: `window.__cm` and `document.body.dataset.roomState`. */
export interface CloudMediationTestHooks {
  getStats: () => Promise<Array<Record<string, unknown>>>;
  getState: () => {
    status: MediaSessionStatus;
    selfId: string | null;
    peers: Array<{ id: string; displayName: string; role: string; micOn: boolean; camOn: boolean; hasAudio: boolean; hasVideo: boolean }>;
    local: { micOn: boolean; camOn: boolean };
    place: string | null;
    room: unknown;
  };
}

declare global {
  interface Window {
    __cm?: CloudMediationTestHooks;
  }
}

export function roomStateOf(status: MediaSessionStatus): 'joining' | 'joined' | 'closed' {
  if (status === 'joined') return 'joined';
  if (status === 'closed') return 'closed';
  return 'joining';
}

export function useRoomTestHooks(session: MediaSession, status: MediaSessionStatus): void {
  useEffect(() => {
    document.body.dataset['roomState'] = roomStateOf(status);
  }, [status]);

  useEffect(() => {
    const hooks: CloudMediationTestHooks = {
      getStats: () => session.getStats(),
      getState: () => {
        const s = session.getSnapshot();
        return {
          status: s.status,
          selfId: s.self?.id ?? null,
          peers: s.peers.map((p) => ({
            id: p.info.id,
            displayName: p.info.displayName,
            role: p.info.role,
            micOn: p.micOn,
            camOn: p.camOn,
            hasAudio: p.audioTrack !== null,
            hasVideo: p.videoTrack !== null,
          })),
          local: { micOn: s.local.micOn, camOn: s.local.camOn },
          place: s.room?.self.place ?? null,
          room: s.room,
        };
      },
    };
    window.__cm = hooks;
    return () => {
      if (window.__cm === hooks) delete window.__cm;
      delete document.body.dataset['roomState'];
    };
  }, [session]);
}
