import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { isHost, type ParticipantRole } from '@protocol/roles.ts';
import type { RoomStateInfo } from '@protocol/signalling.ts';
import type { MediaSession } from '../services/MediaSession.ts';
import type { MediaSessionState, RemotePeer } from '../services/media/sessionState.ts';
import { useStore } from '../hooks/useStore.ts';
import { useRoomTestHooks } from '../hooks/useRoomTestHooks.ts';
import { type MessageKey, type Translate } from '../i18n/index.ts';
import { useRoomT } from '../i18n/roomWording.tsx';
import { participantLabel } from '../i18n/labels.ts';
import { ControlBar } from './ControlBar.tsx';
import { RemoteAudio } from './RemoteAudio.tsx';
import { VideoTile } from './VideoTile.tsx';
import { EndScreen } from './EndScreen.tsx';
import { LanguageToggle } from './LanguageToggle.tsx';
import { EmblemIcon } from './Icons.tsx';
import { Spinner } from './Feedback.tsx';
import { WaitingRoom } from './WaitingRoom.tsx';
import { RoomStateBanner } from './RoomStateBanner.tsx';
import { MediatorPanel } from './MediatorPanel.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { ConfirmDialog, Dialog } from './Dialog.tsx';
import { EndNextSteps, type PartyContext } from './EndNextSteps.tsx';
import { PeopleList } from './PeopleList.tsx';
import { RoomNotice } from './RoomNotice.tsx';
import { RecordingIndicator } from './RecordingIndicator.tsx';
import { RecordingConsentDialog } from './RecordingConsentDialog.tsx';
import { useLobbyAlert } from '../hooks/useLobbyAlert.ts';
import { useDeclineAlert } from '../hooks/useDeclineAlert.ts';
import { declineText } from './RecordingControls.tsx';
import '../styles/room-controls.css';

interface Props {
  session: MediaSession;
  /** Shown in the room's top bar (case number · title). */
  heading: ReactNode;
  selfName: string;
  selfRoleLabel: string;
  selfRole: ParticipantRole;
  onRejoin: () => void;
  endActions?: ReactNode;
  /** Case summary for the mediator's side panel. */
  summary?: ReactNode;
  /** The invitation sheet's content (mediators): inviting without leaving the call. */
  invite?: ReactNode;
  /** Extra buttons in the room's tool row (the agreement drawer's toggle). */
  tools?: ReactNode;
  /** Invited participants: the case and whom to call (waiting room, end screen). */
  partyContext?: PartyContext | undefined;
}

const roleOrder: Record<string, number> = { judge: 0, mediator: 0, applicant: 1, respondent: 2, party: 3, official: 4, observer: 5 };
const orderOf = (p: RemotePeer) => roleOrder[p.info.role === 'party' ? (p.info.side ?? 'party') : p.info.role] ?? 9;

function statusLine(state: MediaSessionState): { key: MessageKey; tone: 'ok' | 'busy' | 'bad' } {
  switch (state.status) {
    case 'idle':
      return { key: 'room.status.idle', tone: 'busy' };
    case 'connecting':
      return { key: 'room.status.connecting', tone: 'busy' };
    case 'joining':
      return { key: 'room.status.joining', tone: 'busy' };
    case 'reconnecting':
      return { key: state.movingNode ? 'room.status.movingNode' : 'room.status.reconnecting', tone: 'bad' };
    case 'closed':
      return { key: 'room.status.closed', tone: 'bad' };
    case 'joined': {
      const states = [state.transports.send, state.transports.recv];
      if (states.some((s) => s === 'failed' || s === 'disconnected')) return { key: 'room.status.mediaProblem', tone: 'bad' };
      if (states.some((s) => s === 'connecting')) return { key: 'room.status.mediaConnecting', tone: 'busy' };
      return { key: 'room.status.joined', tone: 'ok' };
    }
  }
}

function waitingText(t: Translate, selfRole: ParticipantRole, peers: RemotePeer[], room: RoomStateInfo | null): string | null {
  if (isHost(selfRole)) return peers.length === 0 ? t('room.waiting.mediator') : null;
  // Left out of a private caucus: the mediator is here, just not with us.
  if (room?.caucus.active && !room.caucus.withMe) return t('room.waiting.caucusOther');
  if (!peers.some((p) => isHost(p.info.role))) return t('room.waiting.party');
  return null;
}

/** Grid dimensions for n tiles, so that tiles stay large on desktops. */
function gridShape(n: number): { cols: number; rows: number } {
  const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
  return { cols, rows: Math.max(1, Math.ceil(n / cols)) };
}

/** The mediation room: video grid, self view, status, and the big control buttons. */
export function Room({ session, heading, selfName, selfRoleLabel, selfRole, onRejoin, endActions, summary, invite, tools, partyContext }: Props) {
  const t = useRoomT();
  const state = useStore(session);
  const rootRef = useRef<HTMLDivElement>(null);
  const [audioBlocked, setAudioBlocked] = useState(false);
  useRoomTestHooks(session, state.status);
  const [chatOpen, setChatOpen] = useState(false);
  const [peopleOpen, setPeopleOpen] = useState(false);
  const [inviteOpen, setInviteOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const isMediator = isHost(selfRole);
  const lobby = state.room?.roster.filter((p) => p.place === 'lobby') ?? [];
  const [lobbyAlert, dismissLobbyAlert] = useLobbyAlert(lobby, isMediator && state.status === 'joined');
  const [declineAlert, dismissDeclineAlert] = useDeclineAlert(state.room?.recording.declined, isMediator && state.status === 'joined');

  useEffect(() => {
    if (!state.notice) return;
    const timer = window.setTimeout(() => session.clearNotice(), 7000);
    return () => window.clearTimeout(timer);
  }, [state.notice, session]);

  if (state.status === 'closed') {
    return (
      <EndScreen
        reason={state.endReason ?? 'disconnected'}
        error={state.endMessage ? { code: 'denied', message: state.endMessage } : state.error}
        onRejoin={onRejoin}
        actions={endActions}
        nextSteps={partyContext ? <EndNextSteps reason={state.endReason ?? 'disconnected'} context={partyContext} /> : undefined}
      />
    );
  }
  const roomState = state.room;
  const inLobby = roomState?.self.place === 'lobby';
  const handRaised = roomState?.self.handRaised ?? false;
  const hands = new Set(roomState?.hands ?? []);

  const peers = [...state.peers].sort((a, b) => orderOf(a) - orderOf(b));
  const waiting = state.status === 'joined' ? waitingText(t, selfRole, peers, state.room) : null;
  const entering = state.status !== 'joined' && peers.length === 0;
  const tileCount = peers.length + 1 + (waiting || entering ? 1 : 0);
  const { cols, rows } = gridShape(tileCount);
  const status = statusLine(state);
  const self = state.self;
  const selfLabel = self ? participantLabel(t, self) : selfRoleLabel;

  const enableAudio = () => {
    rootRef.current?.querySelectorAll<HTMLAudioElement>('audio[data-remote-audio]').forEach((a) => void a.play().catch(() => undefined));
    setAudioBlocked(false);
  };

  const leaveConfirm = (
    <ConfirmDialog
      open={leaving}
      title={t('room.confirm.leave.title')}
      body={<p>{t(isMediator ? 'room.confirm.leave.mediator' : 'room.confirm.leave.party')}</p>}
      confirmLabel={t('room.confirm.leave.ok')}
      onCancel={() => setLeaving(false)}
      onConfirm={() => {
        setLeaving(false);
        void session.leave();
      }}
      testId="confirm-leave"
    />
  );

  if (inLobby && roomState) {
    return (
      <div className="room room--lobby" ref={rootRef} data-status={state.status} data-place="lobby">
        <header className="room__bar">
          <div className="room__brand">
            <EmblemIcon size={24} />
            <span className="room__brand-name">{t('app.brand')}</span>
          </div>
          <div className="room__heading">{heading}</div>
          <div className="room__meta">
            <RecordingIndicator recording={roomState.recording} />
            <LanguageToggle className="lang-toggle lang-toggle--dark" />
          </div>
        </header>
        <WaitingRoom state={roomState} videoTrack={state.local.videoTrack} camOn={state.local.camOn} onLeave={() => setLeaving(true)} context={partyContext} />
        {leaveConfirm}
        <RecordingConsentDialog session={session} state={state} />
      </div>
    );
  }

  const chatRecipients = peers.filter((p) => (isMediator ? !isHost(p.info.role) : isHost(p.info.role))).map((p) => p.info);

  return (
    <div className={`room${isMediator ? ' room--mediator' : ''}`} ref={rootRef} data-status={state.status} data-place={roomState?.self.place ?? 'main'}>
      <header className="room__bar">
        <div className="room__brand">
          <EmblemIcon size={24} />
          <span className="room__brand-name">{t('app.brand')}</span>
        </div>
        <div className="room__heading">{heading}</div>
        <div className="room__meta">
          <RecordingIndicator recording={roomState?.recording} />
          <span className={`conn conn--${status.tone}`} role="status" aria-live="polite" data-testid="connection-status">
            <span className="conn__dot" aria-hidden="true" />
            <span className="conn__text">{t(status.key)}</span>
          </span>
          <span className="room__count">{t('room.participants', { n: peers.length + 1 })}</span>
          <LanguageToggle className="lang-toggle lang-toggle--dark" />
        </div>
      </header>

      {roomState && (!isMediator || roomState.caucus.active || roomState.paused) && <RoomStateBanner state={roomState} isMediator={isMediator} />}

      <div className="room__body">
        <main className="room__stage">
          <div
            className={`grid${peers.length > 0 ? ' grid--has-remote' : ''}`}
            style={{ '--cols': cols, '--rows': rows } as CSSProperties}
            data-count={tileCount}
          >
            {peers.map((p) => (
              <VideoTile
                key={p.info.id}
                peerId={p.info.id}
                name={p.info.displayName}
                roleLabel={participantLabel(t, p.info)}
                videoTrack={p.videoTrack}
                camOn={p.camOn && p.videoTrack !== null}
                micOn={p.micOn}
                highlight={isHost(p.info.role)}
                speaking={state.activeSpeaker === p.info.id}
                handRaised={hands.has(p.info.id)}
                quality={state.quality[p.info.id]}
                onWidth={(width) => session.setTileSize(p.info.id, 'webcam', width)}
              />
            ))}
            {peers
              .filter((p) => p.screenTrack)
              .map((p) => (
                <VideoTile
                  key={`${p.info.id}-screen`}
                  peerId={`${p.info.id}-screen`}
                  name={p.info.displayName}
                  roleLabel={t('room.share.start')}
                  videoTrack={p.screenTrack}
                  camOn
                  micOn
                />
              ))}
            {(waiting || entering) && (
              <div className="tile tile--waiting" data-testid="waiting">
                {entering ? (
                  <Spinner label={t(status.key)} />
                ) : (
                  <div className="tile__waiting-body">
                    <p className="tile__waiting-text">{waiting}</p>
                    {isMediator && invite && (
                      <button type="button" className="btn btn--primary btn--lg" onClick={() => setInviteOpen(true)} data-testid="stage-invite">
                        {t('room.invite.open')}
                      </button>
                    )}
                  </div>
                )}
              </div>
            )}
            <VideoTile
              peerId={self?.id ?? 'local'}
              name={self?.displayName ?? selfName}
              roleLabel={selfLabel}
              videoTrack={state.local.videoTrack}
              camOn={state.local.camOn}
              micOn={state.local.micOn}
              self
              className="tile--pip"
              handRaised={handRaised}
            />
          </div>
          {isMediator && lobby.length > 0 && (
            <button
              type="button"
              className="stage-waiting"
              onClick={() => document.getElementById('waiting-list')?.scrollIntoView({ block: 'nearest' })}
              data-testid="stage-waiting-count"
              data-count={lobby.length}
            >
              {t('room.stage.waiting', { n: lobby.length })}
            </button>
          )}
        </main>
        {isMediator && roomState && (
          <MediatorPanel
            session={session}
            state={roomState}
            quality={state.quality}
            summary={summary}
            onInvite={invite ? () => setInviteOpen(true) : undefined}
          />
        )}
        {!isMediator && peopleOpen && (
          <PeopleList self={state.self} selfName={selfName} selfRoleLabel={selfLabel} peers={peers.map((p) => p.info)} room={roomState} />
        )}
        {(chatOpen || isMediator) && (
          <ChatPanel
            messages={state.chat}
            selfId={state.self?.id ?? null}
            isMediator={isMediator}
            recipients={chatRecipients}
            onSend={(text, to) => void session.sendChat(text, to).catch(() => undefined)}
          />
        )}
      </div>

      <div className="room__dock">
        <div className="room__notice" aria-live="polite">
          <RoomNotice session={session} state={state} audioBlocked={audioBlocked} onEnableAudio={enableAudio} />
        </div>
        <div className="room__tools">
          {!isMediator && (
            <>
              <button type="button" className="chat-toggle" onClick={() => setChatOpen((x) => !x)} aria-pressed={chatOpen} data-testid="chat-toggle">
                {t('room.chat.title')}
                {state.chat.length > 0 && <span className="chat-toggle__count">{state.chat.length}</span>}
              </button>
              <button type="button" className="chat-toggle" onClick={() => setPeopleOpen((x) => !x)} aria-pressed={peopleOpen} data-testid="people-toggle">
                {t('room.people.toggle')}
                <span className="chat-toggle__count chat-toggle__count--plain">{peers.length + 1}</span>
              </button>
            </>
          )}
          {tools && <span className="room__tools-end">{tools}</span>}
        </div>
      </div>

      {lobbyAlert && (
        <div className="lobby-toast" role="alert" data-testid="lobby-toast" data-chime={lobbyAlert.chime}>
          <span>
            {lobbyAlert.names.length === 1 && lobbyAlert.waiting === 1
              ? t('room.lobbyAlert.one', { name: lobbyAlert.names[0]! })
              : t('room.lobbyAlert.many', { n: lobbyAlert.waiting })}
          </span>
          <button type="button" className="dialog__close" onClick={dismissLobbyAlert} aria-label={t('room.dialog.close')}>
            ×
          </button>
        </div>
      )}

      {declineAlert && !lobbyAlert && (
        <div className="lobby-toast lobby-toast--declined" role="alert" data-testid="recording-declined-toast">
          <span>{declineText(t, declineAlert, 'rec.declined.toast')}</span>
          <button type="button" className="dialog__close" onClick={dismissDeclineAlert} aria-label={t('room.dialog.close')}>
            ×
          </button>
        </div>
      )}

      <ControlBar
        micOn={state.local.micOn}
        camOn={state.local.camOn}
        canMic
        canCam
        disabled={state.status !== 'joined'}
        onToggleMic={() => void session.setMicEnabled(!state.local.micOn)}
        onToggleCam={() => void session.setCamEnabled(!state.local.camOn)}
        onLeave={() => setLeaving(true)}
        {...(!isMediator ? { hand: { raised: handRaised, onToggle: () => void session.setHand(!handRaised).catch(() => undefined) } } : {})}
        {...(roomState?.self.canShare && roomState.self.canPublish
          ? { share: { on: state.screenOn, onToggle: () => void session.setScreenShare(!state.screenOn) } }
          : {})}
      />

      {leaveConfirm}
      <RecordingConsentDialog session={session} state={state} />
      {isMediator && invite && (
        <Dialog open={inviteOpen} title={t('room.invite.title')} onClose={() => setInviteOpen(false)} wide testId="room-invite">
          <p className="muted">{t('room.invite.hint')}</p>
          {invite}
        </Dialog>
      )}

      <div hidden>
        {peers.map((p) =>
          p.audioTrack ? <RemoteAudio key={p.info.id} peerId={p.info.id} track={p.audioTrack} onBlocked={() => setAudioBlocked(true)} /> : null,
        )}
      </div>
    </div>
  );
}
