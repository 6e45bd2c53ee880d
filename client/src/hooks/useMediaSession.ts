import { useEffect, useState } from 'react';
import type { HandshakeAuth } from '@protocol/signalling.ts';
import type { LocalMedia } from '../services/LocalMedia.ts';
import { MediaSession } from '../services/MediaSession.ts';

/** "Join" was pressed (with the answer to the recording notice, if it was asked). */
export interface JoinRequest {
  auth: HandshakeAuth;
  recordingConsent?: boolean;
}

/**
 * The call: a MediaSession that lives exactly as long as this effect. Made in setup, left in
 * cleanup (the server hears `room.leave`, the socket closes), so a remount (StrictMode rehearses
 * one) leaves the room and joins again with a fresh session: one participant per tab, never a ghost.
 * Null until the effect ran.
 */
export function useMediaSession(request: JoinRequest, local: LocalMedia): MediaSession | null {
  const [session, setSession] = useState<MediaSession | null>(null);

  useEffect(() => {
    const next = new MediaSession({
      auth: request.auth,
      ...local.lend(),
      acquireTrack: local.acquire,
      ...(request.recordingConsent === undefined ? {} : { recordingConsent: request.recordingConsent }),
    });
    // Ended (by the server, a refusal, leaving): the devices go off too while the end screen shows.
    const offEnded = next.subscribe(() => {
      if (next.getSnapshot().status === 'closed') local.dispose();
    });
    const onPageHide = () => next.dispose();
    window.addEventListener('pagehide', onPageHide);
    setSession(next);
    void next.start();
    return () => {
      offEnded();
      window.removeEventListener('pagehide', onPageHide);
      next.dispose();
      setSession(null);
    };
  }, [request, local]);

  return session;
}
