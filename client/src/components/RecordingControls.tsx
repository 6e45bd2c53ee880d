import { useState } from 'react';
import type { RecordingDeclineInfo, RecordingStateInfo } from '@protocol/recording.ts';
import type { ParticipantRole, PartySide } from '@protocol/roles.ts';
import type { MediaSession } from '../services/MediaSession.ts';
import { useLanguage, type Translate } from '../i18n/index.ts';
import { useRoomT } from '../i18n/roomWording.tsx';
import { errorText, formatClockTime, participantLabel } from '../i18n/labels.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { RecordingIndicator } from './RecordingIndicator.tsx';
import '../styles/recording.css';

/** "张三（申请人）不同意录音录像，未进入" */
export function declineText(t: Translate, d: RecordingDeclineInfo, key: 'rec.declined.line' | 'rec.declined.toast' = 'rec.declined.line'): string {
  const role = participantLabel(t, { role: d.role as ParticipantRole, side: d.side as PartySide | null });
  return t(key, { name: d.displayName, role });
}

/**
 * The mediator's recording section: start (after a confirmation), pause and resume, a refusal
 * in plain words (e.g. the disk is low), and who declined the notice and when.
 */
export function RecordingControls({ session, recording }: { session: MediaSession; recording: RecordingStateInfo }) {
  const t = useRoomT();
  const language = useLanguage();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const act = (request: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    request()
      .catch((e: unknown) => setError(e))
      .finally(() => setBusy(false));
  };

  const since = recording.since ? formatClockTime(recording.since, language) : null;
  return (
    <section className="panel rec-panel" data-testid="recording-controls" data-state={recording.state}>
      <h2 className="panel__title">
        {t('rec.control.title')}
        <RecordingIndicator recording={recording} echo />
      </h2>
      {recording.state === 'off' && <p className="muted">{t('rec.control.off')}</p>}
      {recording.state === 'recording' && since && <p className="muted">{t('rec.control.recordingSince', { time: since })}</p>}
      {recording.state === 'paused' && since && <p className="muted">{t('rec.control.pausedSince', { time: since })}</p>}
      {error !== null && (
        <p className="rec-panel__error" role="alert" data-testid="recording-error">
          {errorText(t, error)}
        </p>
      )}
      <div className="rec-panel__actions">
        {recording.state === 'off' && (
          <button type="button" className="btn btn--danger btn--block" disabled={busy} onClick={() => setConfirming(true)} data-testid="recording-start">
            <span className="rec-panel__dot" aria-hidden="true" />
            {t('rec.control.start')}
          </button>
        )}
        {recording.state === 'recording' && (
          <button
            type="button"
            className="btn btn--secondary btn--block"
            disabled={busy}
            onClick={() => act(() => session.pauseRecording())}
            data-testid="recording-pause"
          >
            {t('rec.control.pause')}
          </button>
        )}
        {recording.state === 'paused' && (
          <button
            type="button"
            className="btn btn--danger btn--block"
            disabled={busy}
            onClick={() => act(() => session.resumeRecording())}
            data-testid="recording-resume"
          >
            {t('rec.control.resume')}
          </button>
        )}
      </div>
      {recording.declined.length > 0 && (
        <div className="rec-panel__declined" data-testid="recording-declined">
          <h3 className="rec-panel__subtitle">{t('rec.declined.title')}</h3>
          <ul>
            {recording.declined.map((d) => (
              <li key={`${d.displayName}|${d.at}`} data-testid="recording-declined-row">
                <span>{declineText(t, d)}</span>{' '}
                <time className="muted" dateTime={d.at}>
                  {formatClockTime(d.at, language)}
                </time>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={t('rec.control.confirm.title')}
        body={<p>{t('rec.control.confirm.body')}</p>}
        confirmLabel={t('rec.control.confirm.ok')}
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          act(() => session.startRecording());
        }}
        testId="confirm-recording"
      />
    </section>
  );
}
