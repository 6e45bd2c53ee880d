import { hasKey, type Translate } from '../../i18n/index.ts';
import { fieldErrorText } from '../../i18n/labels.ts';

/** Case-loop server validation messages in plain words. */
const known: Record<string, string> = {
  'A reason is required': 'cl.err.reason',
  'A summary of the agreement is required': 'cl.err.summary',
  'Follow-up notes are required': 'cl.err.notes',
  'Say what is needed': 'cl.err.need',
  'Choose a department': 'cl.err.department',
  'Say what is to be done': 'cl.err.supText',
  'An answer is required': 'cl.err.answer',
  'Required': 'cl.err.required',
  "Say where the case was referred when referredTo is 'other'": 'cl.err.referralDetail',
  'Enter a date (YYYY-MM-DD) or an ISO date-time': 'cl.err.date',
};

export function fieldText(t: Translate, path: string, message: string): string {
  const key = known[message];
  if (key && hasKey(key)) return t(key);
  const generic = fieldErrorText(t, path, message);
  return generic === t('field.invalid') ? `${t('field.invalid')}（${message}）` : generic;
}
