import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalText, fingerprint, normaliseText, revisionHash } from '../../../server/agreement/canonical.ts';
import { chineseNumeral, chineseOfficialDate, formatDateTime } from '../../../server/agreement/chineseFormat.ts';
import { sampleRevision } from './fixtures.ts';

test('revision hash is stable and hex', () => {
  const h1 = revisionHash(sampleRevision());
  const h2 = revisionHash(sampleRevision());
  assert.match(h1, /^[0-9a-f]{64}$/);
  assert.equal(h1, h2);
  assert.equal(revisionHash(sampleRevision()), revisionHash(JSON.parse(JSON.stringify(sampleRevision()))));
});

test('a one-character change changes the hash', () => {
  const base = revisionHash(sampleRevision());
  const rev = sampleRevision();
  rev.clauses[0] = rev.clauses[0]!.replace('6,500', '6,501');
  assert.notEqual(revisionHash(rev), base);
  const rev2 = sampleRevision();
  rev2.parties[1]!.name = '李建华';
  assert.notEqual(revisionHash(rev2), base);
  const rev3 = sampleRevision();
  rev3.clauses.reverse();
  assert.notEqual(revisionHash(rev3), base, 'clause order matters');
});

test('layout-only differences do not change the hash', () => {
  const base = revisionHash(sampleRevision());
  const rev = sampleRevision();
  rev.facts = '  ' + rev.facts.replace('\n', '\r\n\r\n\r\n') + '\t \n';
  rev.parties[0]!.name = '\u3000张晓明 ';
  rev.mediator = '王丽华\u00a0';
  assert.equal(revisionHash(rev), base);
  // NFD input (decomposed é) hashes like NFC.
  const a = sampleRevision();
  a.breach += ' café';
  const b = sampleRevision();
  b.breach += ' cafe\u0301';
  assert.equal(revisionHash(a), revisionHash(b));
});

test('canonical text is compact JSON with a format tag and fixed key order', () => {
  const text = canonicalText(sampleRevision());
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['format', 'caseNumber', 'title', 'parties', 'facts', 'clauses', 'performance', 'breach', 'organisation', 'mediator']);
  assert.equal(parsed.format, 'cloud-mediation/agreement/v1');
  assert.ok(!text.includes('\n'));
});

test('empty fields are rejected', () => {
  const rev = sampleRevision();
  rev.clauses.push('   ');
  assert.throws(() => revisionHash(rev), /clauses\[3\]/);
  assert.throws(() => revisionHash({ ...sampleRevision(), parties: [] }), /party/);
});

test('normaliseText is idempotent', () => {
  const s = ' a\u3000\u3000b \r\n\r\n\r\nc\u2028d ';
  assert.equal(normaliseText(s), 'a b\nc\nd');
  assert.equal(normaliseText(normaliseText(s)), normaliseText(s));
});

test('fingerprint shows the first 16 hex digits in groups of 4', () => {
  assert.equal(fingerprint('3F2A9C0177BE0D45aa' + '0'.repeat(46)), '3f2a 9c01 77be 0d45');
  assert.throws(() => fingerprint('xyz'));
});

test('Chinese numerals and dates', () => {
  assert.deepEqual([1, 10, 11, 20, 21, 99, 100, 101, 110].map(chineseNumeral), [
    '一',
    '十',
    '十一',
    '二十',
    '二十一',
    '九十九',
    '一百',
    '一百零一',
    '一百一十',
  ]);
  // 16:30 UTC is already the next day in Beijing.
  assert.equal(chineseOfficialDate(new Date('2026-12-31T16:30:00Z')), '二〇二七年一月一日');
  assert.equal(formatDateTime(new Date('2026-11-26T08:41:03Z')), '2026-11-26 16:41:03');
});
