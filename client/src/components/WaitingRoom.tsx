import type { RoomStateInfo } from '@protocol/signalling.ts';
import { useRoomT } from '../i18n/roomWording.tsx';
import { useTrackElement } from '../hooks/useTrackElement.ts';
import type { PartyContext } from './EndNextSteps.tsx';
import { LeaveIcon } from './Icons.tsx';

interface Props {
  state: RoomStateInfo;
  videoTrack: MediaStreamTrack | null;
  camOn: boolean;
  onLeave: () => void;
  /** The case and the mediator, so the person knows they are in the right place. */
  context?: PartyContext | undefined;
}

/** The waiting room: own camera preview, which case and which mediator, and "the mediator will let you in". */
export function WaitingRoom({ state, videoTrack, camOn, onLeave, context }: Props) {
  const t = useRoomT();
  const ref = useTrackElement<HTMLVideoElement>(videoTrack);
  return (
    <section className="lobby" data-testid="lobby">
      <span className="state-chip state-chip--lobby" data-testid="room-state">
        {t('room.state.lobby')}
      </span>
      <div className="lobby__preview">
        <video ref={ref} autoPlay playsInline muted className="lobby__video" hidden={!camOn || !videoTrack} />
      </div>
      <h1 className="lobby__title">{t('room.lobby.title')}</h1>
      {context && (
        <dl className="lobby__facts" data-testid="lobby-facts">
          <div>
            <dt>{t('room.lobby.case')}</dt>
            <dd data-testid="lobby-case">{context.caseTitle}</dd>
          </div>
          <div>
            <dt>{t('room.lobby.mediator')}</dt>
            <dd data-testid="lobby-mediator">{context.contact.mediatorName}</dd>
          </div>
        </dl>
      )}
      <p className="lobby__body">{t('room.lobby.body')}</p>
      {state.locked && <p className="lobby__body">{t('room.lobby.locked')}</p>}
      {state.paused && <p className="pill pill--warning">{t('room.state.paused')}</p>}
      <button type="button" className="control control--leave lobby__leave" onClick={onLeave} data-testid="leave">
        <span className="control__icon">
          <LeaveIcon size={32} />
        </span>
        <span className="control__label">{t('room.leave')}</span>
      </button>
    </section>
  );
}
