import type { RoomStateInfo } from '@protocol/signalling.ts';
import { useT, type MessageKey } from '../i18n/index.ts';

/** One clear line: in session / private session / other side in caucus / mediator reconnecting / muted. */
export function RoomStateBanner({ state, mutedByMediator }: { state: RoomStateInfo; mutedByMediator: boolean }) {
  const t = useT();
  let key: MessageKey = 'room.state.main';
  let tone = 'main';
  if (state.paused) {
    key = 'room.state.paused';
    tone = 'paused';
  } else if (state.caucus.active && state.caucus.withMe) {
    key = 'room.state.caucus';
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
      {mutedByMediator && (
        <span className="state-chip state-chip--muted" data-testid="muted-by-mediator">
          {t('room.state.mutedByMediator')}
        </span>
      )}
    </div>
  );
}
