import { useT } from '../i18n/index.ts';
import { CameraIcon, CameraOffIcon, LeaveIcon, MicIcon, MicOffIcon } from './Icons.tsx';

interface Props {
  micOn: boolean;
  camOn: boolean;
  canMic: boolean;
  canCam: boolean;
  disabled: boolean;
  onToggleMic: () => void;
  onToggleCam: () => void;
  onLeave: () => void;
  /** Raise hand (participants) and screen sharing (when allowed); omitted when not offered. */
  hand?: { raised: boolean; onToggle: () => void };
  share?: { on: boolean; onToggle: () => void };
}

/** Big, labelled buttons; on phones they sit at the bottom within thumb reach. */
export function ControlBar({ micOn, camOn, canMic, canCam, disabled, onToggleMic, onToggleCam, onLeave, hand, share }: Props) {
  const t = useT();
  const micLabel = micOn ? t('room.mute') : t('room.unmute');
  const camLabel = camOn ? t('room.camOff') : t('room.camOn');
  return (
    <nav className="controls" aria-label="controls">
      <button
        type="button"
        className={`control${micOn ? '' : ' control--off'}`}
        onClick={onToggleMic}
        disabled={disabled || !canMic}
        aria-pressed={!micOn}
        data-testid="toggle-mic"
      >
        <span className="control__icon">{micOn ? <MicIcon size={28} /> : <MicOffIcon size={28} />}</span>
        <span className="control__label">{micLabel}</span>
      </button>
      <button
        type="button"
        className={`control${camOn ? '' : ' control--off'}`}
        onClick={onToggleCam}
        disabled={disabled || !canCam}
        aria-pressed={!camOn}
        data-testid="toggle-camera"
      >
        <span className="control__icon">{camOn ? <CameraIcon size={28} /> : <CameraOffIcon size={28} />}</span>
        <span className="control__label">{camLabel}</span>
      </button>
      {hand && (
        <button
          type="button"
          className={`control${hand.raised ? ' control--active' : ''}`}
          onClick={hand.onToggle}
          disabled={disabled}
          aria-pressed={hand.raised}
          data-testid="toggle-hand"
        >
          <span className="control__icon" aria-hidden="true">
            <svg width="28" height="28" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
              <path d="M7 11V5a1.5 1.5 0 0 1 3 0v5M10 10V3.5a1.5 1.5 0 0 1 3 0V10M13 10V4.5a1.5 1.5 0 0 1 3 0V12M16 8.5a1.5 1.5 0 0 1 3 0V15a6 6 0 0 1-6 6h-1a6 6 0 0 1-5-2.7L4 14a1.5 1.5 0 0 1 2.5-1.7L7 13" />
            </svg>
          </span>
          <span className="control__label">{hand.raised ? t('room.hand.lower') : t('room.hand.raise')}</span>
        </button>
      )}
      {share && (
        <button
          type="button"
          className={`control${share.on ? ' control--active' : ''}`}
          onClick={share.onToggle}
          disabled={disabled}
          aria-pressed={share.on}
          data-testid="toggle-share"
        >
          <span className="control__icon" aria-hidden="true">
            <svg width="28" height="28" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
              <rect x="3" y="4" width="18" height="12" rx="2" />
              <path d="M8 20h8M12 16v4M12 13V7M9 10l3-3 3 3" />
            </svg>
          </span>
          <span className="control__label">{share.on ? t('room.share.stop') : t('room.share.start')}</span>
        </button>
      )}
      <button type="button" className="control control--leave" onClick={onLeave} data-testid="leave">
        <span className="control__icon">
          <LeaveIcon size={36} />
        </span>
        <span className="control__label">{t('room.leave')}</span>
      </button>
    </nav>
  );
}
