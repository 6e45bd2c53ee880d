import type { RecordingStateInfo } from '@protocol/recording.ts';
import { useNow } from '../hooks/useNow.ts';
import { useT } from '../i18n/index.ts';
import { isRecordingOn, recordingClock } from '../services/recording.ts';
import '../styles/recording.css';

/**
 * "● 录制中 03:07" while recording, "录制已暂停" while paused, nothing otherwise. The room's top bar
 * has the one that is announced; a copy elsewhere (the mediator's panel) passes `echo`.
 */
export function RecordingIndicator({ recording, echo = false }: { recording: RecordingStateInfo | null | undefined; echo?: boolean }) {
  const t = useT();
  const on = isRecordingOn(recording?.state);
  const now = useNow(on && recording?.state === 'recording');
  if (!recording || !on) return null;
  const paused = recording.state === 'paused';
  return (
    <span
      className={`rec-badge${paused ? ' rec-badge--paused' : ''}`}
      role={echo ? undefined : 'status'}
      aria-label={echo ? undefined : t('rec.indicator.label')}
      data-testid={echo ? 'recording-badge' : 'recording-indicator'}
      data-state={recording.state}
    >
      <span className="rec-badge__dot" aria-hidden="true" />
      {paused ? t('rec.indicator.paused') : t('rec.indicator.recording', { time: recordingClock(recording.since, now) })}
    </span>
  );
}
