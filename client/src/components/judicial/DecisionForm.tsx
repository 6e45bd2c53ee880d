import { useState } from 'react';
import { judicialDecisions, type JudicialApplicationView, type JudicialDecision } from '@protocol/judicial.ts';
import { useT } from '../../i18n/index.ts';
import { errorText, fieldErrorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/ApiError.ts';
import { judicialApi } from '../../services/judicialApi.ts';
import { ConfirmDialog } from '../Dialog.tsx';
import { Alert } from '../Feedback.tsx';
import { useJT } from './i18n.ts';

/**
 * The judge's decision: 确认有效 or 驳回申请, the reasons (required for a rejection; they go into the
 * ruling), then a confirmation dialog, since the sealed ruling cannot be changed.
 */
export function DecisionForm({ applicationId, onDecided }: { applicationId: string; onDecided: (view: JudicialApplicationView) => void }) {
  const t = useJT();
  const tm = useT();
  const [decision, setDecision] = useState<JudicialDecision | null>(null);
  const [reasons, setReasons] = useState('');
  const [problem, setProblem] = useState<{ field: 'decision' | 'reasons'; text: string } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);

  const check = () => {
    setFailure(null);
    if (!decision) return setProblem({ field: 'decision', text: t('review.chooseDecision') });
    if (decision === 'rejected' && reasons.trim() === '') return setProblem({ field: 'reasons', text: t('review.reasonsRequired') });
    setProblem(null);
    setAsking(true);
  };
  const decide = async () => {
    if (!decision || busy) return;
    setBusy(true);
    try {
      onDecided(await judicialApi.decide(applicationId, { decision, reasons: reasons.trim() }));
    } catch (e) {
      const field = e instanceof ApiError ? e.fields?.['reasons'] : undefined;
      if (field) setProblem({ field: 'reasons', text: fieldErrorText(tm, 'reasons', field) });
      else setFailure(e);
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  return (
    <section className="card" aria-labelledby="judicial-decision-title" data-testid="judicial-decision-form">
      <h2 className="card__title" id="judicial-decision-title">
        {t('review.decision')}
      </h2>
      <p>{t('review.decisionHint')}</p>
      <div className="jud-choice" role="radiogroup" aria-label={t('review.decision')}>
        {judicialDecisions.map((d) => (
          <label key={d}>
            <input
              type="radio"
              name="judicial-decision"
              value={d}
              checked={decision === d}
              onChange={() => {
                setDecision(d);
                setProblem(null);
              }}
              data-testid={`judicial-decide-${d}`}
            />
            {t(`decision.${d}`)}
          </label>
        ))}
      </div>
      {problem?.field === 'decision' && <p className="field__error">{problem.text}</p>}
      <div className={`field${problem?.field === 'reasons' ? ' field--invalid' : ''}`}>
        <label htmlFor="judicial-reasons">{t('review.reasons')}</label>
        <textarea
          id="judicial-reasons"
          className="jud-reasons"
          rows={4}
          maxLength={4000}
          value={reasons}
          onChange={(e) => setReasons(e.target.value)}
          aria-invalid={problem?.field === 'reasons' || undefined}
          data-testid="judicial-reasons-input"
        />
        {problem?.field === 'reasons' ? (
          <p className="field__error" data-testid="judicial-reasons-error">
            {problem.text}
          </p>
        ) : (
          <p className="field__hint">{t(decision === 'rejected' ? 'review.reasonsHintRejected' : 'review.reasonsHintConfirmed')}</p>
        )}
      </div>
      {failure !== null && <Alert>{errorText(tm, failure)}</Alert>}
      <div className="agr-actions">
        <button type="button" className="btn btn--primary btn--lg" disabled={busy} onClick={check} data-testid="judicial-decide-submit">
          {t('review.submit')}
        </button>
      </div>
      <ConfirmDialog
        open={asking}
        title={decision ? t(`review.confirmTitle.${decision}`) : ''}
        body={
          <>
            <p>{t('review.confirmBody')}</p>
            {reasons.trim() && (
              <p>
                {t('reasons')}
                {t('sep.colon')}
                {reasons.trim()}
              </p>
            )}
          </>
        }
        confirmLabel={t('review.confirmButton')}
        danger={decision === 'rejected'}
        onConfirm={() => void decide()}
        onCancel={() => setAsking(false)}
        testId="judicial-decide-confirm"
      />
    </section>
  );
}
