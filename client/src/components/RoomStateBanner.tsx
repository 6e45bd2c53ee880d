import type { RoomStateInfo } from '@protocol/signalling.ts';
import { type MessageKey } from '../i18n/index.ts';
import { useRoomT } from '../i18n/roomWording.tsx';

/**
 * One clear line: in session / private session (for a party: "the other side cannot hear you") /
 * other side in caucus / mediator reconnecting. Mute messages are the room's one notice, not here.
 */
export function RoomStateBanner({ state, isMediator }: { state: RoomStateInfo; isMediator: boolean }) {
  const t = useRoomT();
  let key: MessageKey = 'room.state.main';
  let tone = 'main';
  if (state.paused) {
    key = 'room.state.paused';
    tone = 'paused';
  } else if (state.caucus.active && state.caucus.withMe) {
    key = isMediator ? 'room.state.caucus' : 'room.state.caucusParty';
    tone = 'caucus';
  } else if (state.caucus.active) {
    key = 'room.state.caucusOther';
    tone = 'caucus-other';
  }
  return (
    <div className="state-line" role="status" aria-live="polite">
      <span className={`state-chip state-chip--${tone}`} data-testid="room-state" data-state={tone}>
        {t(key)}
      </span>
    </div>
  );
}
