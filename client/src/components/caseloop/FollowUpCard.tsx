import { useState } from 'react';
import type { CaseDetail, FollowUpLinkInfo } from '@protocol/cases.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText, formatDateTime } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { CopyField } from '../CopyField.tsx';
import { Alert } from '../Feedback.tsx';
import { loopLabel } from './labels.ts';

/** 回访: recorded follow-ups, and a no-login link for the party (shown once, like an invitation). */
export function FollowUpCard({ detail, refreshKey, canLink }: { detail: CaseDetail; refreshKey: string; canLink: boolean }) {
  const t = useT();
  const language = useLanguage();
  const followUps = useAsync(() => loopApi.followUps(detail.id), [detail.id, refreshKey, detail.state]);
  const [link, setLink] = useState<(FollowUpLinkInfo & { qrSvg?: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const awaiting = detail.state === 'closed_settled' || detail.state === 'closed_unsettled';

  const makeLink = async () => {
    setBusy(true);
    setError(null);
    try {
      setLink(await loopApi.followUpLink(detail.id));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="followup-title" data-testid="followup-card">
      <h2 className="card__title" id="followup-title">
        {t('cl.fu.title')}
      </h2>
      {(followUps.data ?? []).length === 0 && <p className="muted">{awaiting ? t('cl.fu.pending') : t('cl.fu.none')}</p>}
      {(followUps.data ?? []).length > 0 && (
        <ul className="followup-list">
          {followUps.data!.map((f) => (
            <li key={f.id} data-testid="followup-item">
              <span className={`badge ${f.satisfaction === 'not_satisfied' ? 'badge--bad' : 'badge--good'}`}>
                {loopLabel(t, 'satisfaction', f.satisfaction)}
              </span>{' '}
              <span>{loopLabel(t, 'method', f.method)}</span> · <span className="muted">{formatDateTime(f.date, language)}</span>
              {f.notes && <p className="followup-list__notes">{f.notes}</p>}
            </li>
          ))}
        </ul>
      )}
      {awaiting && canLink && (
        <div className="followup-link">
          {!link && (
            <button type="button" className="btn btn--secondary btn--sm" onClick={() => void makeLink()} disabled={busy} data-testid="followup-link-create">
              {t('cl.fu.makeLink')}
            </button>
          )}
          {link && (
            <div className="invite-link" data-testid="followup-link">
              <div className="invite-link__main">
                <p className="muted">{t('cl.fu.linkHint')}</p>
                <CopyField value={link.url} label={t('cl.fu.title')} />
                <p className="invite-link__meta">{t('invite.expiresAt', { time: formatDateTime(link.expiresAt, language) })}</p>
              </div>
              {link.qrSvg && (
                <figure className="invite-link__qr">
                  <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qrSvg)}`} alt={t('cl.fu.title')} width={132} height={132} />
                  <figcaption>{t('invite.scan')}</figcaption>
                </figure>
              )}
            </div>
          )}
        </div>
      )}
      {error && <Alert>{error}</Alert>}
    </section>
  );
}
