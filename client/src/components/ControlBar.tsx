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
}

/** Big, labelled buttons; on phones they sit at the bottom within thumb reach. */
export function ControlBar({ micOn, camOn, canMic, canCam, disabled, onToggleMic, onToggleCam, onLeave }: Props) {
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
      <button type="button" className="control control--leave" onClick={onLeave} data-testid="leave">
        <span className="control__icon">
          <LeaveIcon size={36} />
        </span>
        <span className="control__label">{t('room.leave')}</span>
      </button>
    </nav>
  );
}
