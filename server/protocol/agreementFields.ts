import { z } from 'zod';

/*
 * Typed fields of an agreement draft (付款日期, 金额, …): the template's blanks. The text holds a
 * token `{{id}}` where a field's value goes; the value lives in `fields` next to the text and is
 * put into the text when the revision is rendered and hashed (server/agreement/canonical.ts
 * hashes the filled text, so the revision hash covers every value). Shared by the server and
 * the drafting UI: the same formatting in the preview as in the sealed PDF.
 */

export const agreementFieldTypes = ['date', 'amount', 'integer', 'text', 'party'] as const;
export type AgreementFieldType = (typeof agreementFieldTypes)[number];

export const FIELD_ID = /^[a-z][A-Za-z0-9]{0,31}$/;
/** `{{payDate}}` in a text; global, so reset lastIndex or use with replace/matchAll only. */
export const FIELD_TOKEN = /\{\{([a-z][A-Za-z0-9]{0,31})\}\}/g;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;
const INTEGER = /^[1-9]\d{0,5}$/;

/** Why a non-empty value does not fit its type (a stable key for the client catalogue), or null. */
export function fieldValueProblem(type: AgreementFieldType, value: string): 'invalid_date' | 'invalid_amount' | 'invalid_integer' | null {
  if (value === '') return null;
  const checks: Record<AgreementFieldType, () => boolean> = {
    date: () => {
      const m = DATE.exec(value);
      if (!m) return false;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
    },
    amount: () => AMOUNT.test(value) && Number(value) > 0,
    integer: () => INTEGER.test(value),
    text: () => true,
    party: () => true,
  };
  if (checks[type]()) return null;
  const problems: Record<AgreementFieldType, 'invalid_date' | 'invalid_amount' | 'invalid_integer' | null> = {
    date: 'invalid_date',
    amount: 'invalid_amount',
    integer: 'invalid_integer',
    text: null,
    party: null,
  };
  return problems[type];
}

export const agreementField = z
  .object({
    id: z.string().regex(FIELD_ID),
    type: z.enum(agreementFieldTypes),
    /** Chinese label, also how the drafting UI writes the token: 【付款日期】. */
    label: z
      .string()
      .trim()
      .min(1)
      .max(30)
      .regex(/^[^【】{}\n]+$/),
    labelEn: z.string().trim().min(1).max(60),
    required: z.boolean(),
    /** '' while blank; date YYYY-MM-DD, amount in yuan (up to 2 decimals), integer, or text. */
    value: z.string().max(500),
  })
  .strict()
  .superRefine((f, ctx) => {
    const problem = fieldValueProblem(f.type, f.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });
export type AgreementField = z.infer<typeof agreementField>;

/** The texts of a draft that may hold tokens, with their dotted paths (as in error details). */
export interface FieldedTexts {
  title: string;
  facts: string;
  clauses: string[];
  performance: string;
  breach: string;
}
export function textsOf(c: FieldedTexts): Array<[path: string, text: string]> {
  return [
    ['title', c.title],
    ['facts', c.facts],
    ...c.clauses.map((text, i): [string, string] => [`clauses.${i}`, text]),
    ['performance', c.performance],
    ['breach', c.breach],
  ];
}

/** Field ids the text refers to, in order of first use. */
export function referencedFieldIds(c: FieldedTexts): string[] {
  const ids: string[] = [];
  for (const [, text] of textsOf(c)) for (const m of text.matchAll(FIELD_TOKEN)) if (!ids.includes(m[1]!)) ids.push(m[1]!);
  return ids;
}

/** Ids of required fields the text uses that have no value yet. */
export function blankFieldIds(c: FieldedTexts & { fields: AgreementField[] }): string[] {
  const used = referencedFieldIds(c);
  return c.fields.filter((f) => f.required && f.value.trim() === '' && used.includes(f.id)).map((f) => f.id);
}

/** Paths of texts that still show a typed blank (a run of underscores) once the fields are filled. */
export function underscoreBlankPaths(c: FieldedTexts & { fields: AgreementField[] }): string[] {
  return textsOf(c)
    .filter(([, text]) => /_{2,}|＿{2,}/.test(fillText(text, c.fields)))
    .map(([path]) => path);
}

/** Party-name fields whose value is not the name of one of the agreement's parties. */
export function unknownPartyFieldIds(c: { fields: AgreementField[]; parties: Array<{ name: string }> }): string[] {
  const names = c.parties.map((p) => p.name.trim());
  return c.fields.filter((f) => f.type === 'party' && f.value.trim() !== '' && !names.includes(f.value.trim())).map((f) => f.id);
}

/** 2026-12-31 → 2026年12月31日; 18000 → 18,000; 18000.5 → 18,000.50 (yuan, as printed). */
export function formatFieldValue(f: Pick<AgreementField, 'type' | 'value'>): string {
  const v = f.value.trim();
  if (v === '') return '';
  const formats: Record<AgreementFieldType, () => string> = {
    date: () => {
      const m = DATE.exec(v);
      return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : v;
    },
    amount: () => {
      const [whole, frac] = v.split('.');
      const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      return frac && Number(frac) !== 0 ? `${grouped}.${frac.padEnd(2, '0')}` : grouped;
    },
    integer: () => v,
    text: () => v.replace(/\s+/g, ' '),
    party: () => v,
  };
  return formats[f.type]();
}

/** The text with every token replaced by its field's printed value ('' for a blank optional field). */
export function fillText(text: string, fields: AgreementField[]): string {
  return text.replace(FIELD_TOKEN, (m, id: string) => {
    const f = fields.find((x) => x.id === id);
    return f ? formatFieldValue(f) : m;
  });
}

/** Tokens as the drafting form shows them: {{payDate}} → 【付款日期】. */
export function tokensToLabels(text: string, fields: AgreementField[]): string {
  return text.replace(FIELD_TOKEN, (m, id: string) => {
    const f = fields.find((x) => x.id === id);
    return f ? `【${f.label}】` : m;
  });
}

/** Back from the form: 【付款日期】 → {{payDate}}; a bracketed text that is no field's label stays as typed. */
export function labelsToTokens(text: string, fields: AgreementField[]): string {
  return text.replace(/【([^【】\n]+)】/g, (m, label: string) => {
    const f = fields.find((x) => x.label === label.trim());
    return f ? `{{${f.id}}}` : m;
  });
}
