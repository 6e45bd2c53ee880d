import type { RecordEvent, RecordStatement, RecordView } from '@protocol/mediationRecord.ts';
import { useLanguage } from '../../i18n/index.ts';
import { formatTime } from '../agreement/i18n.ts';
import { useRT, type RT } from './i18n.ts';

type Line = { at: string; event: RecordEvent } | { at: string; statement: RecordStatement; index: number };

/** The automatic events and the written statements in time order (an event first on a tie), as the PDF prints them. */
export function interleave(events: RecordEvent[], statements: RecordStatement[]): Line[] {
  const lines: Line[] = [
    ...events.map((event) => ({ at: event.at, event })),
    ...statements.map((statement, index) => ({ at: statement.at, statement, index })),
  ];
  return lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 'event' in a ? -1 : 1));
}

export function EventLine({ event, t, lang }: { event: RecordEvent; t: RT; lang: string }) {
  return (
    <li className="rec-event" data-testid="record-event" data-kind={event.kind}>
      ● {formatTime(event.at, lang)} {t(`event.${event.kind}`, { who: event.who ?? '' }).trim()}
    </li>
  );
}

/** The record as everyone reads it (the parties before confirming): header, participants, course, opinions, answers. */
export function RecordText({ view }: { view: RecordView }) {
  const t = useRT();
  const lang = useLanguage();
  const h = view.header;
  const shown = view.revision.content;
  return (
    <div className="agr-doc rec-doc" data-testid="record-text">
      <p className="agr-doc__title">{t('panel.title')}</p>
      <p className="agr-doc__no">
        {view.caseNumber}
        {view.frozen ? ` · ${t('head.revision', { n: view.frozen.number })} · ${t('head.fingerprint')} ${view.frozen.fingerprint}` : ''}
      </p>
      <dl className="rec-head">
        <dt>{t('head.time')}</dt>
        <dd>
          {formatTime(h.startedAt, lang)}
          {h.endedAt ? ` – ${formatTime(h.endedAt, lang)}` : ''}
        </dd>
        <dt>{t('head.place')}</dt>
        <dd>{shown.place}</dd>
        <dt>{t('head.mediator')}</dt>
        <dd>{h.mediator}</dd>
        <dt>{t('head.recorder')}</dt>
        <dd>{h.recorder}</dd>
      </dl>
      <h3>{t('participants')}</h3>
      <ul className="rec-list">
        {shown.participants.map((p, i) => (
          <li key={i}>
            {t(`role.${p.role}`)}
            {t('sep.colon')}
            {p.name}
            {p.location ? `（${t('location')}${t('sep.colon')}${p.location}）` : ''}
          </li>
        ))}
      </ul>
      <h3>{t('process')}</h3>
      <p className="agr-note rec-note">{t('events.note')}</p>
      <ul className="rec-list">
        {interleave(view.events, shown.statements).map((l) =>
          'event' in l ? (
            <EventLine key={`e${l.event.seq}`} event={l.event} t={t} lang={lang} />
          ) : (
            <li key={`s${l.index}`} className="rec-statement" data-testid="record-statement">
              <b>
                {t(`role.${l.statement.role}`)} {l.statement.speaker}
                {t('sep.colon')}
              </b>
              {l.statement.text}
            </li>
          ),
        )}
      </ul>
      <h3>{t('departmentOpinion')}</h3>
      <p>{shown.departmentOpinion || t('none')}</p>
      <h3>{t('mediatorProposal')}</h3>
      <p>{shown.mediatorProposal || t('none')}</p>
      <h3>{t('outcome')}</h3>
      <p>{shown.outcome || t('none')}</p>
    </div>
  );
}

/** Every signatory with their role and answer: who has confirmed or objected, and who is still to answer. */
export function Confirmers({ view }: { view: RecordView }) {
  const t = useRT();
  if (!view.frozen) return null;
  const done = view.confirmers.filter((c) => c.status !== 'pending').length;
  return (
    <div className="agr-card">
      <b>{t('confirmers')}</b>{' '}
      <small className="agr-note" data-testid="record-confirmers-count">
        {t('confirmers.count', { done, total: view.confirmers.length })}
      </small>
      <ul className="agr-signers" data-testid="record-confirmers">
        {view.confirmers.map((c) => (
          <li key={c.key} data-status={c.status} data-role={c.role} data-testid="record-confirmer">
            <span>
              <span className="rec-signer-role">{t(`signer.${c.role}`)}</span> {c.name}
              {c.department ? ` · ${c.department}` : ''}
              {c.key === view.me.signatory && <b> {t('signer.you')}</b>}
              {c.objection && (
                <span className="rec-objection" data-testid="record-objection">
                  {t('objection')}
                  {t('sep.colon')}
                  {c.objection}
                </span>
              )}
            </span>
            <span className={`agr-pill agr-pill--${c.status === 'confirmed' ? 'signed' : c.status === 'objected' ? 'refused' : 'pending'}`}>
              {t(`answer.${c.status}`)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SealedInfo({ view, onDownload }: { view: RecordView; onDownload?: () => void }) {
  const t = useRT();
  const d = view.document;
  if (!d) return null;
  return (
    <div className="agr-result agr-result--authentic" data-testid="record-sealed">
      <p>{t('sealed')}</p>
      <p className="agr-note">
        {t('number')}
        {t('sep.colon')}
        <b data-testid="record-number">{d.number}</b>
        <br />
        {t('verifyCode')}
        {t('sep.colon')}
        <code data-testid="record-verification-code">{d.verificationCode}</code>
      </p>
      {d.related.map((r) => (
        <p key={r.sha256} className="agr-note" data-testid="record-related">
          {t('related')}
          {t('sep.colon')}
          {t(`related.${r.kind}`)} {r.number} · SHA-256 {r.sha256.slice(0, 16)}… {t(`related.${r.relation}`)}
        </p>
      ))}
      {onDownload && (
        <button type="button" className="btn btn--primary" data-testid="record-download" onClick={onDownload}>
          {t('download')}
        </button>
      )}
    </div>
  );
}
