import { useEffect, useRef, useState } from 'react';
import type { SigningView } from '@protocol/agreement.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/ApiError.ts';
import { agreementApi } from '../../services/agreement.ts';
import { AgreementText, RevisionCheck, Signers } from './AgreementText.tsx';
import { sideAndName, useAT } from './i18n.ts';
import { SigningSteps } from './SigningSteps.tsx';
import { useAct } from './useAct.ts';

/**
 * A party signs the frozen agreement: used by the /sign page (a signing link or invitation) and by
 * the signing sheet inside the room. What happened comes first (sealed with the download, signed,
 * refused), then the text, then the form. `liveKey` reloads when the room's live view changes;
 * outside the room, `watch` brings the view whenever the agreement changes (revised, signed, sealed).
 */
export function PartySigning({
  token,
  liveKey,
  watch,
}: {
  token: string;
  liveKey?: string;
  watch?: (token: string, onView: (view: SigningView) => void) => () => void;
}) {
  const t = useAT();
  const tApp = useT();
  const [data, setData] = useState<SigningView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { problem, busy, act } = useAct<Parameters<typeof t>[0]>();
  const msg = problem === null ? null : 'key' in problem ? t(problem.key) : errorText(tApp, problem.error);
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState('');
  const top = useRef<HTMLDivElement>(null);
  const outcome = data ? `${data.agreement.status}:${data.myStatus?.status ?? ''}` : '';
  // What happened (signed, sealed) is said first: bring it into view when it changes.
  useEffect(() => {
    if (outcome) top.current?.scrollIntoView({ block: 'start' });
  }, [outcome]);

  const load = () => {
    agreementApi.signingView(token).then(
      (v) => {
        setData(v);
        setLoadError(null);
      },
      (e: unknown) => setLoadError(e instanceof ApiError && e.status === 401 ? t('sign.badLink') : errorText(tApp, e)),
    );
  };
  useEffect(load, [token, liveKey]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(
    () =>
      watch?.(token, (v) => {
        setData(v);
        setLoadError(null);
      }),
    [token, watch],
  );

  if (loadError)
    return (
      <div className="agr-result agr-result--unknown" data-testid="sign-error">
        {loadError}
      </div>
    );
  if (!data) return <p>…</p>;
  const view = data.agreement;
  const hash = view.frozen?.hash ?? '';
  const status = data.myStatus?.status;
  const check = view.frozen ? { n: view.frozen.number, code: view.frozen.checkCode } : null;

  return (
    <>
      <div ref={top} />
      {view.status === 'sealed' && view.document && (
        <div className="agr-result agr-result--authentic" data-testid="sign-complete">
          <p>{t('sign.sealed')}</p>
          <button
            type="button"
            className="btn btn--primary"
            data-testid="sign-download"
            onClick={() => void act(() => agreementApi.download(view.id, token, `人民调解协议书-${view.caseNumber}.pdf`))}
          >
            {t('download')}
          </button>
          <p className="agr-note">
            {t('verifyCode')}
            {t('sep.colon')}
            <code data-testid="verification-code">{view.document.verificationCode}</code>
          </p>
        </div>
      )}
      {status === 'signed' && view.status !== 'sealed' && (
        <div className="agr-result agr-result--authentic" data-testid="sign-done">
          {t('sign.done')}
        </div>
      )}
      {status === 'refused' && <div className="agr-result agr-result--altered">{t('sign.refusedDone')}</div>}
      {view.status === 'drafting' && <div className="agr-result agr-result--unknown">{t('sign.notFrozen')}</div>}
      {msg && !data.canSign && (
        <p className="agr-err" role="alert">
          {msg}
        </p>
      )}
      {data.canSign && <p className="agr-note">{t('sign.intro')}</p>}
      <div className="agr-card">
        <div>
          {t('sign.you')}
          {t('sep.colon')}
          <b data-testid="signer-name">{sideAndName(t, data.me.side, data.me.name)}</b>
        </div>
        <RevisionCheck view={view} />
        {data.canSign && check && (
          <p className="agr-note" data-testid="sign-check-hint">
            {t('sign.checkHint', check)}
          </p>
        )}
        <Signers view={view} />
      </div>
      <AgreementText view={view} />
      {data.canSign && !refusing && (
        <SigningSteps
          consent={t('sign.consent')}
          submitLabel={t('sign.submit')}
          sendCode={async () => (await agreementApi.otp(token, data.me.partyId, hash)).sentTo}
          submit={async (input) => {
            await agreementApi.sign(token, { partyId: data.me.partyId, revisionHash: hash, consent: true, ...input, code: input.code ?? '' });
            load();
          }}
        >
          <button type="button" className="link-button" onClick={() => setRefusing(true)} data-testid="sign-refuse-open">
            {t('sign.refuse')}
          </button>
        </SigningSteps>
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
              onClick={() =>
                void act(async () => {
                  await agreementApi.refuse(token, { partyId: data.me.partyId, revisionHash: hash, reason });
                  setRefusing(false);
                  load();
                })
              }
            >
              {t('sign.refuseSubmit')}
            </button>
          </div>
        </div>
      )}
    </>
  );
}
