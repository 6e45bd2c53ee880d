import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { JudicialPartyView } from '@protocol/judicial.ts';
import { LanguageToggle } from '../components/LanguageToggle.tsx';
import { formatTime, sideAndName, useAT } from '../components/agreement/i18n.ts';
import { SigningSteps } from '../components/agreement/SigningSteps.tsx';
import { useAct } from '../components/agreement/useAct.ts';
import '../components/agreement/agreement.css';
import { useJT } from '../components/judicial/i18n.ts';
import { Decision, PartyConfirmations } from '../components/judicial/parts.tsx';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { replaceAddress } from '../router.tsx';
import { ApiError } from '../services/ApiError.ts';
import { judicialApi, judicialToken, watchJudicial } from '../services/judicialApi.ts';

/** The link's token (`#t=…`, as the signing links'; `?token=…` too): kept for this tab and taken out of the address bar. */
function tokenFromLink(): string | null {
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('t') ?? new URLSearchParams(window.location.search).get('token');
  if (!fromLink) return judicialToken.get();
  judicialToken.set(fromLink);
  replaceAddress(window.location.pathname);
  return fromLink;
}

/**
 * /judicial#t=… (public, phone first): a party reads what the court is asked to confirm and
 * confirms it with the signing steps (consent, SMS code, drawn signature); then waits for the
 * other party, the court's review and its decision, which arrive on this page by themselves.
 */
export function JudicialPartyPage() {
  const t = useJT();
  const [token] = useState(tokenFromLink);
  return (
    <main className="agr-page jud-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h1>{t('party.title')}</h1>
        <LanguageToggle />
      </div>
      {token ? (
        <PartyApplication token={token} />
      ) : (
        <div className="agr-result agr-result--unknown" data-testid="judicial-page-error">
          {t('party.badLink')}
        </div>
      )}
    </main>
  );
}

function PartyApplication({ token }: { token: string }) {
  const t = useJT();
  const at = useAT();
  const tm = useT();
  const lang = useLanguage();
  const [data, setData] = useState<JudicialPartyView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { problem, act } = useAct<never>();
  const top = useRef<HTMLDivElement>(null);
  const outcome = data ? `${data.application.status}:${data.myConfirmation.status}` : '';
  // What happened (confirmed, submitted, decided) is said first: bring it into view when it changes.
  useEffect(() => {
    if (outcome) top.current?.scrollIntoView({ block: 'start' });
  }, [outcome]);

  useEffect(() => {
    judicialApi.partyView(token).then(
      (v) => setData(v),
      (e: unknown) => setLoadError(e instanceof ApiError && e.status === 401 ? t('party.badLink') : errorText(tm, e)),
    );
    return watchJudicial(token, (v) => {
      setData(v);
      setLoadError(null);
    });
  }, [token]); // eslint-disable-line react-hooks/exhaustive-deps

  if (loadError)
    return (
      <div className="agr-result agr-result--unknown" data-testid="judicial-page-error">
        {loadError}
      </div>
    );
  if (!data) return <p>…</p>;
  const a = data.application;
  const mine = data.myConfirmation.status === 'confirmed';

  return (
    <>
      <div ref={top} />
      <Outcome view={data} />
      {a.decision && <Decision application={a} onDownload={(ruling) => void act(() => judicialApi.downloadRuling(ruling.downloadUrl, token, ruling.number))} />}
      {problem && 'error' in problem && (
        <p className="agr-err" role="alert">
          {errorText(tm, problem.error)}
        </p>
      )}
      {data.canConfirm && <p className="agr-note">{t('party.intro')}</p>}
      <div className="agr-card" data-testid="judicial-application-text">
        <p className="jud-request">{data.requestTexts[lang]}</p>
        <dl className="agr-kv">
          <dt>{t('party.you')}</dt>
          <dd data-testid="judicial-me">{sideAndName(at, data.me.side, data.me.name)}</dd>
          <dt>{t('court')}</dt>
          <dd data-testid="judicial-court">{a.court.name}</dd>
          <dt>{t('applicants')}</dt>
          <dd>{a.parties.map((p) => sideAndName(at, p.side, p.name)).join(t('sep.list'))}</dd>
          <dt>{t('agreementNo')}</dt>
          <dd data-testid="judicial-agreement-number">{a.agreement.caseNumber}</dd>
          <dt>{at('case.sealedAt')}</dt>
          <dd>{formatTime(a.agreement.sealedAt, lang)}</dd>
          <dt>{t('agreementSha')}</dt>
          <dd className="jud-sha">{a.agreement.sha256}</dd>
        </dl>
      </div>
      <div className="agr-card">
        <h2 style={{ fontSize: 18, margin: '0 0 6px' }}>{data.agreementContent.title}</h2>
        {data.agreementContent.facts && <p>{data.agreementContent.facts}</p>}
        <ol className="jud-clauses">
          {data.agreementContent.clauses.map((c, i) => (
            <li key={i}>{c}</li>
          ))}
        </ol>
      </div>
      <div className="agr-card">
        <h2 style={{ fontSize: 18, margin: '0 0 6px' }}>{t('card.confirmations')}</h2>
        <PartyConfirmations application={a} />
      </div>
      {data.canConfirm && !mine && (
        <SigningSteps
          consent={data.consentTexts[lang]}
          submitLabel={t('party.submit')}
          sendCode={async () => (await judicialApi.otp(token)).sentTo}
          submit={async (input) => {
            setData(
              await judicialApi.confirm(token, { consent: true, consentLang: input.consentLang, code: input.code ?? '', signaturePng: input.signaturePng }),
            );
          }}
        />
      )}
    </>
  );
}

/** The first thing the party reads: where the application stands for them. */
function Outcome({ view }: { view: JudicialPartyView }) {
  const t = useJT();
  const status = view.application.status;
  const mine = view.myConfirmation.status === 'confirmed';
  const says: Record<typeof status, { tone: 'authentic' | 'altered' | 'unknown'; text: ReactNode } | null> = {
    collecting: mine
      ? {
          tone: 'authentic',
          text: (
            <>
              {t('party.done')}
              <div className="jud-outcome__more">{t('party.waiting')}</div>
            </>
          ),
        }
      : null,
    submitted: { tone: 'authentic', text: t('party.submitted') },
    confirmed: { tone: 'authentic', text: t('party.confirmedResult') },
    rejected: { tone: 'altered', text: t('party.rejectedResult') },
    lapsed: { tone: 'unknown', text: t('party.lapsedResult') },
    withdrawn: { tone: 'unknown', text: t('party.withdrawnResult') },
  };
  const say = says[status];
  if (!say) return null;
  return (
    <div className={`agr-result agr-result--${say.tone}`} data-testid="judicial-outcome" data-status={status} data-mine={mine ? 'confirmed' : 'pending'}>
      {say.text}
    </div>
  );
}
