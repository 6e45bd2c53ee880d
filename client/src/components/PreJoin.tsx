import type { LocalMedia, DeviceProblem } from '../services/LocalMedia.ts';
import { useStore } from '../hooks/useStore.ts';
import { useTrackElement } from '../hooks/useTrackElement.ts';
import { type MessageKey, type Translate } from '../i18n/index.ts';
import { useRoomT } from '../i18n/roomWording.tsx';
import { Alert } from './Feedback.tsx';
import { Avatar } from './Avatar.tsx';
import { DeviceSelect } from './DeviceSelect.tsx';
import { LevelMeter } from './LevelMeter.tsx';
import { CameraIcon, CameraOffIcon, MicIcon, MicOffIcon, NetworkIcon } from './Icons.tsx';
import { useConnectivityCheck, type ConnectivityStatus } from '../hooks/useConnectivityCheck.ts';
import type { PortRule } from '@protocol/connectivity.ts';
import type { RecordingState } from '@protocol/recording.ts';
import { isRecordingOn } from '../services/recording.ts';
import { RecordingNotice } from './RecordingNotice.tsx';

interface Props {
  local: LocalMedia;
  /** The invitation token or staff login the room is joined with: the connection check uses it too. */
  token: string;
  displayName: string;
  roleLabel: string;
  /** The session's recording as the invitation preview says: when on, joining is agreeing to the notice. */
  recording?: RecordingState | undefined;
  /** `consent`: the answer to the recording notice (undefined when there was none to give). */
  onJoin: (consent?: boolean) => void;
}

const networkText: Record<ConnectivityStatus, MessageKey> = {
  checking: 'prejoin.network.checking',
  udp: 'prejoin.network.udp',
  tcp: 'prejoin.network.tcp',
  relay: 'prejoin.network.relay',
  failed: 'prejoin.network.failed',
  unchecked: 'prejoin.network.unchecked',
};

const networkTone: Record<ConnectivityStatus, 'is-on' | 'is-off' | 'is-pending'> = {
  checking: 'is-pending',
  udp: 'is-on',
  tcp: 'is-on',
  relay: 'is-on',
  failed: 'is-off',
  unchecked: 'is-pending',
};

/**
 * `UDP 40000–40999、TCP 443`: the ports for the network administrator. A line never breaks inside
 * one item (no-break space after the protocol, word joiners around the dash).
 */
function portsText(t: Translate, ports: readonly PortRule[]): string {
  return ports
    .map((r) => t('prejoin.network.port', { protocol: r.protocol.toUpperCase(), port: r.min === r.max ? String(r.min) : `${r.min}\u2060–\u2060${r.max}` }))
    .join(t('prejoin.network.portSeparator'));
}

function problemText(t: Translate, problem: DeviceProblem, device: 'camera' | 'microphone'): string {
  return t(`prejoin.problem.${problem}`, { device: t(device === 'camera' ? 'prejoin.device.camera' : 'prejoin.device.microphone') });
}

/** Camera preview, microphone meter, device choice and on/off toggles before joining. */
export function PreJoin({ local, token, displayName, roleLabel, recording, onJoin }: Props) {
  const t = useRoomT();
  const s = useStore(local);
  const network = useConnectivityCheck(token);
  const videoRef = useTrackElement<HTMLVideoElement>(s.videoTrack);
  const requesting = s.status === 'requesting' || s.status === 'idle';
  const showVideo = s.videoTrack !== null && s.camOn;
  const problems = [
    s.videoProblem ? problemText(t, s.videoProblem, 'camera') : null,
    s.audioProblem && s.audioProblem !== s.videoProblem ? problemText(t, s.audioProblem, 'microphone') : null,
  ].filter((p): p is string => p !== null);
  // When both failed the same way, one message naming both devices reads better.
  if (s.audioProblem && s.audioProblem === s.videoProblem) {
    problems[0] = t(`prejoin.problem.${s.audioProblem}`, {
      device: t('prejoin.device.both'),
    });
  }
  const noDevices = !s.audioTrack && !s.videoTrack && !requesting;

  return (
    <section className="card prejoin" aria-labelledby="prejoin-title" data-testid="prejoin">
      <div className="prejoin__head">
        <h1 className="card__title" id="prejoin-title">
          {t('prejoin.title')}
        </h1>
        <p className="card__subtitle">{t('prejoin.subtitle')}</p>
      </div>

      <div className="prejoin__body">
        <div className="prejoin__preview-col">
          <div className="preview">
            <video ref={videoRef} className={`preview__video${showVideo ? '' : ' is-hidden'}`} autoPlay playsInline muted data-testid="local-preview" />
            {!showVideo && (
              <div className="preview__placeholder">
                <Avatar name={displayName} />
                <span>{requesting ? t('common.loading') : s.videoTrack ? t('prejoin.previewOff') : t('room.noDevice')}</span>
              </div>
            )}
            <div className="preview__toggles">
              <button
                type="button"
                className={`round-btn${s.micOn && s.audioTrack ? '' : ' round-btn--off'}`}
                onClick={() => local.setMicOn(!s.micOn)}
                disabled={!s.audioTrack}
                aria-pressed={!s.micOn}
                aria-label={s.micOn ? t('prejoin.turnMicOff') : t('prejoin.turnMicOn')}
                title={s.micOn ? t('prejoin.turnMicOff') : t('prejoin.turnMicOn')}
                data-testid="prejoin-mic-toggle"
              >
                {s.micOn && s.audioTrack ? <MicIcon /> : <MicOffIcon />}
              </button>
              <button
                type="button"
                className={`round-btn${s.camOn && s.videoTrack ? '' : ' round-btn--off'}`}
                onClick={() => local.setCamOn(!s.camOn)}
                disabled={!s.videoTrack}
                aria-pressed={!s.camOn}
                aria-label={s.camOn ? t('prejoin.turnCamOff') : t('prejoin.turnCamOn')}
                title={s.camOn ? t('prejoin.turnCamOff') : t('prejoin.turnCamOn')}
                data-testid="prejoin-cam-toggle"
              >
                {s.camOn && s.videoTrack ? <CameraIcon /> : <CameraOffIcon />}
              </button>
            </div>
          </div>
          {s.audioTrack && (
            <div className="prejoin__meter">
              <span className="prejoin__meter-label">{s.micOn ? t('prejoin.micLevel') : t('prejoin.micOff')}</span>
              <LevelMeter track={s.micOn ? s.audioTrack : null} label={t('prejoin.micLevel')} />
            </div>
          )}
        </div>

        <div className="prejoin__side">
          <p className="prejoin__identity">{t('prejoin.joinAs', { role: roleLabel, name: displayName })}</p>

          {requesting && <Alert tone="info">{t('prejoin.requesting')}</Alert>}
          {problems.map((p) => (
            <Alert key={p} tone="warning">
              {p}
            </Alert>
          ))}
          {(s.audioProblem || s.videoProblem) && !requesting && (
            <button type="button" className="btn btn--secondary btn--sm" onClick={() => void local.retry()}>
              {t('common.retry')}
            </button>
          )}

          <ul className="prejoin__states">
            <li className={s.micOn && s.audioTrack ? 'is-on' : 'is-off'}>
              {s.micOn && s.audioTrack ? <MicIcon size={18} /> : <MicOffIcon size={18} />}
              {s.micOn && s.audioTrack ? t('prejoin.micOn') : t('prejoin.micOff')}
            </li>
            <li className={s.camOn && s.videoTrack ? 'is-on' : 'is-off'}>
              {s.camOn && s.videoTrack ? <CameraIcon size={18} /> : <CameraOffIcon size={18} />}
              {s.camOn && s.videoTrack ? t('prejoin.camOn') : t('prejoin.camOff')}
            </li>
            <li className={`prejoin__network ${networkTone[network.status]}`} data-testid="connectivity" data-result={network.status} aria-live="polite">
              <NetworkIcon size={18} />
              {t(networkText[network.status])}
            </li>
          </ul>

          {network.status === 'failed' && (
            <Alert tone="warning">
              <div className="prejoin__advice" data-testid="connectivity-advice">
                <p>
                  {network.ports && network.ports.length > 0
                    ? t('prejoin.network.advice', { ports: portsText(t, network.ports) })
                    : t('prejoin.network.adviceNoPorts')}
                </p>
                <p>{t('prejoin.network.stillJoin')}</p>
              </div>
            </Alert>
          )}
          {(network.status === 'failed' || network.status === 'unchecked') && (
            <button type="button" className="btn btn--secondary btn--sm" onClick={network.retry} data-testid="connectivity-retry">
              {t('prejoin.network.retry')}
            </button>
          )}

          {noDevices && <p className="muted">{t('prejoin.withoutDevices')}</p>}

          {isRecordingOn(recording) ? (
            <section className="prejoin__recording" aria-labelledby="prejoin-recording-title">
              <h2 className="prejoin__recording-title" id="prejoin-recording-title">
                {t('rec.notice.title')}
              </h2>
              <RecordingNotice where="before" busy={requesting} onAnswer={(accepted) => onJoin(accepted)} />
            </section>
          ) : (
            <button type="button" className="btn btn--primary btn--xl btn--block" onClick={() => onJoin()} disabled={requesting} data-testid="join-button">
              {t('prejoin.join')}
            </button>
          )}

          <div className="prejoin__devices">
            {s.videoTrack && <DeviceSelect kind="camera" devices={s.cameras} value={s.cameraId} onChange={(id) => void local.selectCamera(id)} />}
            {s.audioTrack && (
              <DeviceSelect kind="microphone" devices={s.microphones} value={s.microphoneId} onChange={(id) => void local.selectMicrophone(id)} />
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
