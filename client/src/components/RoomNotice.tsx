import type { MediaSession } from '../services/MediaSession.ts';
import type { MediaSessionState } from '../services/media/sessionState.ts';
import { useT } from '../i18n/index.ts';
import { MicOffIcon, SpeakerIcon } from './Icons.tsx';

interface Props {
  session: MediaSession;
  state: MediaSessionState;
  audioBlocked: boolean;
  onEnableAudio: () => void;
}

type Slot = 'enable-audio' | 'unmute-request' | 'notice' | 'mic-muted';

/**
 * One notice at a time (a phone has room for one line above the buttons). The most useful one
 * wins: sound blocked (nothing is heard at all), the mediator asking to unmute (needs an answer),
 * the latest short-lived notice (it replaces the one before and times out), then the standing
 * "your microphone is off".
 */
export function pickNotice(state: MediaSessionState, audioBlocked: boolean): Slot | null {
  if (audioBlocked) return 'enable-audio';
  if (state.unmuteRequested) return 'unmute-request';
  if (state.notice) return 'notice';
  if (!state.local.micOn && state.status === 'joined') return 'mic-muted';
  return null;
}

export function RoomNotice({ session, state, audioBlocked, onEnableAudio }: Props) {
  const t = useT();
  const slot = pickNotice(state, audioBlocked);
  const notice = state.notice;
  switch (slot) {
    case null:
      return null;
    case 'enable-audio':
      return (
        <button type="button" className="pill pill--action" onClick={onEnableAudio} data-testid="enable-audio">
          <SpeakerIcon size={20} />
          {t('room.enableAudio')}
        </button>
      );
    case 'unmute-request':
      return (
        <div className="pill pill--action unmute-ask" data-testid="unmute-request">
          <span>{t('room.unmuteAsk')}</span>
          <button type="button" className="btn btn--primary btn--small" onClick={() => session.answerUnmute(true)} data-testid="unmute-yes">
            {t('room.unmuteYes')}
          </button>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => session.answerUnmute(false)}>
            {t('room.unmuteNo')}
          </button>
        </div>
      );
    case 'notice':
      return notice ? (
        <p className="pill pill--warning" data-testid="notice" data-notice={notice}>
          {t(`room.notice.${notice}`)}
        </p>
      ) : null;
    case 'mic-muted':
      return (
        <p className="pill pill--muted" data-testid="mic-muted-banner">
          <MicOffIcon size={18} />
          {t('room.micMutedBanner')}
        </p>
      );
  }
}
