import { useRef } from 'react';
import { useElementWidth } from '../hooks/useElementWidth.ts';
import { useTrackElement } from '../hooks/useTrackElement.ts';
import { useT } from '../i18n/index.ts';
import { Avatar } from './Avatar.tsx';
import { CameraOffIcon, MicOffIcon } from './Icons.tsx';

interface Props {
  peerId: string;
  name: string;
  roleLabel: string;
  videoTrack: MediaStreamTrack | null;
  camOn: boolean;
  micOn: boolean;
  self?: boolean;
  /** The mediator's tile gets a subtle accent. */
  highlight?: boolean;
  className?: string;
  speaking?: boolean;
  handRaised?: boolean;
  /** Upload quality 0..10 (shown as bars), when known. */
  quality?: number | undefined;
  /** Called with the tile's rendered width (remote tiles: the session picks the simulcast layer from it). */
  onWidth?: ((width: number) => void) | undefined;
}

/** One participant: video (or a placeholder with initials), name, role, muted-mic badge. */
export function VideoTile({
  peerId,
  name,
  roleLabel,
  videoTrack,
  camOn,
  micOn,
  self = false,
  highlight = false,
  className = '',
  speaking = false,
  handRaised = false,
  quality,
  onWidth,
}: Props) {
  const t = useT();
  const ref = useTrackElement<HTMLVideoElement>(videoTrack);
  const figureRef = useRef<HTMLElement>(null);
  useElementWidth(figureRef, onWidth);
  const showVideo = camOn && videoTrack !== null;
  return (
    <figure
      ref={figureRef}
      className={`tile${self ? ' tile--self' : ''}${highlight ? ' tile--highlight' : ''}${speaking ? ' tile--speaking' : ''}${showVideo ? '' : ' tile--no-video'} ${className}`.trim()}
      data-peer-id={peerId}
      data-speaking={speaking ? 'true' : undefined}
      data-testid={self ? 'local-tile' : 'remote-tile'}
    >
      {/* Always rendered so tests and layout have a stable element; hidden behind the placeholder when off. */}
      <video ref={ref} className="tile__video" autoPlay playsInline muted data-peer-id={peerId} data-testid={self ? 'local-video' : 'remote-video'} />
      {!showVideo && (
        <div className="tile__placeholder">
          <Avatar name={name} />
          <span className="tile__placeholder-text">
            <CameraOffIcon size={16} />
            {t('room.camOffLabel')}
          </span>
        </div>
      )}
      <figcaption className="tile__caption">
        {!micOn && (
          <span className="tile__muted" title={t('room.micMuted')} aria-label={t('room.micMuted')} data-testid="muted-indicator">
            <MicOffIcon size={16} />
          </span>
        )}
        <span className="tile__name">{self ? t('room.selfName', { name }) : name}</span>
        <span className="tile__role">{roleLabel}</span>
        {handRaised && (
          <span className="tile__hand" title={t('room.handRaised')} data-testid="hand-indicator">
            {t('room.handRaised')}
          </span>
        )}
        {quality !== undefined && (
          <span
            className={`tile__quality tile__quality--${quality >= 7 ? 'good' : quality >= 4 ? 'fair' : 'bad'}`}
            title={t('room.quality', { n: quality })}
            aria-label={t('room.quality', { n: quality })}
            data-testid="quality"
          >
            <i />
            <i />
            <i />
          </span>
        )}
      </figcaption>
    </figure>
  );
}
