import { useEffect, useRef, useState } from 'react';
import type { AgreementContent, AgreementView, SigningLinkInfo } from '@protocol/agreement.ts';
import { ApiError } from '../../services/ApiError.ts';
import { agreementApi } from '../../services/agreement.ts';
import { laterOf, type CaseDocuments } from '../../services/caseDocuments.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { labelsToTokens, tokensToLabels, type AgreementField } from '@protocol/agreementFields.ts';
import { AgreementFieldsForm } from './AgreementFieldsForm.tsx';
import { AgreementText, RevisionCheck, Signers } from './AgreementText.tsx';
import { FreezeDialog } from './FreezeDialog.tsx';
import { sideAndName, useAT } from './i18n.ts';
import { SignaturePad, type SignaturePadHandle } from './SignaturePad.tsx';
import { SigningSheet } from './SigningSheet.tsx';
import './agreement.css';

/** A party present in the call (from the room roster): they sign in the call, not through a link. */
export interface PartyInCall {
  name: string;
}

interface Props {
  sessionId: string;
  token: string;
  /** The agreement as the room's socket pushes it. */
  documents: CaseDocuments;
  /** mediator: edits; official: may witness; party/observer: read-only live view (+ comments, + signing sheet). */
  role: string;
  /** Parties in the call now; the mediator offers links only to the others. */
  partiesInCall?: PartyInCall[];
}

/** The agreement drawer over the room: the mediator drafts, everyone sees the text live. */
export function AgreementPanel({ sessionId, token, documents, role, partiesInCall = [] }: Props) {
  const t = useAT();
  const tApp = useT();
  const [open, setOpen] = useState(role === 'mediator');
  const [view, setView] = useState<AgreementView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);

  useEffect(() => documents.watch('agreement', (pushed) => setView((current) => laterOf(pushed, current))), [documents]);

  const run = async (fn: () => Promise<AgreementView | void>) => {
    setError(null);
    try {
      const v = await fn();
      if (v) setView(v);
    } catch (e) {
      setError(errorText(tApp, e));
    }
  };

  if (signing && view && role === 'party') {
    const backToCall = () => {
      setSigning(false);
      setOpen(false);
    };
    return <SigningSheet view={view} token={token} onClose={backToCall} />;
  }

  return (
    <>
      {!open && (
        <button type="button" className="btn btn--primary agr-toggle" onClick={() => setOpen(true)} data-testid="agreement-open">
          {t('panel.open')}
          {view ? ` · ${t(`panel.status.${view.status}`)}` : ''}
        </button>
      )}
      {open && (
        <aside className="agr-panel" data-testid="agreement-panel" aria-label={t('panel.title')}>
          <div className="agr-panel__head">
            <h2>{t('panel.title')}</h2>
            <button type="button" className="btn btn--ghost" style={{ color: '#fff' }} onClick={() => setOpen(false)}>
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
            {!view && role === 'mediator' && (
              <button
                type="button"
                className="btn btn--primary"
                data-testid="agreement-create"
                onClick={() => void run(() => agreementApi.create(sessionId, token))}
              >
                {t('panel.create')}
              </button>
            )}
            {view && role === 'mediator' && <MediatorView view={view} token={token} run={run} partiesInCall={partiesInCall} />}
            {view && role !== 'mediator' && <ParticipantView view={view} token={token} role={role} run={run} onSign={() => setSigning(true)} />}
          </div>
        </aside>
      )}
    </>
  );
}

type Run = (fn: () => Promise<AgreementView | void>) => Promise<void>;

/** Whether a signing-link party is in the call (party invitations carry the party's name). */
function inCall(link: SigningLinkInfo, present: PartyInCall[]): boolean {
  return present.some((p) => p.name === link.name);
}

function MediatorView({ view, token, run, partiesInCall }: { view: AgreementView; token: string; run: Run; partiesInCall: PartyInCall[] }) {
  const t = useAT();
  const [draft, setDraft] = useState<AgreementContent>(view.revision.content);
  const [base, setBase] = useState(view.revision.number);
  const [dirty, setDirty] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [links, setLinks] = useState<SigningLinkInfo[] | null>(null);

  // Live updates replace the form only when there are no unsaved edits.
  useEffect(() => {
    if (!dirty && view.revision.number !== base) {
      setDraft(view.revision.content);
      setBase(view.revision.number);
    }
  }, [view, dirty, base]);

  const set = (patch: Partial<AgreementContent>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setNote(null);
  };
  const fields: AgreementField[] = draft.fields ?? [];
  // The text shows a field as 【label】 and stores it as {{id}}.
  const shown = (text: string) => tokensToLabels(text, fields);
  const stored = (text: string) => labelsToTokens(text, fields);
  const save = async () => {
    try {
      const v = await agreementApi.save(view.id, token, base, draft);
      setDirty(false);
      setBase(v.revision.number);
      setDraft(v.revision.content);
      setNote(t('saved', { n: v.revision.number }));
      return v;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict' && e.details?.currentRevision) {
        setDirty(false);
        setBase(-1); // reload from the live view
        setNote(t('conflict', { n: e.details.currentRevision }));
        return;
      }
      throw e;
    }
  };

  if (view.status === 'sealed') {
    return (
      <>
        <RevisionCheck view={view} />
        <Signers view={view} />
        <SealedBox view={view} token={token} />
        <AgreementText view={view} />
      </>
    );
  }

  const signing =
    view.status === 'signing' ? (
      <>
        <Signers view={view} />
        <div className="agr-actions">
          <button
            type="button"
            className="btn btn--secondary"
            data-testid="agreement-links"
            onClick={() => void run(async () => setLinks(await agreementApi.links(view.id, token)))}
          >
            {t('links')}
          </button>
        </div>
        {links && (
          <div className="agr-links" data-testid="signing-links">
            <p className="agr-note">{t('links.hint')}</p>
            {links.map((l) =>
              inCall(l, partiesInCall) ? (
                <details key={l.partyId} data-testid={`signing-in-call-${l.partyId}`}>
                  <summary>
                    <b>{sideAndName(t, l.side, l.name)}</b>
                    {t('sep.colon')}
                    {t('links.inCall')}
                  </summary>
                  <a href={l.url} target="_blank" rel="noreferrer" data-testid={`signing-link-${l.partyId}`}>
                    {l.url}
                  </a>
                </details>
              ) : (
                <p key={l.partyId}>
                  <b>{sideAndName(t, l.side, l.name)}</b>
                  {t('sep.colon')}
                  <a href={l.url} target="_blank" rel="noreferrer" data-testid={`signing-link-${l.partyId}`}>
                    {l.url}
                  </a>
                </p>
              ),
            )}
          </div>
        )}
        <StaffSign view={view} token={token} as="mediator" run={run} />
      </>
    ) : null;

  const field = (key: 'facts' | 'performance' | 'breach', rows = 3) => (
    <>
      <label htmlFor={`agr-${key}`}>{t(`field.${key}`)}</label>
      <textarea
        id={`agr-${key}`}
        data-testid={`agreement-${key}`}
        rows={rows}
        value={shown(draft[key])}
        onChange={(e) => set({ [key]: stored(e.target.value) })}
      />
    </>
  );

  return (
    <div className="agr-edit">
      <RevisionCheck view={view} />
      {signing}
      {note && (
        <p className="agr-ok" role="status">
          {note}
        </p>
      )}
      <AgreementFieldsForm draft={{ ...draft, fields }} onChange={(next) => set({ fields: next })} />
      <label htmlFor="agr-title">{t('field.title')}</label>
      <input id="agr-title" value={draft.title} onChange={(e) => set({ title: e.target.value })} />
      {field('facts', 4)}
      <label>{t('field.clauses')}</label>
      {draft.clauses.map((c, i) => (
        <div className="agr-clause" key={i}>
          <textarea
            aria-label={t('clause.n', { n: i + 1 })}
            data-testid={`agreement-clause-${i}`}
            rows={2}
            value={shown(c)}
            onChange={(e) => set({ clauses: draft.clauses.map((x, j) => (j === i ? stored(e.target.value) : x)) })}
          />
          {draft.clauses.length > 1 && (
            <button
              type="button"
              className="btn btn--ghost"
              aria-label={t('clause.remove')}
              onClick={() => set({ clauses: draft.clauses.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          )}
        </div>
      ))}
      <button type="button" className="link-button" data-testid="agreement-add-clause" onClick={() => set({ clauses: [...draft.clauses, ''] })}>
        + {t('clause.add')}
      </button>
      {field('performance')}
      {field('breach')}
      <div className="agr-actions">
        <button type="button" className="btn btn--primary" data-testid="agreement-save" disabled={!dirty} onClick={() => void run(save)}>
          {t('save')}
        </button>
      </div>
      {view.status === 'drafting' && (
        <div className="agr-card">
          <p className="agr-note">{dirty ? t('freeze.saveFirst') : t('freeze.confirm')}</p>
          <button type="button" className="btn btn--secondary" data-testid="agreement-freeze" disabled={dirty} onClick={() => setConfirming(true)}>
            {t('freeze')}
          </button>
        </div>
      )}
      {confirming && view.status === 'drafting' && (
        <FreezeDialog
          view={view}
          token={token}
          onClose={() => {
            setConfirming(false);
            // Back to the form at the first blank field, if any.
            requestAnimationFrame(() => document.querySelector<HTMLElement>('.agr-fields [data-blank="true"]')?.focus());
          }}
          onFrozen={(v) => {
            setConfirming(false);
            void run(async () => v);
          }}
        />
      )}
      <h3 style={{ fontSize: 14 }}>{t('comments')}</h3>
      <AgreementText view={view} />
    </div>
  );
}

function ParticipantView({ view, token, role, run, onSign }: { view: AgreementView; token: string; role: string; run: Run; onSign: () => void }) {
  const t = useAT();
  return (
    <>
      <p className="agr-note">{t('readonly')}</p>
      <RevisionCheck view={view} />
      {view.status !== 'drafting' && <Signers view={view} />}
      {view.status !== 'drafting' && role === 'party' && (
        <button type="button" className="btn btn--primary" onClick={onSign} data-testid="agreement-go-sign">
          {t(view.status === 'sealed' ? 'goSealed' : 'goSign')}
        </button>
      )}
      {view.status === 'signing' && role === 'official' && <StaffSign view={view} token={token} as="witness" run={run} />}
      <SealedBox view={view} token={token} />
      <AgreementText
        view={view}
        onComment={
          role === 'party' || role === 'official'
            ? async (clauseIndex, text) => run(() => agreementApi.comment(view.id, token, view.revision.number, clauseIndex, text))
            : undefined
        }
      />
    </>
  );
}

function StaffSign({ view, token, as, run }: { view: AgreementView; token: string; as: 'mediator' | 'witness'; run: Run }) {
  const t = useAT();
  const lang = useLanguage();
  const pad = useRef<SignaturePadHandle>(null);
  const [consent, setConsent] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const me = view.signers.find((s) => s.kind === as);
  if (as === 'witness' && !view.requireWitness) return null;
  if (me && me.status !== 'pending') return null;
  return (
    <div className="agr-card" data-testid={`staff-sign-${as}`}>
      <label>{t(as === 'mediator' ? 'sign.asMediator' : 'sign.asWitness')}</label>
      <label className="agr-consent" style={{ fontWeight: 400 }}>
        <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} data-testid="staff-consent" /> {t('sign.consent')}
      </label>
      <SignaturePad ref={pad} label={t('sign.draw')} />
      {msg && <p className="agr-err">{msg}</p>}
      <div className="agr-actions">
        <button type="button" className="btn btn--ghost" onClick={() => pad.current?.clear()}>
          {t('sign.clear')}
        </button>
        <button
          type="button"
          className="btn btn--primary"
          data-testid="staff-sign-submit"
          onClick={() => {
            if (!consent) return setMsg(t('sign.needConsent'));
            if (pad.current?.isEmpty()) return setMsg(t('sign.needDrawing'));
            setMsg(null);
            void run(() =>
              agreementApi.staffSign(view.id, token, {
                as,
                revisionHash: view.frozen!.hash,
                consent: true,
                consentLang: lang,
                signaturePng: pad.current!.toDataUrl(),
              }),
            );
          }}
        >
          {t('sign.submit')}
        </button>
      </div>
    </div>
  );
}

export function SealedBox({ view, token }: { view: AgreementView; token: string }) {
  const t = useAT();
  if (!view.document) return null;
  const d = view.document;
  return (
    <div className="agr-card" data-testid="agreement-sealed">
      <p className="agr-ok">{t('sign.sealed')}</p>
      <p className="agr-note">
        {t('verifyCode')}
        {t('sep.colon')}
        <code data-testid="verification-code">{d.verificationCode}</code>
      </p>
      <button type="button" className="btn btn--secondary" onClick={() => void agreementApi.download(view.id, token, `人民调解协议书-${view.caseNumber}.pdf`)}>
        {t('download')}
      </button>
    </div>
  );
}

/** The session id (`sid`) inside an invitation JWT; display routing only, the server verifies the token. */
export function sessionIdOfInvitation(token: string): string | null {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const sid = (JSON.parse(atob(payload)) as { sid?: unknown }).sid;
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}
