import type { ReactNode } from 'react';
import type { EndReason } from '../services/media/sessionState.ts';
import { hasKey } from '../i18n/index.ts';
import { useRoomT } from '../i18n/roomWording.tsx';
import { AppShell } from './AppShell.tsx';
import { MessageCard } from './Feedback.tsx';

interface Props {
  reason: EndReason;
  error: { code: string; message: string } | null;
  onRejoin: () => void;
  actions?: ReactNode | undefined;
  /** What comes next and whom to call (invited participants). */
  nextSteps?: ReactNode | undefined;
}

/** After the room: why it ended, and what the person can do now. */
export function EndScreen({ reason, error, onRejoin, actions, nextSteps }: Props) {
  const t = useRoomT();
  const title = t(`room.end.${reason}`);
  let body = t(`room.end.${reason}.body`);
  if (reason === 'refused' && error) {
    const key = `room.refused.${error.code}`;
    if (hasKey(key)) body = t(key);
  }
  // The mediator's own words when they did not admit someone.
  if (reason === 'denied' && error?.message) body = `${body} ${error.message}`;
  // Rejoining makes sense when the person left or the network failed, not when the session is over.
  // After declining the recording notice, "rejoin" shows the notice again (the person may change their mind).
  const canRejoin =
    reason === 'left' ||
    reason === 'disconnected' ||
    reason === 'error' ||
    reason === 'recording_declined' ||
    reason === 'recording_left' ||
    (reason === 'refused' && error?.code !== 'gone');
  const final = reason === 'ended' || reason === 'session_closed' || reason === 'replaced' || reason === 'removed' || reason === 'denied';

  return (
    <AppShell narrow>
      <MessageCard
        title={title}
        actions={
          <>
            {canRejoin && (
              <button type="button" className="btn btn--primary btn--lg" onClick={onRejoin} data-testid="rejoin">
                {t(reason === 'recording_declined' || reason === 'recording_left' ? 'rec.end.again' : 'room.rejoin')}
              </button>
            )}
            {actions}
          </>
        }
      >
        <p data-testid="end-reason" data-reason={reason}>
          {body}
        </p>
        {nextSteps}
        {final && <p className="muted">{t('room.closePage')}</p>}
      </MessageCard>
    </AppShell>
  );
}
