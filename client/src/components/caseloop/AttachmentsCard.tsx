import { useRef, useState } from 'react';
import { useAsync } from '../../hooks/useAsync.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText, formatDateTime } from '../../i18n/labels.ts';
import { ApiError } from '../../services/api.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { Alert } from '../Feedback.tsx';

const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = ['image/jpeg', 'image/png', 'application/pdf'];

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Photos and PDFs of the case: upload (checked here and again by the server), list, download. */
export function AttachmentsCard({ caseId }: { caseId: string }) {
  const t = useT();
  const language = useLanguage();
  const [tick, setTick] = useState(0);
  const list = useAsync(() => loopApi.attachments(caseId), [caseId, tick]);
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    if (!TYPES.includes(file.type)) return setError(t('cl.att.badType'));
    if (file.size > MAX_BYTES) return setError(t('cl.att.tooBig'));
    setBusy(true);
    try {
      await loopApi.uploadAttachment(caseId, file);
      setTick((n) => n + 1);
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'bad_request' ? t('cl.att.rejected') : errorText(t, e));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  const download = async (id: string) => {
    const a = list.data?.find((x) => x.id === id);
    if (!a) return;
    setError(null);
    try {
      await loopApi.downloadAttachment(caseId, a);
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <section className="card" aria-labelledby="att-title" data-testid="attachments-card">
      <h2 className="card__title" id="att-title">
        {t('cl.att.title')}
      </h2>
      {(list.data ?? []).length === 0 && <p className="muted">{t('cl.att.none')}</p>}
      {(list.data ?? []).length > 0 && (
        <ul className="att-list">
          {list.data!.map((a) => (
            <li key={a.id}>
              <button type="button" className="btn btn--text btn--sm att-list__name" onClick={() => void download(a.id)}>
                {a.originalName}
              </button>
              <span className="muted">
                {size(a.size)} · {formatDateTime(a.createdAt, language)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <label className="btn btn--secondary btn--sm att-upload">
        {busy ? t('cl.att.uploading') : t('cl.att.upload')}
        <input
          ref={input}
          type="file"
          accept="image/jpeg,image/png,application/pdf"
          className="visually-hidden"
          disabled={busy}
          onChange={(e) => void upload(e.target.files?.[0])}
          data-testid="attachment-input"
        />
      </label>
      <p className="muted card__hint">{t('cl.att.hint')}</p>
      {error && <Alert>{error}</Alert>}
    </section>
  );
}
