import { useState } from 'react';
import type { WhistleAcceptance, WhistleInfo } from '@protocol/cases.ts';
import { AppShell } from '../components/AppShell.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { VideoCallIcon } from '../components/Icons.tsx';
import { WhistleClosedNote, WhistleCloseForm } from '../components/caseloop/WhistleCard.tsx';
import { durationText } from '../components/caseloop/labels.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { useStore } from '../hooks/useStore.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText, formatDateTime } from '../i18n/labels.ts';
import { loopApi } from '../services/caseloopApi.ts';
import { staffAuth } from '../services/session.ts';
import { Link } from '../router.tsx';

/** 吹哨任务: whistles addressed to my department; accepting gives a join link into the case's session. */
export function WhistleQueuePage() {
  const t = useT();
  const language = useLanguage();
  const [status, setStatus] = useState<'open' | 'all'>('open');
  const list = useAsync(() => loopApi.whistles({ mine: true, status }), [status]);
  const [accepted, setAccepted] = useState<Record<string, WhistleAcceptance>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  /** Cancelled (mediator) or declined (official) here: shown in place until the list is reloaded. */
  const [closed, setClosed] = useState<Record<string, WhistleInfo>>({});
  const [closing, setClosing] = useState<string | null>(null);
  const role = useStore(staffAuth)?.user.role;
  const closeKind = role === 'official' ? 'decline' : 'cancel';

  const accept = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      const result = await loopApi.acceptWhistle(id);
      setAccepted((a) => ({ ...a, [id]: result }));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('cl.whq.title')}</h1>
          <p className="page-head__subtitle">{t('cl.whq.subtitle')}</p>
        </div>
        <div className="seg" role="group">
          <button type="button" className={`btn btn--sm ${status === 'open' ? 'btn--primary' : 'btn--ghost'}`} onClick={() => setStatus('open')}>
            {t('cl.wh.status.open')}
          </button>
          <button type="button" className={`btn btn--sm ${status === 'all' ? 'btn--primary' : 'btn--ghost'}`} onClick={() => setStatus('all')}>
            {t('cl.whq.all')}
          </button>
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {list.loading && !list.data && <Spinner label={t('common.loading')} />}
      {list.error !== undefined && <Alert>{errorText(t, list.error)}</Alert>}
      {list.data && list.data.length === 0 && Object.keys(accepted).length === 0 && (
        <section className="card">
          <p className="empty">{t('cl.whq.empty')}</p>
        </section>
      )}
      <ul className="whq-list">
        {(list.data ?? []).map((listed) => {
          const w = closed[listed.id] ?? listed;
          const a = accepted[w.id];
          return (
            <li key={w.id} className={`card whq-item whq-item--${a ? 'accepted' : w.status}`} data-testid="whistle-task" data-whistle-id={w.id}>
              <div className="whq-item__head">
                <div>
                  <p className="page-head__eyebrow">
                    {w.caseNumber} · {disputeTypeLabel(t, w.disputeType)}
                  </p>
                  <h2 className="card__title">{w.caseTitle}</h2>
                </div>
                <span
                  className={`badge ${a || w.status === 'accepted' ? 'badge--good' : w.status === 'open' ? 'badge--active' : w.status === 'declined' ? 'badge--bad' : 'badge--neutral'}`}
                >
                  {t(`cl.wh.status.${a ? 'accepted' : w.status}`)}
                </span>
              </div>
              <p className="whq-item__need">
                <strong>{t('punct.colon', { label: t('cl.wh.need') })}</strong>
                {w.need}
              </p>
              <p className="muted">
                {t('cl.wh.requested', { name: w.requestedBy.displayName, time: formatDateTime(w.requestedAt, language) })} · {w.unit.name}
                {w.acceptedAt && w.responseSeconds !== null && ` · ${t('cl.whq.took', { took: durationText(t, w.responseSeconds * 1000) })}`}
              </p>
              <WhistleClosedNote whistle={w} />
              {a ? (
                <div className="whq-item__join" data-testid="whistle-accepted">
                  <a href={a.url} className="btn btn--primary btn--lg" data-testid="whistle-join">
                    <VideoCallIcon size={22} />
                    {t('cl.whq.join')}
                  </a>
                  <CopyField value={a.url} label={t('cl.whq.join')} />
                  <p className="muted">{t('invite.expiresAt', { time: formatDateTime(a.expiresAt, language) })}</p>
                </div>
              ) : w.status === 'open' && closing === w.id ? (
                <WhistleCloseForm
                  whistleId={w.id}
                  kind={closeKind}
                  onDone={(next) => {
                    setClosing(null);
                    setClosed((c) => ({ ...c, [next.id]: next }));
                  }}
                  onCancel={() => setClosing(null)}
                />
              ) : w.status === 'open' ? (
                <div className="form-actions">
                  <Link to={`/cases/${encodeURIComponent(w.caseId)}`} className="btn btn--ghost">
                    {t('cl.openCase')}
                  </Link>
                  <button
                    type="button"
                    className="btn btn--danger-outline"
                    onClick={() => {
                      setError(null);
                      setClosing(w.id);
                    }}
                    data-testid={`whistle-${closeKind}`}
                  >
                    {t(closeKind === 'decline' ? 'cl.wh.decline' : 'cl.wh.cancel')}
                  </button>
                  {role === 'official' && (
                    <button type="button" className="btn btn--primary" disabled={busy === w.id} onClick={() => void accept(w.id)} data-testid="whistle-accept">
                      {t('cl.whq.accept')}
                    </button>
                  )}
                </div>
              ) : (
                <div className="form-actions">
                  <Link to={`/cases/${encodeURIComponent(w.caseId)}`} className="btn btn--ghost">
                    {t('cl.openCase')}
                  </Link>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </AppShell>
  );
}
