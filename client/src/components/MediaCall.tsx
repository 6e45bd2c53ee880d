import { useEffect, useState, type ReactNode } from 'react';
import type { HandshakeAuth } from '@protocol/signalling.ts';
import { isHost, type ParticipantRole } from '@protocol/roles.ts';
import type { RecordingState } from '@protocol/recording.ts';
import type { SessionKind } from '@protocol/api.ts';
import { RoomKindProvider } from '../i18n/roomWording.tsx';
import { LocalMedia } from '../services/LocalMedia.ts';
import type { CaseDocuments } from '../services/caseDocuments.ts';
import type { MediaSession } from '../services/MediaSession.ts';
import { useMediaSession, type JoinRequest } from '../hooks/useMediaSession.ts';
import { preloadDevice } from '../services/devicePreload.ts';
import { PreJoin } from './PreJoin.tsx';
import { Room } from './Room.tsx';
import { AgreementPanel, sessionIdOfInvitation } from './agreement/AgreementPanel.tsx';
import { useAT } from './agreement/i18n.ts';
import { RecordPanel } from './mediationRecord/RecordPanel.tsx';
import { useStore } from '../hooks/useStore.ts';
import type { PartyContext } from './EndNextSteps.tsx';

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
  /** Case summary beside the video (mediators). */
  summary?: ReactNode;
  /** Inviting from inside the room (mediators). */
  invite?: ReactNode;
  /** Invited participants: the case and whom to call. */
  partyContext?: PartyContext;
  /** The session's recording when the page loaded: the pre-join screen shows the notice while it is on. */
  recording?: RecordingState | undefined;
  /** A mediation (default) or a judicial confirmation hearing: the room's wording (i18n/roomWording.tsx). */
  kind?: SessionKind;
}

/** Pre-join (device check) → room → end screen, and back to pre-join on "rejoin". */
export function MediaCall({ kind = 'mediation', ...props }: Props) {
  return (
    <RoomKindProvider kind={kind}>
      <CallFlow {...props} />
    </RoomKindProvider>
  );
}

/** Pre-join → room → end screen, in the session's wording. */
function CallFlow({ auth, displayName, role, roleLabel, heading, endActions, frame, summary, invite, partyContext, recording }: Omit<Props, 'kind'>) {
  const [attempt, setAttempt] = useState(0);
  const [local, setLocal] = useState<LocalMedia | null>(null);
  /** "Join" was pressed (with the answer to the recording notice, if it was asked). */
  const [joinRequest, setJoinRequest] = useState<JoinRequest | null>(null);

  // Devices for the pre-join screen, kept through the call (the session gets copies); fresh per attempt.
  useEffect(() => {
    const media = new LocalMedia();
    setLocal(media);
    void media.start();
    // The media Device too, while the person looks at their camera (see devicePreload.ts).
    preloadDevice();
    return () => media.dispose();
  }, [attempt]);

  const join = (recordingConsent?: boolean) => {
    if (!local) return;
    setJoinRequest(recordingConsent === undefined ? { auth } : { auth, recordingConsent });
  };

  const rejoin = () => {
    setJoinRequest(null);
    setAttempt((n) => n + 1);
  };

  if (joinRequest && local) {
    return (
      <Call
        request={joinRequest}
        local={local}
        heading={heading}
        displayName={displayName}
        role={role}
        roleLabel={roleLabel}
        onRejoin={rejoin}
        endActions={endActions}
        summary={summary}
        invite={invite}
        partyContext={partyContext}
      />
    );
  }
  if (!local) return frame(null);
  return frame(<PreJoin local={local} token={auth.token} displayName={displayName} roleLabel={roleLabel} recording={recording} onJoin={join} />);
}

type CallProps = Pick<Props, 'heading' | 'displayName' | 'role' | 'roleLabel' | 'endActions' | 'summary' | 'invite' | 'partyContext'> & {
  request: JoinRequest;
  local: LocalMedia;
  onRejoin: () => void;
};

/** In the room: mounted on "join", its session left when it unmounts. */
function Call({ request, local, heading, displayName, role, roleLabel, onRejoin, endActions, summary, invite, partyContext }: CallProps) {
  const call = useMediaSession(request, local);
  if (!call) return null;
  const { session, documents } = call;
  const { auth } = request;
  const agreementSessionId = auth.kind === 'staff' ? auth.sessionId : sessionIdOfInvitation(auth.token);
  return (
    <Room
      session={session}
      heading={heading}
      selfName={displayName}
      selfRole={role}
      selfRoleLabel={roleLabel}
      onRejoin={onRejoin}
      endActions={endActions}
      summary={summary}
      invite={invite}
      partyContext={partyContext}
      // Mediation agreement drawer (server/agreement): the mediator drafts, everyone sees it live.
      // Its toggle sits in the room's tool row, so it never covers a notice or the chat.
      // The mediation record (调解笔录) beside it: written live by the mediator, signed by each signatory.
      tools={
        agreementSessionId && (
          <>
            <AgreementDrawer session={session} documents={documents} sessionId={agreementSessionId} token={auth.token} role={role} />
            <RecordDrawer session={session} documents={documents} sessionId={agreementSessionId} token={auth.token} role={role} />
          </>
        )
      }
    />
  );
}

interface DrawerProps {
  session: MediaSession;
  documents: CaseDocuments;
  sessionId: string;
  token: string;
  role: ParticipantRole;
}

/** The record's side panel, for whoever is in the room (not the waiting room); it re-reads the events when the room changes. */
function RecordDrawer({ session, documents, sessionId, token, role }: DrawerProps) {
  const state = useStore(session);
  const inRoom = state.status !== 'closed' && state.room !== null && state.room.self.place !== 'lobby';
  if (!inRoom) return null;
  const room = state.room!;
  const roomKey = `${room.roster.map((p) => `${p.peerId}:${p.place}`).join(',')}|${room.caucus.active}|${room.paused}`;
  return <RecordPanel sessionId={sessionId} token={token} documents={documents} role={role} roomKey={roomKey} />;
}

/**
 * The agreement drawer, closed by default (it would cover the mediator's side panel) and not
 * offered at all to someone in the waiting room. The drawer opens by itself for mediators once
 * mounted, so for them it is mounted on the first click of the same "协议" button.
 */
function AgreementDrawer({ session, documents, sessionId, token, role }: DrawerProps) {
  const t = useAT();
  const state = useStore(session);
  const [mounted, setMounted] = useState(!isHost(role));
  const inRoom = state.status !== 'closed' && state.room !== null && state.room.self.place !== 'lobby';
  if (!inRoom) return null;
  if (!mounted) {
    return (
      <button type="button" className="btn btn--primary agr-toggle" onClick={() => setMounted(true)} data-testid="agreement-open">
        {t('panel.open')}
      </button>
    );
  }
  const partiesInCall = state.room!.roster.filter((p) => p.role === 'party' && p.place !== 'lobby').map((p) => ({ name: p.displayName }));
  return <AgreementPanel sessionId={sessionId} token={token} documents={documents} role={role} partiesInCall={partiesInCall} />;
}
