import { useT } from '../i18n/index.ts';
import '../styles/recording.css';

interface Props {
  /** Before joining (pre-join page, or the server held the join back) or mid-session in the room. */
  where: 'before' | 'room';
  busy?: boolean;
  failed?: boolean;
  onAnswer: (accepted: boolean) => void;
}

/** The recording notice and its two answers (本次调解将全程录音录像…). */
export function RecordingNotice({ where, busy = false, failed = false, onAnswer }: Props) {
  const t = useT();
  return (
    <div className="rec-notice" data-testid="recording-notice" data-where={where}>
      <p className="rec-notice__body">
        <span className="rec-notice__dot" aria-hidden="true" />
        {t('rec.notice.body')}
      </p>
      <p className="rec-notice__if-not">{t(where === 'room' ? 'rec.notice.ifNotInRoom' : 'rec.notice.ifNot')}</p>
      {failed && (
        <p className="rec-notice__failed" role="alert">
          {t('rec.notice.failed')}
        </p>
      )}
      <div className="rec-notice__actions">
        <button type="button" className="btn btn--primary btn--xl btn--block" disabled={busy} onClick={() => onAnswer(true)} data-testid="recording-accept">
          {busy ? t('rec.notice.sending') : t(where === 'room' ? 'rec.notice.acceptInRoom' : 'rec.notice.accept')}
        </button>
        <button
          type="button"
          className="btn btn--danger-outline btn--lg btn--block"
          disabled={busy}
          onClick={() => onAnswer(false)}
          data-testid="recording-decline"
        >
          {t(where === 'room' ? 'rec.notice.declineInRoom' : 'rec.notice.decline')}
        </button>
      </div>
    </div>
  );
}
