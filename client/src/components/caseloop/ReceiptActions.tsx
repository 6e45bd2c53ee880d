import { useState } from 'react';
import type { PublicCaseReceipt } from '@protocol/cases.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText, formatDateTime } from '../../i18n/labels.ts';
import { publicApi } from '../../services/caseloopApi.ts';
import { copyText } from '../CopyField.tsx';
import { Alert } from '../Feedback.tsx';
import { downloadReceipt } from './receiptImage.ts';

type Status = { kind: 'copied' } | { kind: 'saved' } | { kind: 'sms'; sentTo: string } | { kind: 'error'; text: string } | null;

/** The query code is shown once: copy it, save it as an image, or have it sent to the reporter's phone. */
export function ReceiptActions({ receipt }: { receipt: PublicCaseReceipt }) {
  const t = useT();
  const language = useLanguage();
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const codes = `${t('cl.pub.caseNumber')} ${receipt.caseNumber}\n${t('cl.pub.queryCode')} ${receipt.queryCode}`;

  const copy = async () => setStatus((await copyText(codes)) ? { kind: 'copied' } : { kind: 'error', text: t('common.copyFailed') });
  const save = async () => {
    try {
      await downloadReceipt({
        title: t('cl.pub.received'),
        caseNumberLabel: t('cl.pub.caseNumber'),
        caseNumber: receipt.caseNumber,
        queryCodeLabel: t('cl.pub.queryCode'),
        queryCode: receipt.queryCode,
        receivedAt: t('cl.pub.receivedAt', { time: formatDateTime(receipt.createdAt, language) }),
        where: t('cl.pub.imageWhere', { url: `${window.location.origin}/query` }),
      });
      setStatus({ kind: 'saved' });
    } catch {
      setStatus({ kind: 'error', text: t('cl.pub.saveFailed') });
    }
  };
  const sms = async () => {
    setBusy(true);
    try {
      const r = await publicApi.sendQueryCode({ caseNumber: receipt.caseNumber, queryCode: receipt.queryCode });
      setStatus({ kind: 'sms', sentTo: r.sentTo });
    } catch (e) {
      setStatus({ kind: 'error', text: errorText(t, e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="receipt__actions" data-testid="receipt-actions">
      <div className="receipt__buttons">
        <button type="button" className="btn btn--secondary" onClick={() => void copy()} data-testid="receipt-copy">
          {status?.kind === 'copied' ? t('common.copied') : t('cl.pub.copyCodes')}
        </button>
        <button type="button" className="btn btn--secondary" onClick={() => void save()} data-testid="receipt-save">
          {t('cl.pub.saveImage')}
        </button>
        <button type="button" className="btn btn--secondary" onClick={() => void sms()} disabled={busy} data-testid="receipt-sms">
          {t('cl.pub.sendSms')}
        </button>
      </div>
      <div aria-live="polite">
        {status?.kind === 'sms' && (
          <p className="receipt__status" data-testid="receipt-sms-sent">
            {t('cl.pub.smsSent', { phone: status.sentTo })}
          </p>
        )}
        {status?.kind === 'saved' && <p className="receipt__status">{t('cl.pub.saved')}</p>}
        {status?.kind === 'error' && <Alert>{status.text}</Alert>}
      </div>
    </div>
  );
}
