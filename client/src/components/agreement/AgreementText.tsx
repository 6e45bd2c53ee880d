import { Fragment, useState } from 'react';
import type { AgreementContent, AgreementView } from '@protocol/agreement.ts';
import { FIELD_TOKEN, formatFieldValue, type AgreementField } from '@protocol/agreementFields.ts';
import { sideAndName, useAT } from './i18n.ts';

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const numeral = (i: number) => (i < 10 ? NUMERALS[i] : String(i + 1));

/**
 * A text with its field tokens shown as the PDF prints them: a filled value marked, a blank as
 * 【label】 in red (data-blank-field=id) so the mediator sees what is still missing.
 */
export function FieldText({ text, fields }: { text: string; fields: AgreementField[] }) {
  const parts = text.split(new RegExp(FIELD_TOKEN.source));
  // split with one capture group: even indexes are text, odd ones field ids.
  return (
    <>
      {parts.map((part, i) => {
        if (i % 2 === 0) return <Fragment key={i}>{part}</Fragment>;
        const f = fields.find((x) => x.id === part);
        if (!f) return <Fragment key={i}>{`{{${part}}}`}</Fragment>;
        const value = formatFieldValue(f);
        if (value)
          return (
            <mark key={i} className="agr-fieldval" data-field={f.id}>
              {value}
            </mark>
          );
        if (!f.required) return null;
        return (
          <mark key={i} className="agr-blank" data-blank-field={f.id}>
            【{f.label}】
          </mark>
        );
      })}
    </>
  );
}

/** The agreement as the parties read it (same order and numbering as the PDF), with clause comments. */
export function AgreementText({
  view,
  content,
  onComment,
}: {
  view: AgreementView;
  /** Another text than the view's latest revision (the freeze confirmation shows the saved one). */
  content?: AgreementContent;
  onComment?: (clauseIndex: number, text: string) => Promise<void>;
}) {
  const t = useAT();
  const c = content ?? view.revision.content;
  const fields = c.fields ?? [];
  const ft = (text: string) => <FieldText text={text} fields={fields} />;
  const [open, setOpen] = useState<number | null>(null);
  const [text, setText] = useState('');
  const comments = view.comments.filter((x) => x.revision === view.revision.number);
  return (
    <article className="agr-doc" data-testid="agreement-text" data-revision={view.revision.number}>
      <h2 className="agr-doc__title">{ft(c.title)}</h2>
      <p className="agr-doc__no">{view.caseNumber}</p>
      <h3>{t('field.parties')}</h3>
      {c.parties.map((p, i) => (
        <p key={i}>
          {p.side}：{p.name}
        </p>
      ))}
      <h3>{t('field.facts')}</h3>
      {c.facts.split('\n').map((p, i) => (
        <p key={i}>{ft(p)}</p>
      ))}
      <h3>{t('field.clauses')}</h3>
      <ol className="agr-doc__clauses">
        {c.clauses.map((cl, i) => (
          <li key={i} data-testid={`clause-${i}`}>
            <span className="agr-doc__num">{numeral(i)}、</span>
            <span>{ft(cl)}</span>
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
      <p>{ft(c.performance)}</p>
      <h3>{t('field.breach')}</h3>
      <p>{ft(c.breach)}</p>
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

/**
 * Status, revision number and the 6-character check code (the same as in the signing SMS); the
 * full hash is on the PDF's certificate page and /verify.
 */
export function RevisionCheck({ view }: { view: AgreementView }) {
  const t = useAT();
  const code = view.frozen?.checkCode ?? view.revision.checkCode;
  return (
    <div className="agr-meta">
      <span className={`agr-status agr-status--${view.status}`} data-testid="agreement-status" data-status={view.status}>
        {t(`panel.status.${view.status}`)}
      </span>
      <span data-testid="agreement-revision">{t('panel.revision', { n: view.frozen?.number ?? view.revision.number })}</span>
      {code && (
        <span title={t('panel.checkHint')}>
          {t('panel.check')} <code data-testid="agreement-check">{code}</code>
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
          <span>
            {s.kind === 'party' ? sideAndName(t, s.side, s.name) : `${t(s.kind === 'mediator' ? 'kind.mediator' : 'kind.witness')}${t('sep.gap')}${s.name}`}
          </span>
          <span className={`agr-pill agr-pill--${s.status}`}>{t(`signer.${s.status}`)}</span>
          {s.refusalReason && <small>{t('sep.paren', { text: s.refusalReason })}</small>}
        </li>
      ))}
    </ul>
  );
}
