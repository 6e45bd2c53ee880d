import { useEffect, useState } from 'react';
import type { AgreementView } from '@protocol/agreement.ts';
import type { CaseDetail } from '@protocol/cases.ts';
import { useLanguage, useT, type Translate } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { agreementApi } from '../../services/agreement.ts';
import { staffAuth } from '../../services/session.ts';
import { formatTime, sideAndName, useAT } from './i18n.ts';
import './agreement.css';

/** 草稿 / 待签署 / 已签署 (all required signatures in, seal pending) / 已盖章. */
function statusKey(a: AgreementView): 'drafting' | 'signing' | 'signed' | 'sealed' {
  if (a.status === 'signing' && a.signers.every((s) => !s.required || s.status === 'signed')) return 'signed';
  return a.status;
}

function message(t: Translate, e: unknown): string {
  return errorText(t, e);
}

/**
 * The case's mediation agreement on the staff case page: status, revision fingerprint, signers
 * with times, verification code, the sealed PDF (downloaded with the staff token), a link to
 * /verify, and settling the case once the agreement is sealed.
 */
export function CaseAgreementCard({ detail, onChanged }: { detail: CaseDetail; onChanged: (next: CaseDetail) => void }) {
  const t = useAT();
  const tm = useT();
  const lang = useLanguage();
  const token = staffAuth.token;
  const [agreements, setAgreements] = useState<AgreementView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!token) return;
    let live = true;
    agreementApi.forCase(detail.id, token).then(
      (list) => live && setAgreements(list),
      (e: unknown) => live && setError(message(tm, e)),
    );
    return () => {
      live = false;
    };
    // Reloaded when the case moves (e.g. a session ends, the case is settled).
  }, [detail.id, detail.state, detail.activeSessionId, token]); // eslint-disable-line react-hooks/exhaustive-deps

  const download = async (a: AgreementView) => {
    if (!token) return;
    setError(null);
    try {
      await agreementApi.download(a.id, token, `人民调解协议书-${a.caseNumber}.pdf`);
    } catch (e) {
      setError(t('case.downloadFailed', { message: message(tm, e) }));
    }
  };

  const settle = async (a: AgreementView) => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      onChanged(await agreementApi.settle(a.id, token));
    } catch (e) {
      setError(message(tm, e));
    } finally {
      setBusy(false);
    }
  };

  // POST /api/agreements/:id/settle: the server's rule for this user on this case (can), and the loop's state.
  const canSettle = detail.state === 'in_mediation' && detail.availableActions.includes('close_settled') && detail.can['agreement.settle'];

  return (
    <section className="card" aria-labelledby="case-agreement-title" data-testid="case-agreement">
      <h2 className="card__title" id="case-agreement-title">
        {t('case.title')}
      </h2>
      {error && (
        <p className="agr-err" role="alert">
          {error}
        </p>
      )}
      {agreements === null && !error && <p className="agr-note">…</p>}
      {agreements?.length === 0 && <p className="agr-note">{t('case.none')}</p>}
      {agreements?.map((a) => {
        const status = statusKey(a);
        const rev = a.frozen ?? a.revision;
        const doc = a.document;
        return (
          <div key={a.id} className="agr-case" data-testid="case-agreement-item" data-status={status}>
            <div className="agr-meta">
              <span className={`agr-status agr-status--${a.status}`} data-testid="case-agreement-status">
                {t(`case.status.${status}`)}
              </span>
              <span>{t('case.revision', { n: rev.number })}</span>
              <span>
                {t('case.fingerprint')} <code data-testid="case-agreement-fingerprint">{rev.fingerprint}</code>
              </span>
            </div>
            {a.status !== 'drafting' && (
              <ul className="agr-signers" data-testid="case-agreement-signers">
                {a.signers.map((s, i) => (
                  <li key={i} data-status={s.status}>
                    <span>
                      {s.kind === 'party'
                        ? sideAndName(t, s.side, s.name)
                        : `${t(s.kind === 'mediator' ? 'kind.mediator' : 'kind.witness')}${t('sep.gap')}${s.name}`}
                    </span>
                    {s.at && s.status === 'signed' && <small>{t('case.signedAt', { time: formatTime(s.at, lang) })}</small>}
                    <span className={`agr-pill agr-pill--${s.status}`}>{t(`signer.${s.status}`)}</span>
                    {s.refusalReason && <small>{t('sep.paren', { text: s.refusalReason })}</small>}
                  </li>
                ))}
              </ul>
            )}
            {doc && (
              <>
                <dl className="agr-kv">
                  <dt>{t('verifyCode')}</dt>
                  <dd>
                    <code data-testid="case-agreement-code">{doc.verificationCode}</code>
                  </dd>
                  <dt>{t('case.sealedAt')}</dt>
                  <dd>{formatTime(doc.sealedAt, lang)}</dd>
                </dl>
                <div className="agr-actions">
                  <button type="button" className="btn btn--secondary" onClick={() => void download(a)} data-testid="case-agreement-download">
                    {t('download')}
                  </button>
                  <a
                    className="btn btn--ghost"
                    href={`/verify#c=${encodeURIComponent(doc.verificationCode)}`}
                    target="_blank"
                    rel="noopener"
                    data-testid="case-agreement-verify"
                  >
                    {t('case.verify')}
                  </a>
                </div>
                {a.status === 'sealed' && canSettle && (
                  <div className="agr-card">
                    <p className="agr-note">{t('case.settleHint')}</p>
                    <button type="button" className="btn btn--primary" disabled={busy} onClick={() => void settle(a)} data-testid="case-agreement-settle">
                      {t('case.settle')}
                    </button>
                  </div>
                )}
                {detail.agreementId === a.id && detail.state !== 'in_mediation' && detail.settled && (
                  <p className="agr-ok" data-testid="case-agreement-settled">
                    {t('case.settled')}
                  </p>
                )}
              </>
            )}
          </div>
        );
      })}
    </section>
  );
}
