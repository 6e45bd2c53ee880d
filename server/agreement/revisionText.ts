import { AppError } from '../errors.ts';
import type { AgreementContent } from '../protocol/agreement.ts';
import { blankFieldIds, fillText, underscoreBlankPaths } from '../protocol/agreementFields.ts';
import type { AgreementRevision } from './canonical.ts';

/*
 * From a stored draft (text with {{field}} tokens and the fields' values) to the revision that is
 * hashed and printed, and the check that nothing is left blank before it is frozen.
 */

/** A stored revision's content; drafts saved before typed fields existed have none. */
export function readContent(json: string): AgreementContent {
  const c = JSON.parse(json) as AgreementContent;
  return { ...c, fields: c.fields ?? [] };
}

/**
 * What is rendered and hashed: the text with every field's value put in. The hash therefore
 * covers the values, and a field's label or an unused field never changes it.
 */
export function toRevision(caseNumber: string, content: AgreementContent): AgreementRevision {
  const { fields, ...text } = content;
  const f = fields ?? [];
  return {
    caseNumber,
    ...text,
    title: fillText(text.title, f),
    facts: fillText(text.facts, f),
    clauses: text.clauses.map((c) => fillText(c, f)),
    performance: fillText(text.performance, f),
    breach: fillText(text.breach, f),
  };
}

/**
 * Refuses a draft with a required field left blank or a typed blank (____) in its text:
 * `blank_fields` (422) naming each one, so the drafting form can highlight them.
 */
export function assertNoBlanks(content: AgreementContent): void {
  const fields = blankFieldIds(content);
  const texts = underscoreBlankPaths(content);
  if (fields.length === 0 && texts.length === 0) return;
  const details: Record<string, string> = { blankFields: fields.join(',') };
  for (const id of fields) details[`fields.${id}`] = 'blank';
  for (const path of texts) details[path] = 'blank';
  throw new AppError('blank_fields', `The draft has blanks to fill: ${[...fields, ...texts].join(', ')}`, details);
}
