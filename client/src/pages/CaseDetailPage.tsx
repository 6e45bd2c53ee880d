import { useState } from 'react';
import type { MediationSessionInfo } from '@protocol/api.ts';
import type { CaseDetail } from '@protocol/cases.ts';
import { AppShell } from '../components/AppShell.tsx';
import { StatusBadge } from '../components/CaseList.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { ArrowLeftIcon, VideoCallIcon } from '../components/Icons.tsx';
import { InvitationPanel } from '../components/InvitationPanel.tsx';
import { CaseAgreementCard } from '../components/agreement/CaseAgreementCard.tsx';
import { CaseRecordCard } from '../components/mediationRecord/CaseRecordCard.tsx';
import { CaseJudicialCard } from '../components/judicial/CaseJudicialCard.tsx';
import { SessionChatLog } from '../components/SessionChatLog.tsx';
import { RecordingsCard } from '../components/RecordingsCard.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText, formatDateTime, sideLabel } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { Link, navigate } from '../router.tsx';
import { CaseLoopActivity, CaseLoopPanel, CaseLoopSide } from '../components/caseloop/CaseLoopPanel.tsx';

interface Loaded {
  detail: CaseDetail;
  sessions: MediationSessionInfo[];
}

export function CaseDetailPage({ caseId }: { caseId: string }) {
  const t = useT();
  const state = useAsync<Loaded>(async () => {
    const [detail, sessions] = await Promise.all([api.getCase(caseId), api.listSessions(caseId)]);
    return { detail, sessions };
  }, [caseId]);

  return (
    <AppShell staff>
      <Link to="/" className="back-link">
        <ArrowLeftIcon size={18} />
        {t('case.back')}
      </Link>
      {state.loading && !state.data && <Spinner label={t('common.loading')} />}
      {state.error !== undefined && !state.data && <Alert>{errorText(t, state.error)}</Alert>}
      {state.data && <CaseDetailView data={state.data} reload={state.reload} setData={state.setData} />}
    </AppShell>
  );
}

function CaseDetailView({ data, reload, setData }: { data: Loaded; reload: () => void; setData: (d: Loaded) => void }) {
  const t = useT();
  const language = useLanguage();
  const { detail, sessions } = data;
  const [busy, setBusy] = useState<'start' | 'end' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmingEnd, setConfirmingEnd] = useState(false);
  // The mediation this page runs; the court's hearings (the judge's, never the mediator's) are listed with the past sessions.
  const open = sessions.find((s) => s.status === 'open' && s.kind === 'mediation') ?? null;
  const past = sessions.filter((s) => s !== open);
  // What this user may do here comes from the server's rule (role table AND this case's object rule).
  const can = detail.can;
  const location = [detail.district, detail.town, detail.community, detail.grid].filter(Boolean).join(' ');

  const start = async () => {
    setBusy('start');
    setError(null);
    try {
      const session = await api.startSession(detail.id);
      setData({
        detail: { ...detail, activeSessionId: session.id },
        sessions: [session, ...sessions.filter((s) => s.id !== session.id)],
      });
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(null);
    }
  };

  const end = async (session: MediationSessionInfo) => {
    setConfirmingEnd(false);
    setBusy('end');
    setError(null);
    try {
      await api.endSession(session.id);
      reload();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div className="page-head">
        <div>
          <p className="page-head__eyebrow">
            {detail.caseNumber} · {disputeTypeLabel(t, detail.disputeType)}
          </p>
          <h1 className="page-head__title">{detail.title}</h1>
        </div>
        <StatusBadge state={detail.state} />
      </div>

      <div className="detail-layout">
        <div className="detail-layout__main">
          <CaseLoopPanel
            detail={detail}
            onChanged={(next) => (next.activeSessionId !== detail.activeSessionId ? reload() : setData({ detail: next, sessions }))}
          />
          <section className={`card session-card${open ? ' session-card--open' : ''}`} aria-labelledby="session-title" data-testid="session-card">
            <h2 className="card__title" id="session-title">
              {t('case.session')}
            </h2>
            {open ? (
              <>
                <div className="session-card__status">
                  <span className="live-dot" aria-hidden="true" />
                  <strong>{t('case.sessionOpen')}</strong>
                  <span className="muted">{t('case.sessionStartedAt', { time: formatDateTime(open.startedAt, language) })}</span>
                </div>
                <div className="session-card__actions">
                  {can['session.enter'] && (
                    <button
                      type="button"
                      className="btn btn--primary btn--lg"
                      onClick={() => navigate(`/session/${encodeURIComponent(open.id)}`)}
                      data-testid="enter-room"
                    >
                      <VideoCallIcon size={22} />
                      {t('case.enterRoom')}
                    </button>
                  )}
                  {can['session.end'] && !confirmingEnd && (
                    <button
                      type="button"
                      className="btn btn--danger-outline"
                      onClick={() => setConfirmingEnd(true)}
                      disabled={busy !== null}
                      data-testid="end-session"
                    >
                      {busy === 'end' ? t('case.ending') : t('case.endSession')}
                    </button>
                  )}
                </div>
                {confirmingEnd && (
                  <div className="confirm-box" role="alertdialog" aria-labelledby="end-confirm-text">
                    <p id="end-confirm-text">{t('case.endConfirm')}</p>
                    <div className="confirm-box__actions">
                      <button type="button" className="btn btn--ghost" onClick={() => setConfirmingEnd(false)}>
                        {t('common.cancel')}
                      </button>
                      <button type="button" className="btn btn--danger" onClick={() => void end(open)} data-testid="confirm-end-session" autoFocus>
                        {t('case.endConfirmButton')}
                      </button>
                    </div>
                  </div>
                )}
              </>
            ) : can['session.start'] ? (
              <>
                <p className="muted">{t('case.noSession')}</p>
                <div className="session-card__actions">
                  <button type="button" className="btn btn--primary btn--lg" onClick={() => void start()} disabled={busy !== null} data-testid="start-session">
                    <VideoCallIcon size={22} />
                    {busy === 'start' ? t('case.starting') : t('case.startSession')}
                  </button>
                </div>
              </>
            ) : (
              <p className="muted" data-testid="no-session">
                {t('case.noSessionReadOnly')}
              </p>
            )}
            {error && <Alert>{error}</Alert>}
          </section>

          {open && can['invitation.create'] && <InvitationPanel sessionId={open.id} parties={detail.parties} />}
          {/* The agreement and the mediation record side by side: they refer to each other once sealed. */}
          <div className="doc-pair">
            <CaseAgreementCard detail={detail} onChanged={(next) => setData({ detail: next, sessions })} />
            <CaseRecordCard detail={detail} />
          </div>
          <CaseJudicialCard detail={detail} />
          {can['recording.review'] && <RecordingsCard caseId={detail.id} canCompose={can['recording.compose']} />}
          {can['session.chat'] && <SessionChatLog sessions={sessions} />}
          <CaseLoopActivity detail={detail} />
        </div>

        <aside className="detail-layout__side">
          <section className="card" aria-labelledby="info-title">
            <h2 className="card__title" id="info-title">
              {t('case.info')}
            </h2>
            <dl className="info-list">
              <dt>{t('case.number')}</dt>
              <dd>{detail.caseNumber}</dd>
              <dt>{t('case.type')}</dt>
              <dd>{disputeTypeLabel(t, detail.disputeType)}</dd>
              <dt>{t('case.createdAt')}</dt>
              <dd>{formatDateTime(detail.createdAt, language)}</dd>
              {detail.leadMediator && (
                <>
                  <dt>{t('case.mediator')}</dt>
                  <dd>{detail.leadMediator.displayName}</dd>
                </>
              )}
              {location && (
                <>
                  <dt>{t('case.location')}</dt>
                  <dd>{location}</dd>
                </>
              )}
            </dl>
            <h3 className="subsection__title">{t('case.parties')}</h3>
            <ul className="party-list">
              {detail.parties.map((p) => (
                <li key={p.id}>
                  <span className={`party-chip__side party-chip__side--${p.side}`}>{sideLabel(t, p.side)}</span>
                  <span>{p.name}</span>
                  <span className="muted">{p.phoneMasked}</span>
                </li>
              ))}
            </ul>
            <h3 className="subsection__title">{t('case.description')}</h3>
            <p className="description">{detail.description}</p>
          </section>

          <CaseLoopSide detail={detail} />

          {past.length > 0 && (
            <section className="card" aria-labelledby="history-title">
              <h2 className="card__title" id="history-title">
                {t('case.history')}
              </h2>
              <ul className="history-list">
                {past.map((s) => (
                  <li key={s.id} data-kind={s.kind}>
                    {s.kind === 'hearing' && <span className="tag">{t('hearing.badge')}</span>}{' '}
                    {t('case.historyItem', {
                      start: formatDateTime(s.startedAt, language),
                      end: s.endedAt ? formatDateTime(s.endedAt, language) : '—',
                    })}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </aside>
      </div>
    </>
  );
}
