import { useEffect, useState, type FormEvent } from 'react';
import type { PublicFollowUpPreview } from '@protocol/cases.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, MessageCard, Spinner } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { useLanguage, useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText, formatDateTime } from '../i18n/labels.ts';
import { ApiError } from '../services/api.ts';
import { publicApi } from '../services/caseloopApi.ts';
import { replaceAddress, useLocation } from '../router.tsx';

const FU_KEY = 'cm.followUpToken';
const choices = ['satisfied', 'basically_satisfied', 'not_satisfied'] as const;

/** The token arrives in the fragment (#t=…); it is kept for the tab and dropped from the address bar. */
function takeToken(hash: string): string | null {
  const fromHash = new URLSearchParams(hash.replace(/^#/, '')).get('t');
  if (fromHash) {
    try {
      sessionStorage.setItem(FU_KEY, fromHash);
    } catch {
      /* ignore */
    }
    return fromHash;
  }
  try {
    return sessionStorage.getItem(FU_KEY);
  } catch {
    return null;
  }
}

/** 回访: the party says whether they are satisfied, without logging in. Phone-first. */
export function FollowUpPage() {
  const t = useT();
  const language = useLanguage();
  const location = useLocation();
  const [token] = useState(() => takeToken(location.hash));
  const [preview, setPreview] = useState<PublicFollowUpPreview | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [choice, setChoice] = useState<(typeof choices)[number] | ''>('');
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (location.hash.includes('t=')) replaceAddress('/followup');
  }, [location.hash]);

  useEffect(() => {
    if (!token) return;
    publicApi.followUpPreview(token).then(setPreview, setLoadError);
  }, [token]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token) return;
    setError(null);
    if (!choice) {
      setError(t('cl.fu.pick'));
      return;
    }
    setBusy(true);
    try {
      await publicApi.recordFollowUp(token, { satisfaction: choice, ...(notes.trim() ? { notes } : {}) });
      setDone(true);
      try {
        sessionStorage.removeItem(FU_KEY);
      } catch {
        /* ignore */
      }
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (!token) body = <MessageCard title={t('cl.fu.invalid')}>{t('cl.fu.invalidBody')}</MessageCard>;
  else if (loadError !== null)
    body = (
      <MessageCard title={t('cl.fu.invalid')}>
        {loadError instanceof ApiError && (loadError.code === 'gone' || loadError.code === 'unauthenticated' || loadError.code === 'not_found')
          ? t('cl.fu.invalidBody')
          : errorText(t, loadError)}
      </MessageCard>
    );
  else if (!preview) body = <Spinner label={t('common.loading')} />;
  else if (done)
    body = (
      <MessageCard title={t('cl.fu.thanks')}>
        <p data-testid="followup-done">{t('cl.fu.thanksBody')}</p>
      </MessageCard>
    );
  else if (!preview.canRecord) body = <MessageCard title={t('cl.fu.already')}>{t('cl.fu.alreadyBody')}</MessageCard>;
  else
    body = (
      <section className="card public-form followup-form" data-testid="followup-page">
        <p className="page-head__eyebrow">
          {preview.caseNumber} · {disputeTypeLabel(t, preview.disputeType)}
        </p>
        <h1 className="card__title public-form__title">{t('cl.fu.question')}</h1>
        <p className="card__subtitle">
          {preview.closedAs === 'settled' ? t('cl.fu.closedSettled') : t('cl.fu.closedUnsettled')}
          {preview.closedAt && ` · ${formatDateTime(preview.closedAt, language)}`}
        </p>
        <form className="form" onSubmit={(e) => void submit(e)} noValidate>
          <div className="choice-list" role="radiogroup" aria-label={t('cl.fu.question')}>
            {choices.map((c) => (
              <label key={c} className={`choice choice--${c}${choice === c ? ' choice--on' : ''}`} data-testid={`choice-${c}`}>
                <input type="radio" name="satisfaction" value={c} checked={choice === c} onChange={() => setChoice(c)} />
                <Face kind={c} />
                <span className="choice__label">{t(`cl.satisfaction.${c}`)}</span>
              </label>
            ))}
          </div>
          <FormField label={t('cl.fu.notes')} optional={t('common.optional')}>
            <textarea name="notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder={t('cl.fu.notesHint')} />
          </FormField>
          {error && <Alert>{error}</Alert>}
          <button type="submit" className="btn btn--primary btn--xl btn--block" disabled={busy} data-testid="followup-submit">
            {busy ? t('cl.form.saving') : t('cl.fu.submit')}
          </button>
          <p className="muted">{t('cl.fu.privacy')}</p>
        </form>
      </section>
    );

  return <AppShell narrow>{body}</AppShell>;
}

/** A simple drawn face (emoji fonts are missing on many phones and PCs). */
function Face({ kind }: { kind: (typeof choices)[number] }) {
  const mouth = kind === 'satisfied' ? 'M9 15c1.6 2.2 4.4 2.2 6 0' : kind === 'basically_satisfied' ? 'M9 15.5h6' : 'M9 17c1.6-2.2 4.4-2.2 6 0';
  return (
    <svg
      className="choice__face"
      viewBox="0 0 24 24"
      width={30}
      height={30}
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
    >
      <circle cx={12} cy={12} r={10} />
      <circle cx={9} cy={10} r={0.9} fill="currentColor" />
      <circle cx={15} cy={10} r={0.9} fill="currentColor" />
      <path d={mouth} />
    </svg>
  );
}
