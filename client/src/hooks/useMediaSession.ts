import { useEffect, useState } from 'react';
import type { HandshakeAuth } from '@protocol/signalling.ts';
import { CaseDocuments } from '../services/caseDocuments.ts';
import type { LocalMedia } from '../services/LocalMedia.ts';
import { MediaSession } from '../services/MediaSession.ts';

/** "Join" was pressed (with the answer to the recording notice, if it was asked). */
export interface JoinRequest {
  auth: HandshakeAuth;
  recordingConsent?: boolean;
}

/** The call's session and the case documents its socket pushes. */
export interface Call {
  session: MediaSession;
  documents: CaseDocuments;
}

/**
 * The call: a MediaSession that lives exactly as long as this effect. Made in setup, left in
 * cleanup (the server hears `room.leave`, the socket closes), so a remount (StrictMode rehearses
 * one) leaves the room and joins again with a fresh session: one participant per tab, never a ghost.
 * Null until the effect ran.
 */
export function useMediaSession(request: JoinRequest, local: LocalMedia): Call | null {
  const [call, setCall] = useState<Call | null>(null);

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
    // Listening before the socket connects: the views are pushed once the room is joined.
    const documents = new CaseDocuments(next.notifications);
    setCall({ session: next, documents });
    void next.start();
    return () => {
      offEnded();
      window.removeEventListener('pagehide', onPageHide);
      documents.dispose();
      next.dispose();
      setCall(null);
    };
  }, [request, local]);

  return call;
}
