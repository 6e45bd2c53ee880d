import { useState } from 'react';
import type { AgreementView, SigningOrder } from '@protocol/agreement.ts';
import { blankFieldIds, underscoreBlankPaths } from '@protocol/agreementFields.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/ApiError.ts';
import { agreementApi } from '../../services/agreement.ts';
import { AgreementText } from './AgreementText.tsx';
import { fieldLabel } from './AgreementFieldsForm.tsx';
import { useAT, type AT } from './i18n.ts';

/** Human names of blanks: a field's label, or the place of a typed blank (第2条). */
function blankNames(view: AgreementView, ids: string[], paths: string[], t: AT, lang: string): string[] {
  const fields = view.revision.content.fields ?? [];
  const names = ids.map((id) => {
    const f = fields.find((x) => x.id === id);
    return f ? fieldLabel(f, lang) : id;
  });
  for (const p of paths) {
    const m = /^clauses\.(\d+)$/.exec(p);
    names.push(m ? t('clause.n', { n: Number(m[1]) + 1 }) : t(`field.${p}` as Parameters<AT>[0]));
  }
  return names;
}

/**
 * The freeze asks for confirmation and shows the final text (the saved revision, fields filled in).
 * While a required field is blank the blanks are named and marked in the text and freezing is not
 * offered; the server refuses it too (blank_fields), and its list is shown the same way.
 */
export function FreezeDialog({
  view,
  token,
  onClose,
  onFrozen,
}: {
  view: AgreementView;
  token: string;
  onClose: () => void;
  onFrozen: (v: AgreementView) => void;
}) {
  const t = useAT();
  const tApp = useT();
  const lang = useLanguage();
  const [order, setOrder] = useState<SigningOrder>(view.signingOrder);
  const [witness, setWitness] = useState(view.requireWitness);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState<{ ids: string[]; paths: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const content = view.revision.content;
  const fields = { ...content, fields: content.fields ?? [] };
  const ids = server?.ids ?? blankFieldIds(fields);
  const paths = server?.paths ?? underscoreBlankPaths(fields);
  const names = blankNames(view, ids, paths, t, lang);

  const freeze = async () => {
    setBusy(true);
    setError(null);
    try {
      onFrozen(await agreementApi.freeze(view.id, token, { revision: view.revision.number, signingOrder: order, requireWitness: witness }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'blank_fields' && e.details) {
        const d = e.details;
        setServer({
          ids: (d.blankFields ?? '').split(',').filter(Boolean),
          paths: Object.keys(d).filter((k) => k !== 'blankFields' && !k.startsWith('fields.')),
        });
      } else setError(errorText(tApp, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="agr-dialog" role="dialog" aria-modal="true" aria-labelledby="agr-freeze-title" data-testid="freeze-dialog">
      <div className="agr-dialog__box">
        <h2 id="agr-freeze-title">{t('freeze.review')}</h2>
        <p className="agr-note">{t('freeze.confirm')}</p>
        {names.length > 0 && (
          <div className="agr-result agr-result--altered" role="alert" data-testid="freeze-blanks">
            {t('freeze.blanks', { n: names.length, list: names.join(lang === 'en' ? ', ' : '、') })}
          </div>
        )}
        {error && (
          <p className="agr-err" role="alert">
            {error}
          </p>
        )}
        <div className="agr-dialog__text">
          <AgreementText view={view} />
        </div>
        {names.length === 0 && (
          <div className="agr-dialog__opts">
            <label>
              {t('freeze.order')}{' '}
              <select value={order} onChange={(e) => setOrder(e.target.value as SigningOrder)}>
                <option value="parties_first">{t('order.parties_first')}</option>
                <option value="any">{t('order.any')}</option>
              </select>
            </label>
            <label>
              <input type="checkbox" checked={witness} onChange={(e) => setWitness(e.target.checked)} /> {t('freeze.witness')}
            </label>
          </div>
        )}
        <div className="agr-actions">
          <button type="button" className="btn btn--ghost" onClick={onClose} data-testid="freeze-back">
            {t('freeze.back')}
          </button>
          {names.length === 0 && (
            <button type="button" className="btn btn--primary" disabled={busy} onClick={() => void freeze()} data-testid="freeze-confirm">
              {t('freeze.go', { n: view.revision.number })}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
