import { useEffect, useRef, useState } from 'react';
import type { RecordContent, RecordStatement, RecordView } from '@protocol/mediationRecord.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/ApiError.ts';
import { recordApi } from '../../services/mediationRecord.ts';
import { EventLine, interleave } from './RecordText.tsx';
import { useRT } from './i18n.ts';

const AUTOSAVE_MS = 1200;
const speakerRoles: RecordStatement['role'][] = ['applicant', 'respondent', 'mediator', 'official', 'other'];

/**
 * The mediator's (or recorder's) side of the record: the written parts as a form, autosaved a
 * moment after the last keystroke on the revision it was loaded from (a stale one is refused by
 * the server; the newest is then loaded). The automatic events stand between the statements,
 * read-only.
 */
export function RecordEditor({ view, token, onView }: { view: RecordView; token: string; onView: (v: RecordView) => void }) {
  const t = useRT();
  const tApp = useT();
  const lang = useLanguage();
  const [draft, setDraft] = useState<RecordContent>(view.revision.content);
  const [base, setBase] = useState(view.revision.number);
  const [dirty, setDirty] = useState(false);
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'conflict'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [speaker, setSpeaker] = useState<RecordStatement['role']>('applicant');
  const [speakerName, setSpeakerName] = useState(view.revision.content.participants[0]?.name ?? '');
  const [said, setSaid] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const baseRef = useRef(base);
  useEffect(() => {
    baseRef.current = base;
  }, [base]);

  // Live updates replace the form only when nothing is waiting to be saved.
  useEffect(() => {
    if (!dirty && view.revision.number !== base) {
      setDraft(view.revision.content);
      setBase(view.revision.number);
    }
  }, [view, dirty, base]);

  // One save at a time: edits made while a save is on its way are saved after it, on the revision it made.
  const inFlight = useRef(false);
  const pending = useRef<RecordContent | null>(null);
  const save = async (content: RecordContent) => {
    if (inFlight.current) {
      pending.current = content;
      return;
    }
    inFlight.current = true;
    setState('saving');
    try {
      const next = await recordApi.save(view.id, token, baseRef.current, content);
      baseRef.current = next.revision.number;
      setBase(next.revision.number);
      onView(next);
      if (!pending.current) {
        setDirty(false);
        setState('saved');
      }
    } catch (e) {
      pending.current = null;
      if (e instanceof ApiError && e.reason === 'record_draft_changed') {
        const fresh = await recordApi.current(view.sessionId, token);
        baseRef.current = fresh.revision.number;
        setDraft(fresh.revision.content);
        setBase(fresh.revision.number);
        setDirty(false);
        setState('conflict');
        onView(fresh);
      } else {
        setState('idle');
        setError(errorText(tApp, e));
      }
    } finally {
      inFlight.current = false;
    }
    const queued = pending.current;
    pending.current = null;
    if (queued) await save(queued);
  };

  const change = (next: RecordContent) => {
    setDraft(next);
    setDirty(true);
    // "Saved" names the last save; once typed over, it no longer says everything is saved.
    setState((s) => (s === 'saved' ? 'idle' : s));
    setError(null);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(next), AUTOSAVE_MS);
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const set = (patch: Partial<RecordContent>) => change({ ...draft, ...patch });
  const addStatement = () => {
    if (!said.trim()) return;
    set({
      statements: [
        ...draft.statements,
        { at: new Date().toISOString(), speaker: speakerName.trim() || t(`role.${speaker}`), role: speaker, text: said.trim() },
      ],
    });
    setSaid('');
  };

  return (
    <div className="agr-edit rec-edit" data-testid="record-editor">
      <label htmlFor="rec-place">{t('head.place')}</label>
      <input id="rec-place" value={draft.place} onChange={(e) => set({ place: e.target.value })} />
      <label>{t('participants')}</label>
      {draft.participants.map((p, i) => (
        <div key={i} className="rec-participant">
          <span>
            {t(`role.${p.role}`)} {p.name}
          </span>
          <input
            placeholder={t('location')}
            aria-label={`${p.name} ${t('location')}`}
            data-testid="record-location"
            value={p.location}
            onChange={(e) => set({ participants: draft.participants.map((q, j) => (j === i ? { ...q, location: e.target.value } : q)) })}
          />
        </div>
      ))}
      <label>{t('process')}</label>
      <p className="agr-note rec-note">{t('events.note')}</p>
      <ul className="rec-list">
        {interleave(view.events, draft.statements).map((l) =>
          'event' in l ? (
            <EventLine key={`e${l.event.seq}`} event={l.event} t={t} lang={lang} />
          ) : (
            <li key={`s${l.index}`} className="rec-statement" data-testid="record-statement">
              <b>
                {t(`role.${l.statement.role}`)} {l.statement.speaker}
                {t('sep.colon')}
              </b>
              {l.statement.text}{' '}
              <button type="button" className="link-button" onClick={() => set({ statements: draft.statements.filter((_, j) => j !== l.index) })}>
                {t('statement.remove')}
              </button>
            </li>
          ),
        )}
      </ul>
      <div className="rec-add">
        <select
          aria-label={t('statement.speaker')}
          value={speaker}
          data-testid="record-speaker-role"
          onChange={(e) => setSpeaker(e.target.value as RecordStatement['role'])}
        >
          {speakerRoles.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
        <input aria-label={t('statement.speaker')} value={speakerName} data-testid="record-speaker" onChange={(e) => setSpeakerName(e.target.value)} />
      </div>
      <textarea
        aria-label={t('statement.text')}
        placeholder={t('statement.text')}
        rows={3}
        value={said}
        data-testid="record-said"
        onChange={(e) => setSaid(e.target.value)}
      />
      <button type="button" className="btn btn--secondary" data-testid="record-add-statement" onClick={addStatement}>
        {t('statement.add')}
      </button>
      <label htmlFor="rec-dept">{t('departmentOpinion')}</label>
      <textarea id="rec-dept" rows={2} value={draft.departmentOpinion} onChange={(e) => set({ departmentOpinion: e.target.value })} />
      <label htmlFor="rec-proposal">{t('mediatorProposal')}</label>
      <textarea
        id="rec-proposal"
        rows={3}
        value={draft.mediatorProposal}
        data-testid="record-proposal"
        onChange={(e) => set({ mediatorProposal: e.target.value })}
      />
      <label htmlFor="rec-outcome">{t('outcome')}</label>
      <textarea id="rec-outcome" rows={2} value={draft.outcome} data-testid="record-outcome" onChange={(e) => set({ outcome: e.target.value })} />
      <p className="agr-note" data-testid="record-save-state" data-state={state}>
        {state === 'saving' ? t('saving') : state === 'saved' ? t('saved', { n: base }) : state === 'conflict' ? t('conflict') : ''}
      </p>
      {error && (
        <p className="agr-err" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
