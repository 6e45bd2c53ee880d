import { useEffect, useState, type ReactNode } from 'react';
import type { HandshakeAuth } from '@protocol/signalling.ts';
import type { ParticipantRole } from '@protocol/roles.ts';
import { LocalMedia } from '../services/LocalMedia.ts';
import { MediaSession } from '../services/MediaSession.ts';
import { PreJoin } from './PreJoin.tsx';
import { Room } from './Room.tsx';

interface Props {
  auth: HandshakeAuth;
  displayName: string;
  role: ParticipantRole;
  roleLabel: string;
  /** Shown above the pre-join screen and in the room's top bar. */
  heading: ReactNode;
  /** Extra actions on the end screen (e.g. back to the case for staff). */
  endActions?: ReactNode;
  /** Rendered around the pre-join screen (the page frame). */
  frame: (content: ReactNode) => ReactNode;
}

/** Pre-join (device check) → room → end screen, and back to pre-join on "rejoin". */
export function MediaCall({ auth, displayName, role, roleLabel, heading, endActions, frame }: Props) {
  const [attempt, setAttempt] = useState(0);
  const [local, setLocal] = useState<LocalMedia | null>(null);
  const [session, setSession] = useState<MediaSession | null>(null);

  // Devices for the pre-join screen; a fresh LocalMedia per attempt.
  useEffect(() => {
    if (session) return;
    const media = new LocalMedia();
    setLocal(media);
    void media.start();
    return () => media.dispose();
  }, [attempt, session]);

  // Leave the room when the page goes away.
  useEffect(() => {
    if (!session) return;
    const onPageHide = () => session.dispose();
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      session.dispose();
    };
  }, [session]);

  const join = () => {
    if (!local) return;
    const tracks = local.handOver();
    const next = new MediaSession({ auth, ...tracks, acquireTrack: local.acquire });
    setSession(next);
    void next.start();
  };

  const rejoin = () => {
    setSession(null);
    setAttempt((n) => n + 1);
  };

  if (session) {
    return (
      <Room
        session={session}
        heading={heading}
        selfName={displayName}
        selfRole={role}
        selfRoleLabel={roleLabel}
        onRejoin={rejoin}
        endActions={endActions}
      />
    );
  }
  if (!local) return frame(null);
  return frame(<PreJoin local={local} displayName={displayName} roleLabel={roleLabel} onJoin={join} />);
}
