import type { MediaSession } from '../services/MediaSession.ts';
import type { MediaSessionState } from '../services/media/sessionState.ts';
import { noticeNeeded } from '../services/recording.ts';
import { useT } from '../i18n/index.ts';
import { Dialog } from './Dialog.tsx';
import { RecordingNotice } from './RecordingNotice.tsx';

/**
 * The recording notice over the room: when the mediator turns recording on mid-session, or when
 * the server held back our join for it (recording began after the pre-join page). It cannot be
 * dismissed: the person agrees, or declines and leaves.
 */
export function RecordingConsentDialog({ session, state }: { session: MediaSession; state: MediaSessionState }) {
  const t = useT();
  const answering = state.consent === 'answering';
  const open = state.status !== 'closed' && (answering || noticeNeeded(state.room?.recording, state.consent));
  const inRoom = state.consent !== 'asked' && state.room !== null && !(answering && state.status !== 'joined');
  return (
    <Dialog open={open} title={t(inRoom ? 'rec.notice.midTitle' : 'rec.notice.title')} onClose={() => undefined} closable={false} testId="recording-consent">
      <RecordingNotice
        where={inRoom ? 'room' : 'before'}
        busy={answering}
        failed={state.notice === 'consent-failed'}
        onAnswer={(accepted) => void session.answerRecordingConsent(accepted)}
      />
    </Dialog>
  );
}
