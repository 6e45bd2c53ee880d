import { useEffect, useState } from 'react';
import type { CaseDetail } from '@protocol/cases.ts';
import type { RecordView } from '@protocol/mediationRecord.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { recordApi } from '../../services/mediationRecord.ts';
import { staffAuth } from '../../services/session.ts';
import { formatTime } from '../agreement/i18n.ts';
import { useRT } from './i18n.ts';
import { Confirmers, SealedInfo } from './RecordText.tsx';
import '../agreement/agreement.css';
import './record.css';

/** The case's mediation records (one per session) on the staff case page, beside the agreement card. */
export function CaseRecordCard({ detail }: { detail: CaseDetail }) {
  const t = useRT();
  const tm = useT();
  const lang = useLanguage();
  const token = staffAuth.token;
  const [records, setRecords] = useState<RecordView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!token) return;
    let live = true;
    recordApi.forCase(detail.id, token).then(
      (list) => live && setRecords(list),
      (e: unknown) => live && setError(errorText(tm, e)),
    );
    return () => {
      live = false;
    };
  }, [detail.id, detail.state, detail.activeSessionId, token]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <section className="card" aria-labelledby="case-record-title" data-testid="case-record">
      <h2 className="card__title" id="case-record-title">
        {t('card.title')}
      </h2>
      {error && (
        <p className="agr-err" role="alert">
          {error}
        </p>
      )}
      {records === null && !error && <p className="agr-note">…</p>}
      {records?.length === 0 && <p className="agr-note">{t('card.none')}</p>}
      <ul className="rec-card-list">
        {records?.map((r, i) => (
          <li key={r.id} data-testid="case-record-item" data-status={r.status}>
            <div className="agr-meta">
              <b>{t('card.session', { n: i + 1 })}</b>
              <span>{formatTime(r.header.startedAt, lang)}</span>
              <span className={`agr-status agr-status--${r.status === 'confirming' ? 'signing' : r.status}`}>{t(`status.${r.status}`)}</span>
              <span>
                {t('head.recorder')}
                {t('sep.colon')}
                {r.header.recorder}
              </span>
            </div>
            <Confirmers view={r} />
            <SealedInfo view={r} onDownload={token ? () => void recordApi.download(r.id, token, `调解笔录-${r.document?.number ?? ''}.pdf`) : undefined} />
            {r.document && (
              <a
                className="btn btn--ghost"
                href={`/verify#c=${encodeURIComponent(r.document.verificationCode)}`}
                target="_blank"
                rel="noopener"
                data-testid="case-record-verify"
              >
                /verify
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
