import { useState } from 'react';
import type { SupervisionNoteInfo } from '@protocol/cases.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { Link } from '../../router.tsx';
import { Alert } from '../Feedback.tsx';
import { FormField } from '../FormField.tsx';
import { dateInput } from './labels.ts';
import { useApiSubmit } from '../../hooks/useFieldErrors.ts';

/** One supervision note (督办) with its answer, or the answer box for the responsible mediator. */
export function SupervisionNote({
  note,
  canAnswer,
  onAnswered,
  showCase = false,
}: {
  note: SupervisionNoteInfo;
  canAnswer: boolean;
  onAnswered: () => void;
  showCase?: boolean;
}) {
  const t = useT();
  const language = useLanguage();
  const [answer, setAnswer] = useState('');
  const { busy, errors, submit } = useApiSubmit(async () => {
    await loopApi.answerSupervisionNote(note.id, answer);
    setAnswer('');
    onAnswered();
  });

  return (
    <li className={`sup-note${note.overdue ? ' sup-note--overdue' : ''}${note.answer ? ' sup-note--answered' : ''}`} data-testid="supervision-note">
      <div className="sup-note__head">
        {showCase && (
          <Link to={`/cases/${encodeURIComponent(note.caseId)}`} className="sup-note__case">
            {note.caseNumber}
          </Link>
        )}
        <strong>{note.author.displayName}</strong>
        <span className="muted">{formatDateTime(note.createdAt, language)}</span>
        <span className={`badge ${note.answer ? 'badge--good' : note.overdue ? 'badge--bad' : 'badge--active'}`}>
          {note.answer ? t('cl.sup.answered') : note.overdue ? t('cl.sup.overdue') : t('cl.sup.open')}
        </span>
      </div>
      <p className="sup-note__text">{note.text}</p>
      <p className="muted sup-note__due">{t('cl.sup.dueAt', { time: formatDateTime(note.dueAt, language) })}</p>
      {note.answer && (
        <blockquote className="sup-note__answer">
          <span className="muted">
            {t('cl.sup.answerBy', { name: note.answeredBy?.displayName ?? '—', time: note.answeredAt ? formatDateTime(note.answeredAt, language) : '—' })}
          </span>
          <p>{note.answer}</p>
        </blockquote>
      )}
      {!note.answer && canAnswer && (
        <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate>
          <FormField label={t('cl.sup.answer')} error={errors.get('answer')}>
            <textarea name="answer" rows={2} value={answer} onChange={(e) => setAnswer(e.target.value)} />
          </FormField>
          {errors.message && <Alert>{errors.message}</Alert>}
          <button type="submit" className="btn btn--primary btn--sm" disabled={busy}>
            {t('cl.sup.answerSubmit')}
          </button>
        </form>
      )}
    </li>
  );
}

/** The supervisor's form: what is to be done, and by when. */
export function SupervisionForm({ caseId, onAdded }: { caseId: string; onAdded: () => void }) {
  const t = useT();
  const [text, setText] = useState('');
  const [dueAt, setDueAt] = useState(() => dateInput(3));
  const { busy, errors, submit } = useApiSubmit(async () => {
    await loopApi.addSupervisionNote(caseId, { text, dueAt });
    setText('');
    onAdded();
  });

  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate data-testid="supervision-form">
      <FormField label={t('cl.sup.text')} error={errors.get('text')}>
        <textarea name="supText" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      </FormField>
      <FormField label={t('cl.sup.due')} error={errors.get('dueAt')}>
        <input type="date" name="supDue" value={dueAt} onChange={(e) => setDueAt(e.target.value)} />
      </FormField>
      {errors.message && <Alert>{errors.message}</Alert>}
      <button type="submit" className="btn btn--primary btn--sm" disabled={busy}>
        {t('cl.sup.add')}
      </button>
    </form>
  );
}
