import { useEffect, useState } from 'react';
import type { RecordConfirmer, RecorderCandidate, RecordView } from '@protocol/mediationRecord.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { laterOf, type CaseDocuments } from '../../services/caseDocuments.ts';
import { recordApi } from '../../services/mediationRecord.ts';
import { SigningSteps } from '../agreement/SigningSteps.tsx';
import { useRT, type RecordKey } from './i18n.ts';
import { RecordEditor } from './RecordEditor.tsx';
import { Confirmers, RecordText, SealedInfo } from './RecordText.tsx';
import '../agreement/agreement.css';
import './record.css';

interface Props {
  sessionId: string;
  token: string;
  /** The record as the room's socket pushes it (this participant's view). */
  documents: CaseDocuments;
  /** The room role: the mediator starts it and puts it to the parties; a party confirms or objects. */
  role: string;
  /** A change in the room (someone joined or left, a caucus): the events are read again. */
  roomKey: string;
}

/** The record's side panel in the room: written live by the mediator (or the recorder), read by everyone, signed by each signatory. */
export function RecordPanel({ sessionId, token, documents, role, roomKey }: Props) {
  const t = useRT();
  const tApp = useT();
  // Closed at first: it would cover the mediator's side panel and the call; its button sits above the agreement's.
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<RecordView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => documents.watch('record', (pushed) => setView((current) => laterOf(pushed, current))), [documents]);
  // Joins, leaves and caucuses are on the timeline, not on the record's hub: read again when the room changes.
  useEffect(() => {
    recordApi.current(sessionId, token).then(setView, () => undefined);
  }, [roomKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const run = async (fn: () => Promise<RecordView>) => {
    setError(null);
    try {
      setView(await fn());
    } catch (e) {
      setError(errorText(tApp, e));
    }
  };

  return (
    <>
      {!open && (
        <button type="button" className="btn btn--primary agr-toggle rec-toggle" onClick={() => setOpen(true)} data-testid="record-open">
          {t('panel.open')}
          {view ? ` · ${t(`status.${view.status}`)}` : ''}
        </button>
      )}
      {open && (
        <aside className="agr-panel rec-panel" data-testid="record-panel" aria-label={t('panel.title')}>
          <div className="agr-panel__head">
            <h2>{t('panel.title')}</h2>
            <button type="button" className="btn btn--ghost" style={{ color: '#fff' }} onClick={() => setOpen(false)} data-testid="record-close">
              {t('panel.close')}
            </button>
          </div>
          <div className="agr-panel__body">
            {error && (
              <p className="agr-err" role="alert">
                {error}
              </p>
            )}
            {!view && role !== 'mediator' && <p className="agr-note">{t('panel.none')}</p>}
            {!view && role === 'mediator' && <StartRecord sessionId={sessionId} token={token} run={run} />}
            {view && (
              <>
                <p className="agr-meta">
                  <span className={`agr-status agr-status--${view.status === 'confirming' ? 'signing' : view.status}`} data-testid="record-status">
                    {t(`status.${view.status}`)}
                  </span>
                  <span>{t('head.revision', { n: view.revision.number })}</span>
                </p>
                <SealedInfo
                  view={view}
                  onDownload={
                    view.me.partyId || role === 'mediator'
                      ? () => void recordApi.download(view.id, token, `调解笔录-${view.document?.number ?? ''}.pdf`)
                      : undefined
                  }
                />
                {view.me.canEdit && view.status !== 'sealed' ? <RecordEditor view={view} token={token} onView={setView} /> : <RecordText view={view} />}
                {role === 'mediator' && view.status === 'drafting' && (
                  <button
                    type="button"
                    className="btn btn--primary"
                    data-testid="record-freeze"
                    onClick={() => void run(() => recordApi.freeze(view.id, token, { revision: view.revision.number }))}
                  >
                    {t('freeze', { n: view.revision.number })}
                  </button>
                )}
                <Confirmers view={view} />
                {view.me.signatory && <SignatoryAnswer view={view} token={token} signatory={view.me.signatory} onView={setView} />}
              </>
            )}
          </div>
        </aside>
      )}
    </>
  );
}

/** Starting the record: the recorder (记录员) is the mediator, or a mediator chosen among those who read the case. */
function StartRecord({ sessionId, token, run }: { sessionId: string; token: string; run: (fn: () => Promise<RecordView>) => Promise<void> }) {
  const t = useRT();
  const [candidates, setCandidates] = useState<RecorderCandidate[]>([]);
  const [recorderId, setRecorderId] = useState('');
  useEffect(() => {
    recordApi.recorders(sessionId, token).then(
      (list) => {
        setCandidates(list);
        setRecorderId(list[0]?.userId ?? '');
      },
      () => undefined,
    );
  }, [sessionId, token]);
  return (
    <div className="agr-edit">
      {candidates.length > 1 && (
        <>
          <label htmlFor="rec-recorder">{t('head.recorder')}</label>
          <select id="rec-recorder" value={recorderId} data-testid="record-recorder" onChange={(e) => setRecorderId(e.target.value)}>
            {candidates.map((c) => (
              <option key={c.userId} value={c.userId}>
                {c.name}
              </option>
            ))}
          </select>
        </>
      )}
      <div className="agr-actions">
        <button
          type="button"
          className="btn btn--primary"
          data-testid="record-create"
          onClick={() => void run(() => recordApi.create(sessionId, token, recorderId || undefined))}
        >
          {t('panel.create')}
        </button>
      </div>
    </div>
  );
}

/** What each kind of signatory reads before signing (how they prove who they are differs). */
const INTRO: Record<RecordConfirmer['method'], RecordKey> = {
  sms_otp: 'confirm.intro',
  invitation: 'confirm.introOfficial',
  staff_login: 'confirm.introStaff',
};

/**
 * A signatory's answer: the agreement's signing steps to confirm (a party with a one-time code to
 * their phone; an official by their invitation; the mediator and the recorder by their staff
 * login), or, for parties and officials, a written objection kept in the record.
 */
function SignatoryAnswer({ view, token, signatory, onView }: { view: RecordView; token: string; signatory: string; onView: (v: RecordView) => void }) {
  const t = useRT();
  const tApp = useT();
  const lang = useLanguage();
  const [objecting, setObjecting] = useState(false);
  const [objection, setObjection] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mine = view.confirmers.find((c) => c.key === signatory);
  if (!view.frozen || !mine || view.status !== 'confirming') return null;
  if (mine.status === 'confirmed')
    return (
      <div className="agr-result agr-result--authentic" data-testid="record-confirm-done">
        {t('confirm.done')}
      </div>
    );
  if (mine.status === 'objected')
    return (
      <div className="agr-result agr-result--altered" data-testid="record-object-done">
        {t('object.done')}
      </div>
    );
  const hash = view.frozen.hash;
  if (objecting && mine.mayObject) {
    return (
      <div className="agr-card" data-testid="record-object-form">
        <label htmlFor="rec-objection">{t('object.text')}</label>
        <textarea id="rec-objection" rows={4} value={objection} data-testid="record-objection-text" onChange={(e) => setObjection(e.target.value)} />
        {error && (
          <p className="agr-err" role="alert">
            {error}
          </p>
        )}
        <div className="agr-actions">
          <button type="button" className="btn btn--ghost" onClick={() => setObjecting(false)}>
            ←
          </button>
          <button
            type="button"
            className="btn btn--primary"
            data-testid="record-objection-submit"
            onClick={() => {
              setError(null);
              recordApi.object(view.id, token, { revisionHash: hash, objection }).then(onView, (e: unknown) => setError(errorText(tApp, e)));
            }}
          >
            {t('object.submit')}
          </button>
        </div>
      </div>
    );
  }
  const signed = { revisionHash: hash, consent: true as const };
  return (
    <>
      <p className="agr-note" data-testid="record-sign-intro" data-method={mine.method}>
        {t(INTRO[mine.method])}
      </p>
      <SigningSteps
        consent={view.consentTexts[lang]}
        submitLabel={t('confirm.submit')}
        {...(mine.method === 'sms_otp' ? { sendCode: async () => (await recordApi.otp(view.id, token, hash)).sentTo } : {})}
        submit={async (input) =>
          onView(
            mine.method === 'staff_login'
              ? await recordApi.sign(view.id, token, { ...signed, signaturePng: input.signaturePng, consentLang: input.consentLang })
              : await recordApi.confirm(view.id, token, { ...signed, ...input }),
          )
        }
      >
        {mine.mayObject && (
          <button type="button" className="link-button" onClick={() => setObjecting(true)} data-testid="record-object-open">
            {t('object.open')}
          </button>
        )}
      </SigningSteps>
    </>
  );
}
