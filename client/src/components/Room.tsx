import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import type { ParticipantRole } from '@protocol/roles.ts';
import type { RoomStateInfo } from '@protocol/signalling.ts';
import type { MediaSession, MediaSessionState, RemotePeer } from '../services/MediaSession.ts';
import { useStore } from '../hooks/useStore.ts';
import { useRoomTestHooks } from '../hooks/useRoomTestHooks.ts';
import { useT, type MessageKey, type Translate } from '../i18n/index.ts';
import { participantLabel } from '../i18n/labels.ts';
import { ControlBar } from './ControlBar.tsx';
import { RemoteAudio } from './RemoteAudio.tsx';
import { VideoTile } from './VideoTile.tsx';
import { EndScreen } from './EndScreen.tsx';
import { LanguageToggle } from './LanguageToggle.tsx';
import { EmblemIcon, MicOffIcon, SpeakerIcon } from './Icons.tsx';
import { Spinner } from './Feedback.tsx';
import { WaitingRoom } from './WaitingRoom.tsx';
import { RoomStateBanner } from './RoomStateBanner.tsx';
import { MediatorPanel } from './MediatorPanel.tsx';
import { ChatPanel } from './ChatPanel.tsx';
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
}

const roleOrder: Record<string, number> = { mediator: 0, applicant: 1, respondent: 2, party: 3, official: 4, observer: 5 };
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
      return { key: 'room.status.reconnecting', tone: 'bad' };
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
  if (selfRole === 'mediator') return peers.length === 0 ? t('room.waiting.mediator') : null;
  // Left out of a private caucus: the mediator is here, just not with us.
  if (room?.caucus.active && !room.caucus.withMe) return t('room.waiting.caucusOther');
  if (!peers.some((p) => p.info.role === 'mediator')) return t('room.waiting.party');
  return null;
}

/** Grid dimensions for n tiles, so that tiles stay large on desktops. */
function gridShape(n: number): { cols: number; rows: number } {
  const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
  return { cols, rows: Math.max(1, Math.ceil(n / cols)) };
}

/** The mediation room: video grid, self view, status, and the big control buttons. */
export function Room({ session, heading, selfName, selfRoleLabel, selfRole, onRejoin, endActions, summary }: Props) {
  const t = useT();
  const state = useStore(session);
  const rootRef = useRef<HTMLDivElement>(null);
  const [audioBlocked, setAudioBlocked] = useState(false);
  useRoomTestHooks(session, state.status);
  const [chatOpen, setChatOpen] = useState(false);

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
      />
    );
  }
  const roomState = state.room;
  const inLobby = roomState?.self.place === 'lobby';
  const isMediator = selfRole === 'mediator';
  const mutedByMediator = state.notice === 'muted-mediator' || state.notice === 'muted-caucus_return';
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
            <LanguageToggle className="lang-toggle lang-toggle--dark" />
          </div>
        </header>
        <WaitingRoom state={roomState} videoTrack={state.local.videoTrack} camOn={state.local.camOn} onLeave={() => void session.leave()} />
      </div>
    );
  }

  const chatRecipients = peers
    .filter((p) => (isMediator ? p.info.role !== 'mediator' : p.info.role === 'mediator'))
    .map((p) => p.info);

  return (
    <div
      className={`room${isMediator ? ' room--mediator' : ''}`}
      ref={rootRef}
      data-status={state.status}
      data-place={roomState?.self.place ?? 'main'}
    >
      <header className="room__bar">
        <div className="room__brand">
          <EmblemIcon size={24} />
          <span className="room__brand-name">{t('app.brand')}</span>
        </div>
        <div className="room__heading">{heading}</div>
        <div className="room__meta">
          <span className={`conn conn--${status.tone}`} role="status" aria-live="polite" data-testid="connection-status">
            <span className="conn__dot" aria-hidden="true" />
            {t(status.key)}
          </span>
          <span className="room__count">{t('room.participants', { n: peers.length + 1 })}</span>
          <LanguageToggle className="lang-toggle lang-toggle--dark" />
        </div>
      </header>

      {roomState && !isMediator && <RoomStateBanner state={roomState} mutedByMediator={mutedByMediator && !state.local.micOn} />}
      {roomState && isMediator && (roomState.caucus.active || roomState.paused) && <RoomStateBanner state={roomState} mutedByMediator={false} />}

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
              highlight={p.info.role === 'mediator'}
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
              {entering ? <Spinner label={t(status.key)} /> : <p className="tile__waiting-text">{waiting}</p>}
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
      </main>
      {isMediator && roomState && (
        <MediatorPanel session={session} state={roomState} quality={state.quality} summary={summary} />
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

      <div className="room__notices" aria-live="polite">
        {!isMediator && (
          <button type="button" className="chat-toggle" onClick={() => setChatOpen((x) => !x)} data-testid="chat-toggle">
            {t('room.chat.title')}
            {state.chat.length > 0 && <span className="chat-toggle__count">{state.chat.length}</span>}
          </button>
        )}
        {audioBlocked && (
          <button type="button" className="pill pill--action" onClick={enableAudio} data-testid="enable-audio">
            <SpeakerIcon size={20} />
            {t('room.enableAudio')}
          </button>
        )}
        {state.notice && (
          <p className="pill pill--warning" data-testid="notice" data-notice={state.notice}>
            {t(`room.notice.${state.notice}`)}
          </p>
        )}
        {state.unmuteRequested && (
          <div className="pill pill--action unmute-ask" data-testid="unmute-request">
            <span>{t('room.unmuteAsk')}</span>
            <button type="button" className="btn btn--primary btn--small" onClick={() => session.answerUnmute(true)} data-testid="unmute-yes">
              {t('room.unmuteYes')}
            </button>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => session.answerUnmute(false)}>
              {t('room.unmuteNo')}
            </button>
          </div>
        )}
        {!state.local.micOn && state.status === 'joined' && (
          <p className="pill pill--muted" data-testid="mic-muted-banner">
            <MicOffIcon size={18} />
            {t('room.micMutedBanner')}
          </p>
        )}
      </div>

      <ControlBar
        micOn={state.local.micOn}
        camOn={state.local.camOn}
        canMic
        canCam
        disabled={state.status !== 'joined'}
        onToggleMic={() => void session.setMicEnabled(!state.local.micOn)}
        onToggleCam={() => void session.setCamEnabled(!state.local.camOn)}
        onLeave={() => void session.leave()}
        {...(!isMediator ? { hand: { raised: handRaised, onToggle: () => void session.setHand(!handRaised).catch(() => undefined) } } : {})}
        {...(roomState?.self.canShare && roomState.self.canPublish
          ? { share: { on: state.screenOn, onToggle: () => void session.setScreenShare(!state.screenOn) } }
          : {})}
      />

      <div hidden>
        {peers.map((p) =>
          p.audioTrack ? <RemoteAudio key={p.info.id} peerId={p.info.id} track={p.audioTrack} onBlocked={() => setAudioBlocked(true)} /> : null,
        )}
      </div>
    </div>
  );
}
