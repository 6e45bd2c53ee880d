import type { AgreementContent } from '@protocol/agreement.ts';
import { referencedFieldIds, type AgreementField } from '@protocol/agreementFields.ts';
import { useLanguage } from '../../i18n/index.ts';
import { useAT } from './i18n.ts';

/** The label of a field in the current language. */
export function fieldLabel(f: AgreementField, lang: string): string {
  return lang === 'en' ? f.labelEn : f.label;
}

/**
 * The template's blanks as typed inputs (date picker, amount in yuan, number, party, text), for
 * the fields the text uses. A required field left empty is marked (data-blank) and named.
 */
export function AgreementFieldsForm({ draft, onChange }: { draft: AgreementContent; onChange: (fields: AgreementField[]) => void }) {
  const t = useAT();
  const lang = useLanguage();
  const used = referencedFieldIds(draft);
  const fields = draft.fields.filter((f) => used.includes(f.id));
  if (fields.length === 0) return null;
  const set = (id: string, value: string) => onChange(draft.fields.map((f) => (f.id === id ? { ...f, value } : f)));
  return (
    <fieldset className="agr-fields" data-testid="agreement-fields">
      <legend>{t('fields.title')}</legend>
      <p className="agr-note">{t('fields.hint')}</p>
      {fields.map((f) => {
        const blank = f.required && f.value.trim() === '';
        const id = `agr-field-${f.id}`;
        const common = {
          id,
          'data-testid': `agreement-field-${f.id}`,
          'data-blank': blank ? 'true' : undefined,
          'aria-invalid': blank ? true : undefined,
          'aria-describedby': blank ? `${id}-blank` : undefined,
          value: f.value,
        } as const;
        let input;
        if (f.type === 'date') input = <input type="date" {...common} onChange={(e) => set(f.id, e.target.value)} />;
        else if (f.type === 'amount' || f.type === 'integer')
          input = (
            <span className="agr-fields__num">
              <input
                type="number"
                inputMode={f.type === 'amount' ? 'decimal' : 'numeric'}
                min={f.type === 'amount' ? '0.01' : '1'}
                step={f.type === 'amount' ? '0.01' : '1'}
                {...common}
                onChange={(e) => set(f.id, e.target.value)}
              />
              {f.type === 'amount' && <span>{t('fields.yuan')}</span>}
            </span>
          );
        else if (f.type === 'party')
          input = (
            <select {...common} onChange={(e) => set(f.id, e.target.value)}>
              <option value="">{t('fields.choose')}</option>
              {draft.parties.map((p, i) => (
                <option key={i} value={p.name}>
                  {p.side} {p.name}
                </option>
              ))}
            </select>
          );
        else input = <input type="text" maxLength={500} {...common} onChange={(e) => set(f.id, e.target.value)} />;
        return (
          <div key={f.id} className={`agr-fields__row${blank ? ' agr-fields__row--blank' : ''}`}>
            <label htmlFor={id}>
              {fieldLabel(f, lang)}
              {!f.required && <small> {t('fields.optional')}</small>}
            </label>
            {input}
            {blank && (
              <small id={`${id}-blank`} className="agr-err">
                {t('fields.blank')}
              </small>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
