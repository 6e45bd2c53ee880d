import { useEffect, useState } from 'react';
import type { RecordingInfo, RecordingTrackInfo } from '@protocol/recording.ts';
import type { ParticipantRole, PartySide } from '@protocol/roles.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { useLanguage, useT, type Translate } from '../i18n/index.ts';
import { errorText, formatDateTime, participantLabel } from '../i18n/labels.ts';
import { recordingsApi, recordingUrls } from '../services/recordingsApi.ts';
import { copyText } from './CopyField.tsx';
import { Alert } from './Feedback.tsx';
import { PlayIcon } from './Icons.tsx';
import '../styles/recordings.css';

/** While a composition is queued or running, the list is read again this often. */
const POLL_MS = 2000;
/** The playback cookie lasts 30 minutes; it is renewed well before. */
const RENEW_PLAYBACK_MS = 10 * 60_000;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** Time of day with seconds (a track's start and end; the date is the session's). */
function timeOfDay(iso: string, language: string): string {
  return new Date(iso).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

const busy = (r: RecordingInfo) => r.compose.state === 'queued' || r.compose.state === 'running';

/**
 * 录音录像 on the case page, for the case's mediator, supervisors and admins (`can['recording.review']`):
 * per recorded session the composition (progress while it runs), the review video in an in-page
 * player, the track files with their size and SHA-256, and downloads. The media element and the
 * download links carry a short-lived cookie scoped to the recording (set here with the login's
 * token), never a token in the URL.
 */
export function RecordingsCard({ caseId, canCompose }: { caseId: string; canCompose: boolean }) {
  const t = useT();
  const list = useAsync(() => recordingsApi.list(caseId), [caseId]);
  const recordings = list.data ?? [];
  const polling = recordings.some(busy);
  const withFiles = recordings.filter((r) => r.deletedAt === null).map((r) => r.id);
  const filesKey = withFiles.join(',');
  const [allowed, setAllowed] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!polling) return;
    const timer = window.setInterval(list.reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [polling, list.reload]);

  useEffect(() => {
    if (filesKey === '') return;
    let cancelled = false;
    const ids = filesKey.split(',');
    const allow = () =>
      Promise.all(ids.map((id) => recordingsApi.allowPlayback(id))).then(
        () => !cancelled && setAllowed(new Set(ids)),
        (e: unknown) => !cancelled && setError(errorText(t, e)),
      );
    void allow();
    const timer = window.setInterval(() => void allow(), RENEW_PLAYBACK_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [filesKey, t]);

  const retry = async (id: string) => {
    setError(null);
    try {
      await recordingsApi.compose(id);
      list.reload();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <section className="card recordings" aria-labelledby="rec-title" data-testid="recordings-card">
      <h2 className="card__title" id="rec-title">
        {t('rec.title')}
      </h2>
      {list.error !== undefined && !list.data && <Alert>{errorText(t, list.error)}</Alert>}
      {list.data && recordings.length === 0 && <p className="muted">{t('rec.none')}</p>}
      {recordings.map((r) => (
        <RecordingItem key={r.id} r={r} playable={allowed.has(r.id)} canCompose={canCompose} onRetry={() => void retry(r.id)} />
      ))}
      {error && <Alert>{error}</Alert>}
    </section>
  );
}

function ComposeStatus({ r, canCompose, onRetry }: { r: RecordingInfo; canCompose: boolean; onRetry: () => void }) {
  const t = useT();
  const { state, progress } = r.compose;
  const percent = `${Math.round(progress * 100)}%`;
  return (
    <div className={`rec-compose rec-compose--${state}`} data-testid="rec-compose" data-state={state}>
      <span className="rec-compose__label">{state === 'running' ? t('rec.compose.running', { percent }) : t(`rec.compose.${state}`)}</span>
      {(state === 'queued' || state === 'running') && (
        <progress className="rec-compose__bar" max={1} value={state === 'running' ? progress : undefined} aria-label={t('rec.compose.progress')} />
      )}
      {state === 'failed' && canCompose && r.deletedAt === null && (
        <button type="button" className="btn btn--secondary btn--sm" onClick={onRetry} data-testid="rec-retry">
          {t('rec.compose.retry')}
        </button>
      )}
    </div>
  );
}

function RecordingItem({ r, playable, canCompose, onRetry }: { r: RecordingInfo; playable: boolean; canCompose: boolean; onRetry: () => void }) {
  const t = useT();
  const language = useLanguage();
  const kept = r.deletedAt === null;
  return (
    <article className="rec-item" data-testid="recording" data-recording-id={r.id}>
      <header className="rec-item__head">
        <h3 className="rec-item__title">
          {t('rec.session', { start: formatDateTime(r.startedAt, language), end: r.endedAt ? timeOfDay(r.endedAt, language) : t('rec.recording') })}
        </h3>
        {kept && r.endedAt && <ComposeStatus r={r} canCompose={canCompose} onRetry={onRetry} />}
      </header>
      {kept && r.compose.state === 'done' && playable && (
        <>
          <Player r={r} />
          <div className="rec-item__actions">
            <a className="btn btn--secondary btn--sm" href={recordingUrls.composedDownload(r.id)} download data-testid="rec-download">
              {t('rec.download')}
            </a>
            {r.compose.sha256 && <Sha label={t('rec.hash')} value={r.compose.sha256} />}
            {r.compose.bytes !== null && <span className="muted">{formatBytes(r.compose.bytes)}</span>}
          </div>
        </>
      )}
      <p className="muted rec-item__retention">
        {kept
          ? [
              r.totalBytes > 0 ? t('rec.size', { size: formatBytes(r.totalBytes) }) : null,
              r.deleteAfter ? t('rec.deleteAfter', { date: formatDateTime(r.deleteAfter, language) }) : null,
            ]
              .filter(Boolean)
              .join(' · ')
          : t('rec.deleted', { date: formatDateTime(r.deletedAt!, language) })}
      </p>
      {r.tracks.length > 0 && (
        <details className="rec-tracks" open={r.tracks.length <= 8}>
          <summary>{t('rec.tracks', { n: r.tracks.length })}</summary>
          <ul className="rec-tracks__list">
            {r.tracks.map((track) => (
              <TrackRow key={track.id} recordingId={r.id} track={track} downloadable={kept && playable} />
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

/**
 * The review video: nothing is fetched until the reviewer presses play (every playback is on the
 * case timeline, so showing the page must not count as one); then the player, playing.
 */
function Player({ r }: { r: RecordingInfo }) {
  const t = useT();
  const [on, setOn] = useState(false);
  const seconds = r.endedAt ? Math.round((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000) : null;
  if (!on) {
    return (
      <button type="button" className="rec-item__poster" onClick={() => setOn(true)} data-testid="rec-play">
        <PlayIcon size={40} />
        <span>
          {t('rec.play')}
          {seconds !== null && ` · ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`}
        </span>
      </button>
    );
  }
  return <video className="rec-item__player" controls autoPlay src={recordingUrls.composed(r.id)} aria-label={t('rec.player')} data-testid="rec-player" />;
}

function who(t: Translate, track: RecordingTrackInfo): string {
  const role = participantLabel(t, { role: track.role as ParticipantRole, side: track.side as PartySide | null });
  return track.displayName === role ? role : `${track.displayName} · ${role}`;
}

function TrackRow({ recordingId, track, downloadable }: { recordingId: string; track: RecordingTrackInfo; downloadable: boolean }) {
  const t = useT();
  const language = useLanguage();
  const time = (iso: string) => timeOfDay(iso, language);
  return (
    <li className="rec-track" data-testid="rec-track">
      <span className="rec-track__line">
        <span className="rec-track__who">{who(t, track)}</span>
        <span className={`rec-track__kind rec-track__kind--${track.kind}`}>
          {t(`rec.kind.${track.kind}`)} · {t(`rec.source.${track.source}`)} · {track.codec}
        </span>
      </span>
      <span className="rec-track__line muted">
        <span>
          {time(track.startedAt)} – {track.endedAt ? time(track.endedAt) : t('rec.stillWriting')}
        </span>
        <span>{track.bytes !== null ? formatBytes(track.bytes) : t('rec.stillWriting')}</span>
        {track.gaps.length > 0 && (
          <span className="rec-track__gaps" title={track.gaps.map((g) => `${time(g.from)} – ${time(g.to)} ${t(`rec.gap.${g.reason}`)}`).join('\n')}>
            {t('rec.gaps', { n: track.gaps.length })}
          </span>
        )}
      </span>
      <span className="rec-track__line">
        {track.sha256 && <Sha label={t('rec.sha')} value={track.sha256} />}
        {downloadable && (
          <a className="btn btn--text btn--sm" href={recordingUrls.trackDownload(recordingId, track.id)} download>
            {t('rec.downloadTrack')}
          </a>
        )}
      </span>
    </li>
  );
}

/** A SHA-256 shortened to its first 12 characters; the full value on hover and by the copy button. */
function Sha({ label, value }: { label: string; value: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <span className="rec-sha">
      <span className="muted">{label}</span>{' '}
      <code title={value} data-testid="rec-sha">
        {value.slice(0, 12)}…
      </code>
      <button
        type="button"
        className="btn btn--text btn--sm"
        aria-label={t('rec.copySha')}
        title={t('rec.copySha')}
        onClick={() => void copyText(value).then(setCopied)}
      >
        {copied ? t('rec.copied') : t('rec.copy')}
      </button>
    </span>
  );
}
