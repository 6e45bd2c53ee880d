import { useState } from 'react';
import type { JudicialApplicationView, JudicialReviewView } from '@protocol/judicial.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { ArrowLeftIcon } from '../components/Icons.tsx';
import { RecordingsCard } from '../components/RecordingsCard.tsx';
import { AgreementText, RevisionCheck, Signers } from '../components/agreement/AgreementText.tsx';
import { formatTime } from '../components/agreement/i18n.ts';
import '../components/agreement/agreement.css';
import { DecisionForm } from '../components/judicial/DecisionForm.tsx';
import { HearingControls } from '../components/judicial/HearingControls.tsx';
import { useJT } from '../components/judicial/i18n.ts';
import { Deadline, Decision, JudicialStatusPill, PartyConfirmations } from '../components/judicial/parts.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText } from '../i18n/labels.ts';
import { judicialApi } from '../services/judicialApi.ts';
import { staffAuth } from '../services/session.ts';
import { Link } from '../router.tsx';

/**
 * The judge's review of one application: the parties' confirmations, the sealed agreement (text
 * and PDF), the sealed mediation record(s), the recordings, the hearing, and the decision, after
 * which the sealed ruling with its download and verification link.
 */
export function CourtReviewPage({ applicationId }: { applicationId: string }) {
  const t = useJT();
  const tm = useT();
  const review = useAsync(() => judicialApi.review(applicationId), [applicationId]);
  return (
    <AppShell staff>
      <Link to="/court" className="back-link">
        <ArrowLeftIcon size={18} />
        {t('review.back')}
      </Link>
      {review.loading && !review.data && <Spinner label={tm('common.loading')} />}
      {review.error !== undefined && !review.data && <Alert>{errorText(tm, review.error)}</Alert>}
      {review.data && <Review review={review.data} setReview={review.setData} />}
    </AppShell>
  );
}

function Review({ review, setReview }: { review: JudicialReviewView; setReview: (r: JudicialReviewView) => void }) {
  const t = useJT();
  const tm = useT();
  const lang = useLanguage();
  const a = review.application;
  const [error, setError] = useState<string | null>(null);
  const download = (url: string, name: string) => {
    const token = staffAuth.token;
    if (!token) return;
    setError(null);
    judicialApi.downloadFile(url, token, name).catch((e: unknown) => setError(errorText(tm, e)));
  };
  const decided = (application: JudicialApplicationView) => setReview({ ...review, application, canDecide: false });

  return (
    <>
      <div className="page-head">
        <div>
          <p className="page-head__eyebrow">
            {a.caseNumber} · {disputeTypeLabel(tm, review.disputeType)}
          </p>
          <h1 className="page-head__title">{review.caseTitle}</h1>
        </div>
        <JudicialStatusPill status={a.status} />
      </div>
      {error && <Alert>{error}</Alert>}
      <div className="detail-layout" data-testid="judicial-review" data-status={a.status}>
        <div className="detail-layout__main">
          {a.decision ? (
            <section className="card" aria-labelledby="judicial-ruling-title">
              <h2 className="card__title" id="judicial-ruling-title">
                {t('review.ruling')}
              </h2>
              <Decision application={a} onDownload={(r) => download(r.downloadUrl, `民事裁定书-${r.number}.pdf`)} />
            </section>
          ) : review.canDecide ? (
            <DecisionForm applicationId={a.id} onDecided={decided} />
          ) : (
            <p className="muted">{t('review.notSubmitted')}</p>
          )}

          <section className="card" aria-labelledby="judicial-agreement-title" data-testid="judicial-review-agreement">
            <h2 className="card__title" id="judicial-agreement-title">
              {t('review.agreement')}
            </h2>
            <RevisionCheck view={review.agreement} />
            <Signers view={review.agreement} />
            <div className="agr-actions">
              <button
                type="button"
                className="btn btn--secondary"
                onClick={() => download(review.agreementPdfUrl, `人民调解协议书-${a.caseNumber}.pdf`)}
                data-testid="judicial-agreement-pdf"
              >
                {t('review.agreementPdf')}
              </button>
            </div>
            <AgreementText view={review.agreement} />
          </section>

          <section className="card" aria-labelledby="judicial-records-title" data-testid="judicial-review-records">
            <h2 className="card__title" id="judicial-records-title">
              {t('review.records')}
            </h2>
            {review.records.length === 0 && <p className="muted">{t('review.noRecords')}</p>}
            <ul className="agr-signers">
              {review.records.map((r) => (
                <li key={r.id} data-testid="judicial-record">
                  <span>
                    <b>{r.number}</b> <small>{formatTime(r.sealedAt, lang)}</small>
                  </span>
                  <button type="button" className="btn btn--text btn--sm" onClick={() => download(r.pdfUrl, `调解笔录-${r.number}.pdf`)}>
                    {t('review.recordPdf')}
                  </button>
                </li>
              ))}
            </ul>
          </section>

          {review.recordings.length > 0 ? (
            <RecordingsCard caseId={a.caseId} canCompose={false} />
          ) : (
            <section className="card" aria-labelledby="judicial-recordings-title">
              <h2 className="card__title" id="judicial-recordings-title">
                {t('review.recordings')}
              </h2>
              <p className="muted">{t('review.noRecordings')}</p>
            </section>
          )}
        </div>

        <aside className="detail-layout__side">
          <section className="card" aria-labelledby="judicial-application-title" data-testid="judicial-review-application">
            <h2 className="card__title" id="judicial-application-title">
              {t('review.title')}
            </h2>
            <p className="jud-request">{t('request')}</p>
            <dl className="agr-kv">
              <dt>{t('court')}</dt>
              <dd>{a.court.name}</dd>
              <dt>{t('agreementNo')}</dt>
              <dd>{a.agreement.caseNumber}</dd>
              {a.submittedAt && (
                <>
                  <dt>{t('queue.col.submitted')}</dt>
                  <dd>{formatTime(a.submittedAt, lang)}</dd>
                </>
              )}
            </dl>
            {a.status === 'collecting' && <Deadline deadlineAt={a.deadlineAt} />}
            <h3 className="subsection__title">{t('review.confirmations')}</h3>
            <PartyConfirmations application={a} />
          </section>
          {/* A hearing belongs to the review: while the application waits for the decision. */}
          {a.status === 'submitted' && <HearingControls applicationId={a.id} />}
        </aside>
      </div>
    </>
  );
}
