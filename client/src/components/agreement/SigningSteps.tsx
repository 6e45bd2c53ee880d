import { useRef, useState } from 'react';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { useAT } from './i18n.ts';
import { SignaturePad, type SignaturePadHandle } from './SignaturePad.tsx';
import { useAct } from './useAct.ts';

export interface SignedInput {
  /** The one-time code; absent when the signer proves who they are otherwise (a staff login, an admitted invitation). */
  code?: string;
  signaturePng: string;
  consentLang: 'zh-CN' | 'en';
}

/**
 * The signing steps the agreement and the mediation record share: tick the consent (its text
 * given by the document), a one-time code sent to the phone (when `sendCode` is given), a drawn
 * signature, submit. The document decides what sending and submitting do; `children` is the way
 * out (refuse, object).
 */
export function SigningSteps({
  consent: consentText,
  submitLabel,
  sendCode,
  submit,
  children,
}: {
  consent: string;
  submitLabel: string;
  /** Sends the code; returns the masked phone it went to. Without it there is no code step. */
  sendCode?: () => Promise<string>;
  submit: (input: SignedInput) => Promise<void>;
  children?: React.ReactNode;
}) {
  const t = useAT();
  const tApp = useT();
  const lang = useLanguage();
  const [consent, setConsent] = useState(false);
  const [code, setCode] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const { problem, setProblem, busy, act } = useAct<Parameters<typeof t>[0]>();
  const msg = problem === null ? null : 'key' in problem ? t(problem.key) : errorText(tApp, problem.error);
  const pad = useRef<SignaturePadHandle>(null);

  return (
    <div className="agr-card" data-testid="sign-form">
      <label className="agr-consent">
        <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} data-testid="sign-consent" />
        <span>{consentText}</span>
      </label>
      {sendCode && (
        <>
          <label htmlFor="otp">{t('sign.code')}</label>
          <div className="agr-row">
            <input
              id="otp"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              data-testid="sign-code"
            />
            <button
              type="button"
              className="btn btn--secondary"
              disabled={busy}
              data-testid="sign-send-code"
              onClick={() => void act(async () => setSent(await sendCode()))}
            >
              {sent ? t('sign.resend') : t('sign.sendCode')}
            </button>
          </div>
          {sent && (
            <p className="agr-ok" data-testid="sign-code-sent">
              {t('sign.codeSent', { phone: sent })}
            </p>
          )}
        </>
      )}
      <label>{t('sign.draw')}</label>
      <SignaturePad ref={pad} label={t('sign.draw')} />
      {msg && (
        <p className="agr-err" role="alert" data-testid="sign-message">
          {msg}
        </p>
      )}
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
            if (sendCode && !/^\d{6}$/.test(code)) return setProblem({ key: 'sign.needCode' });
            if (pad.current?.isEmpty()) return setProblem({ key: 'sign.needDrawing' });
            void act(() => submit({ ...(sendCode ? { code } : {}), signaturePng: pad.current!.toDataUrl(), consentLang: lang }));
          }}
        >
          {submitLabel}
        </button>
      </div>
      {children}
    </div>
  );
}
