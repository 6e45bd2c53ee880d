import { useState } from 'react';
import type { AgreementView } from '@protocol/agreement.ts';
import { sideAndName, useAT } from './i18n.ts';

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const numeral = (i: number) => (i < 10 ? NUMERALS[i] : String(i + 1));

/** The agreement as the parties read it (same order and numbering as the PDF), with clause comments. */
export function AgreementText({ view, onComment }: { view: AgreementView; onComment?: (clauseIndex: number, text: string) => Promise<void> }) {
  const t = useAT();
  const c = view.revision.content;
  const [open, setOpen] = useState<number | null>(null);
  const [text, setText] = useState('');
  const comments = view.comments.filter((x) => x.revision === view.revision.number);
  return (
    <article className="agr-doc" data-testid="agreement-text" data-revision={view.revision.number}>
      <h2 className="agr-doc__title">{c.title}</h2>
      <p className="agr-doc__no">{view.caseNumber}</p>
      <h3>{t('field.parties')}</h3>
      {c.parties.map((p, i) => (
        <p key={i}>
          {p.side}：{p.name}
        </p>
      ))}
      <h3>{t('field.facts')}</h3>
      {c.facts.split('\n').map((p, i) => (
        <p key={i}>{p}</p>
      ))}
      <h3>{t('field.clauses')}</h3>
      <ol className="agr-doc__clauses">
        {c.clauses.map((cl, i) => (
          <li key={i} data-testid={`clause-${i}`}>
            <span className="agr-doc__num">{numeral(i)}、</span>
            <span>{cl}</span>
            {comments
              .filter((x) => x.clauseIndex === i)
              .map((x) => (
                <div key={x.id} className="agr-comment" data-testid="clause-comment">
                  <b>
                    {sideAndName(t, x.side, x.authorName)}
                    {t('sep.colon')}
                  </b>
                  {x.text}
                </div>
              ))}
            {onComment &&
              (open === i ? (
                <form
                  className="agr-comment-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (!text.trim()) return;
                    void onComment(i, text.trim()).then(() => {
                      setText('');
                      setOpen(null);
                    });
                  }}
                >
                  <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('comment.placeholder')} maxLength={1000} autoFocus />
                  <button className="btn btn--small" type="submit">
                    {t('comment.send')}
                  </button>
                </form>
              ) : (
                <button type="button" className="link-button agr-comment-open" onClick={() => setOpen(i)}>
                  {t('comment')}
                </button>
              ))}
          </li>
        ))}
      </ol>
      <h3>{t('field.performance')}</h3>
      <p>{c.performance}</p>
      <h3>{t('field.breach')}</h3>
      <p>{c.breach}</p>
      <p className="agr-doc__sig">
        {t('field.organisation')}
        {t('sep.colon')}
        {c.organisation}
        {t('sep.gap')}
        {t('field.mediator')}
        {t('sep.colon')}
        {c.mediator}
      </p>
    </article>
  );
}

export function Fingerprint({ view }: { view: AgreementView }) {
  const t = useAT();
  const fp = view.frozen?.fingerprint ?? view.revision.fingerprint;
  return (
    <div className="agr-meta">
      <span className={`agr-status agr-status--${view.status}`} data-testid="agreement-status" data-status={view.status}>
        {t(`panel.status.${view.status}`)}
      </span>
      <span>{t('panel.revision', { n: view.frozen?.number ?? view.revision.number })}</span>
      {fp && (
        <span>
          {t('panel.fingerprint')} <code data-testid="agreement-fingerprint">{fp}</code>
        </span>
      )}
    </div>
  );
}

export function Signers({ view }: { view: AgreementView }) {
  const t = useAT();
  return (
    <ul className="agr-signers" data-testid="agreement-signers">
      {view.signers.map((s, i) => (
        <li key={i} data-status={s.status}>
          <span>{s.kind === 'party' ? sideAndName(t, s.side, s.name) : `${t(s.kind === 'mediator' ? 'kind.mediator' : 'kind.witness')}${t('sep.gap')}${s.name}`}</span>
          <span className={`agr-pill agr-pill--${s.status}`}>{t(`signer.${s.status}`)}</span>
          {s.refusalReason && <small>{t('sep.paren', { text: s.refusalReason })}</small>}
        </li>
      ))}
    </ul>
  );
}
