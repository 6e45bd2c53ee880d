import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreementContent } from '../../../server/protocol/agreement.ts';
import {
  blankFieldIds,
  fillText,
  formatFieldValue,
  labelsToTokens,
  referencedFieldIds,
  textsOf,
  tokensToLabels,
  underscoreBlankPaths,
  type AgreementField,
} from '../../../server/protocol/agreementFields.ts';
import { assertNoBlanks, toRevision } from '../../../server/agreement/revisionText.ts';
import { checkCode, revisionHash } from '../../../server/agreement/canonical.ts';
import { agreementTemplates, fillTemplate } from '../../../server/agreement/templates.ts';
import { AppError } from '../../../server/errors.ts';

const CASE = {
  description: '申请人称工资 18000 元未结清。',
  parties: [
    { side: 'applicant', name: '张三' },
    { side: 'respondent', name: '李四' },
  ],
  organisation: '某街道人民调解委员会',
  mediator: '王调解员',
};

const VALUES: Record<AgreementField['type'], string> = { date: '2026-12-31', amount: '18000', integer: '3', text: '由双方轮流照顾老人', party: '李四' };

test('every template: no typed blanks (underscores) left, every {{token}} is a typed field, and the filled draft validates', () => {
  for (const t of agreementTemplates) {
    const c = fillTemplate(t, CASE);
    for (const [path, text] of textsOf(c)) assert.doesNotMatch(text, /_{2,}/, `${t.id} ${path} has a typed blank`);
    const used = referencedFieldIds(c);
    assert.ok(used.length > 0, `${t.id} has fields`);
    assert.deepEqual(
      used.filter((id) => !c.fields.some((f) => f.id === id)),
      [],
      `${t.id} tokens are all fields`,
    );
    assert.deepEqual(
      blankFieldIds(c),
      c.fields.filter((f) => f.required && used.includes(f.id)).map((f) => f.id),
      `${t.id}: all blank at first`,
    );
    assert.ok(agreementContent.safeParse(c).success, `${t.id} validates`);
    const filled = { ...c, fields: c.fields.map((f) => ({ ...f, value: VALUES[f.type] })) };
    assert.deepEqual(blankFieldIds(filled), []);
    assert.deepEqual(underscoreBlankPaths(filled), []);
    const rev = toRevision('DY-1', filled);
    for (const [path, text] of textsOf(rev)) assert.doesNotMatch(text, /\{\{|_{2,}/, `${t.id} ${path} rendered`);
  }
});

test('a blank required field refuses the freeze with its id; a typed blank (____) too', () => {
  const c = fillTemplate(
    agreementTemplates.find((t) => t.id === 'labour')!,
    CASE,
  );
  const refused = (content: typeof c) => {
    try {
      assertNoBlanks(content);
      return null;
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, 'blank_fields');
      assert.equal(e.status, 422);
      return e.details!;
    }
  };
  assert.equal(refused(c)!.blankFields, 'wageAmount,payDate');
  const half = { ...c, fields: c.fields.map((f) => (f.id === 'payDate' ? { ...f, value: '2026-12-31' } : f)) };
  assert.deepEqual(refused(half), { blankFields: 'wageAmount', 'fields.wageAmount': 'blank' });
  const full = { ...half, fields: half.fields.map((f) => ({ ...f, value: f.value || '18000' })) };
  assert.equal(refused(full), null);
  assert.deepEqual(refused({ ...full, clauses: [...full.clauses, '于____年__月__日前交付。'] }), { blankFields: '', 'clauses.3': 'blank' });
  // A field the text no longer uses does not block.
  const unused = { ...c, clauses: ['李四已当场付清。'], performance: '当场履行。' };
  assert.equal(refused(unused), null);
});

test('values are typed: bad dates, amounts and counts are refused; unknown tokens and non-party names too', () => {
  const c = fillTemplate(
    agreementTemplates.find((t) => t.id === 'general')!,
    CASE,
  );
  const withValue = (id: string, value: string) => ({ ...c, fields: c.fields.map((f) => (f.id === id ? { ...f, value } : f)) });
  assert.equal(agreementContent.safeParse(withValue('days', '15')).success, true);
  assert.equal(agreementContent.safeParse(withValue('days', '1.5')).success, false);
  assert.equal(agreementContent.safeParse(withValue('performer', '李四')).success, true);
  assert.equal(agreementContent.safeParse(withValue('performer', '王五')).success, false, 'not a party of the agreement');
  const labour = fillTemplate(
    agreementTemplates.find((t) => t.id === 'labour')!,
    CASE,
  );
  const lv = (id: string, value: string) => ({ ...labour, fields: labour.fields.map((f) => (f.id === id ? { ...f, value } : f)) });
  assert.equal(agreementContent.safeParse(lv('payDate', '2026-02-30')).success, false);
  assert.equal(agreementContent.safeParse(lv('payDate', '2026-02-28')).success, true);
  assert.equal(agreementContent.safeParse(lv('wageAmount', '-5')).success, false);
  assert.equal(agreementContent.safeParse(lv('wageAmount', '1e3')).success, false);
  assert.equal(agreementContent.safeParse(lv('wageAmount', '18000.5')).success, true);
  assert.equal(agreementContent.safeParse({ ...labour, clauses: ['于{{nowhere}}前付清。'] }).success, false);
});

test('printed values; the hash covers them; the form shows 【label】 and stores {{id}}', () => {
  assert.equal(formatFieldValue({ type: 'date', value: '2026-01-05' }), '2026年1月5日');
  assert.equal(formatFieldValue({ type: 'amount', value: '18000' }), '18,000');
  assert.equal(formatFieldValue({ type: 'amount', value: '1234567.5' }), '1,234,567.50');
  assert.equal(formatFieldValue({ type: 'amount', value: '99.00' }), '99');
  const c = fillTemplate(
    agreementTemplates.find((t) => t.id === 'labour')!,
    CASE,
  );
  const set = (amount: string) => ({ ...c, fields: c.fields.map((f) => ({ ...f, value: f.type === 'date' ? '2026-12-31' : amount })) });
  assert.equal(fillText(c.performance, set('1').fields).includes('于2026年12月31日前一次性付清'), true);
  assert.notEqual(revisionHash(toRevision('DY-1', set('18000'))), revisionHash(toRevision('DY-1', set('18001'))), 'the hash covers the values');
  const relabelled = { ...set('18000'), fields: set('18000').fields.map((f) => ({ ...f, label: f.label + '（改）' })) };
  assert.equal(revisionHash(toRevision('DY-1', relabelled)), revisionHash(toRevision('DY-1', set('18000'))), 'a label is not printed');
  const shown = tokensToLabels(c.clauses[0]!, c.fields);
  assert.match(shown, /人民币【拖欠劳动报酬金额】元/);
  assert.equal(labelsToTokens(shown, c.fields), c.clauses[0]);
  assert.equal(labelsToTokens('【不是字段】', c.fields), '【不是字段】');
});

test('check code: 6 characters of Crockford base32 from the first 30 bits', () => {
  assert.equal(checkCode('3f2a9c01' + '0'.repeat(56)), '7WN9R0');
  assert.equal(checkCode('0'.repeat(64)), '000000');
  assert.equal(checkCode('f'.repeat(64)), 'ZZZZZZ');
  for (let i = 0; i < 200; i++) {
    const hash = revisionHash({
      caseNumber: `DY-${i}`,
      title: 't',
      parties: [{ side: 'a', name: 'b' }],
      facts: 'f',
      clauses: ['c'],
      performance: 'p',
      breach: 'b',
      organisation: 'o',
      mediator: 'm',
    });
    assert.match(checkCode(hash), /^[0-9A-HJKMNP-TV-Z]{6}$/);
  }
  assert.throws(() => checkCode('xyz'));
});
