import { useEffect, useRef, useState } from 'react';
import type { SigningView } from '@protocol/agreement.ts';
import { LanguageToggle } from '../components/LanguageToggle.tsx';
import { AgreementText, Fingerprint, Signers } from '../components/agreement/AgreementText.tsx';
import { SealedBox } from '../components/agreement/AgreementPanel.tsx';
import { sideAndName, useAT, type AgreementKey } from '../components/agreement/i18n.ts';
import { SignaturePad, type SignaturePadHandle } from '../components/agreement/SignaturePad.tsx';
import '../components/agreement/agreement.css';
import { useFragmentToken } from '../hooks/useFragmentToken.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { ApiError } from '../services/ApiError.ts';
import { agreementApi, signingToken } from '../services/agreement.ts';

/** /sign#t=<signing link or party invitation>: a party signs the frozen agreement on their own phone. */
export function SignPage() {
  // Kept for this tab (sessionStorage, apart from /join's invitation) and taken out of the address bar.
  const token = useFragmentToken(signingToken);

  return <SignWithToken key={token ?? ''} token={token} />;
}

function SignWithToken({ token }: { token: string | null }) {
  const t = useAT();
  const tm = useT();
  const lang = useLanguage();
  const [data, setData] = useState<SigningView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [consent, setConsent] = useState(false);
  const [code, setCode] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  // A local hint (key) or a failure from the server, rendered in the current language.
  const [problem, setProblem] = useState<{ key: AgreementKey } | { error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState('');
  const pad = useRef<SignaturePadHandle>(null);

  const load = () => {
    if (!token) return setLoadError(t('sign.badLink'));
    agreementApi.signingView(token).then(setData, (e: unknown) => setLoadError(e instanceof ApiError && e.status === 401 ? t('sign.badLink') : errorText(tm, e)));
  };
  useEffect(load, [token]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
    } catch (e) {
      setProblem({ error: e });
    } finally {
      setBusy(false);
    }
  };

  const msg = problem === null ? null : 'key' in problem ? t(problem.key) : errorText(tm, problem.error);

  if (loadError) return <Shell><div className="agr-result agr-result--unknown" data-testid="sign-error">{loadError}</div></Shell>;
  if (!data || !token) return <Shell><p>…</p></Shell>;
  const view = data.agreement;
  const hash = view.frozen?.hash ?? '';
  const status = data.myStatus?.status;

  return (
    <Shell>
      <p className="agr-note">{t('sign.intro')}</p>
      <div className="agr-card">
        <div>
          {t('sign.you')}
          {t('sep.colon')}
          <b data-testid="signer-name">{sideAndName(t, data.me.side, data.me.name)}</b>
        </div>
        <Fingerprint view={view} />
        <Signers view={view} />
      </div>
      <AgreementText view={view} />
      {view.status === 'drafting' && <div className="agr-result agr-result--unknown">{t('sign.notFrozen')}</div>}
      {view.status === 'sealed' && <SealedBox view={view} token={token} />}
      {status === 'signed' && view.status !== 'sealed' && <div className="agr-result agr-result--authentic" data-testid="sign-done">{t('sign.done')}</div>}
      {status === 'refused' && <div className="agr-result agr-result--altered">{t('sign.refusedDone')}</div>}
      {data.canSign && !refusing && (
        <div className="agr-card" data-testid="sign-form">
          <label className="agr-consent">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} data-testid="sign-consent" />
            <span>{t('sign.consent')}</span>
          </label>
          <label htmlFor="otp">{t('sign.code')}</label>
          <div className="agr-row">
            <input id="otp" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} data-testid="sign-code" />
            <button
              type="button"
              className="btn btn--secondary"
              disabled={busy}
              data-testid="sign-send-code"
              onClick={() => void act(async () => setSent((await agreementApi.otp(token, data.me.partyId, hash)).sentTo))}
            >
              {sent ? t('sign.resend') : t('sign.sendCode')}
            </button>
          </div>
          {sent && <p className="agr-ok" data-testid="sign-code-sent">{t('sign.codeSent', { phone: sent })}</p>}
          <label>{t('sign.draw')}</label>
          <SignaturePad ref={pad} label={t('sign.draw')} />
          {msg && <p className="agr-err" role="alert" data-testid="sign-message">{msg}</p>}
          <div className="agr-actions">
            <button type="button" className="btn btn--ghost" onClick={() => pad.current?.clear()}>
              {t('sign.clear')}
            </button>
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy}
              data-testid="sign-submit"
              onClick={() => {
                if (!consent) return setProblem({ key: 'sign.needConsent' });
                if (!/^\d{6}$/.test(code)) return setProblem({ key: 'sign.needCode' });
                if (pad.current?.isEmpty()) return setProblem({ key: 'sign.needDrawing' });
                void act(async () => {
                  await agreementApi.sign(token, {
                    partyId: data.me.partyId,
                    revisionHash: hash,
                    consent: true,
                    consentLang: lang,
                    code,
                    signaturePng: pad.current!.toDataUrl(),
                  });
                  load();
                });
              }}
            >
              {t('sign.submit')}
            </button>
          </div>
          <button type="button" className="link-button" onClick={() => setRefusing(true)} data-testid="sign-refuse-open">
            {t('sign.refuse')}
          </button>
        </div>
      )}
      {data.canSign && refusing && (
        <div className="agr-card">
          <label htmlFor="reason">{t('sign.refuseReason')}</label>
          <textarea id="reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          {msg && <p className="agr-err">{msg}</p>}
          <div className="agr-actions">
            <button type="button" className="btn btn--ghost" onClick={() => setRefusing(false)}>
              ←
            </button>
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy}
              onClick={() => void act(async () => { await agreementApi.refuse(token, { partyId: data.me.partyId, revisionHash: hash, reason }); setRefusing(false); load(); })}
            >
              {t('sign.refuseSubmit')}
            </button>
          </div>
        </div>
      )}
    </Shell>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  const t = useAT();
  return (
    <main className="agr-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h1>{t('sign.title')}</h1>
        <LanguageToggle />
      </div>
      {children}
    </main>
  );
}
