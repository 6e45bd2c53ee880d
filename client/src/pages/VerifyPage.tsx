import { useState } from 'react';
import type { VerificationResult } from '@protocol/agreement.ts';
import { LanguageToggle } from '../components/LanguageToggle.tsx';
import { formatTime, useAT } from '../components/agreement/i18n.ts';
import { useRT } from '../components/mediationRecord/i18n.ts';
import { useJT } from '../components/judicial/i18n.ts';
import '../components/agreement/agreement.css';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { agreementApi } from '../services/agreement.ts';

/** The code a link brings: `#c=…` (the case page, the PDF) or `?code=…` (a ruling's verification link). */
function linkedCode(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('c') ?? new URLSearchParams(window.location.search).get('code') ?? '';
}

/** /verify (public): by verification code (a link prefills it) or by uploading the PDF; a court's ruling is told apart from the committee's documents. */
export function VerifyPage() {
  const t = useAT();
  const rt = useRT();
  const jt = useJT();
  const tm = useT();
  const lang = useLanguage();
  const [code, setCode] = useState(linkedCode);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<{ r: VerificationResult; by: 'code' | 'file' } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const go = async (by: 'code' | 'file') => {
    setError(null);
    try {
      const r = by === 'code' ? await agreementApi.verifyCode(code) : await agreementApi.verifyFile(file!, code || undefined);
      setResult({ r, by });
    } catch (e) {
      setError(errorText(tm, e));
    }
  };
  const r = result?.r;
  // A ruling names the court that sealed it; the agreement and the record carry the committee's seal.
  const court = r?.sealedBy === 'court' ? (r.courtName ?? '') : null;
  const authenticText = (by: 'code' | 'file') =>
    court !== null ? jt(by === 'code' ? 'verify.rulingCode' : 'verify.ruling', { court }) : t(by === 'code' ? 'verify.authenticCode' : 'verify.authentic');
  return (
    <main className="agr-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h1>{t('verify.title')}</h1>
        <LanguageToggle />
      </div>
      <p className="agr-note">{t('verify.intro')}</p>
      <div className="agr-card">
        <label htmlFor="vcode">{t('verify.code')}</label>
        <div className="agr-row">
          <input id="vcode" type="text" value={code} onChange={(e) => setCode(e.target.value)} placeholder="XXXX-XXXX-XXXX" data-testid="verify-code" />
          <button type="button" className="btn btn--primary" disabled={code.trim().length < 4} onClick={() => void go('code')} data-testid="verify-by-code">
            {t('verify.byCode')}
          </button>
        </div>
        <label htmlFor="vfile">{t('verify.file')}</label>
        <div className="agr-row agr-row--wrap">
          <input id="vfile" type="file" accept="application/pdf,.pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="verify-file" />
          <button type="button" className="btn btn--secondary" disabled={!file} onClick={() => void go('file')} data-testid="verify-by-file">
            {t('verify.byFile')}
          </button>
        </div>
      </div>
      {error && <p className="agr-err">{error}</p>}
      {r && (
        <>
          <div className={`agr-result agr-result--${r.status}`} data-testid="verify-result" data-status={r.status}>
            {r.status === 'authentic' ? authenticText(result.by) : t(r.status === 'altered' ? 'verify.altered' : 'verify.unknown')}
            {r.reason && <div style={{ fontWeight: 400, fontSize: 13, marginTop: 6 }}>{r.reason}</div>}
          </div>
          {r.caseNumber && (
            <div className="agr-card">
              <dl className="agr-kv">
                {r.kind && (
                  <>
                    <dt>{rt('verify.kind')}</dt>
                    <dd data-testid="verify-kind" data-kind={r.kind}>
                      {rt(`related.${r.kind}`)}
                    </dd>
                  </>
                )}
                {court !== null && (
                  <>
                    <dt>{jt('verify.court')}</dt>
                    <dd data-testid="verify-court">{court}</dd>
                  </>
                )}
                {r.decision && (
                  <>
                    <dt>{jt('verify.decision')}</dt>
                    <dd data-testid="verify-decision" data-decision={r.decision}>
                      {jt(`verify.decided.${r.decision}`)}
                    </dd>
                  </>
                )}
                {r.documentNumber && (
                  <>
                    <dt>{court !== null ? jt('verify.rulingNo') : rt('number')}</dt>
                    <dd data-testid="verify-number">{r.documentNumber}</dd>
                  </>
                )}
                <dt>{t('verify.case')}</dt>
                <dd>{r.caseNumber}</dd>
                {r.fingerprint && (
                  <>
                    <dt>{t('panel.fingerprint')}</dt>
                    <dd>
                      <code>{r.fingerprint}</code>
                    </dd>
                  </>
                )}
                {r.sealedAt && (
                  <>
                    <dt>{t('verify.sealedAt')}</dt>
                    <dd>{formatTime(r.sealedAt, lang)}</dd>
                  </>
                )}
                {r.sha256 && (
                  <>
                    <dt>{t('verify.sha')}</dt>
                    <dd style={{ fontFamily: 'monospace', fontSize: 12 }}>{r.sha256}</dd>
                  </>
                )}
              </dl>
              {r.sealedBy && (
                <p className="agr-note" data-testid="verify-sealed-by" data-sealed-by={r.sealedBy}>
                  {court !== null ? jt('verify.courtSeal', { court }) : jt('verify.committeeSeal')}
                </p>
              )}
              {r.related?.map((d) => (
                <p key={d.sha256} className="agr-note" data-testid="verify-related" data-kind={d.kind}>
                  {rt('related')}
                  {rt('sep.colon')}
                  {rt(`related.${d.kind}`)} {d.number} {rt(`related.${d.relation}`)}
                  <br />
                  <code style={{ fontSize: 11, wordBreak: 'break-all' }}>SHA-256 {d.sha256}</code>
                </p>
              ))}
              {r.signers && (
                <>
                  <h3 style={{ fontSize: 15 }}>{t('verify.signers')}</h3>
                  <ul className="agr-signers" data-testid="verify-signers">
                    {r.signers.map((s, i) => (
                      <li key={i}>
                        <span>
                          {s.roleCode ? t(`signerRole.${s.roleCode}`) : s.role}
                          {t('sep.gap')}
                          {s.name}
                        </span>
                        <small>
                          {formatTime(s.at, lang)} · {t(`verify.method.${s.method}` as 'verify.method.sms_otp+handwritten')}
                        </small>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
        </>
      )}
    </main>
  );
}
