import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientErrorCodes, errorCodes, errorReasonCode, errorReasons } from '../../../server/protocol/errors.ts';
import { en } from '../../../client/src/i18n/en.ts';
import { zhCN } from '../../../client/src/i18n/zh-CN.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('error message catalogue', () => {
  const all = [...errorCodes, ...clientErrorCodes, ...errorReasons];

  test('every error code and reason has a message in Chinese and in English, with the same parameters', () => {
    const missing: string[] = [];
    for (const code of all) {
      const key = `error.${code}`;
      const zh = (zhCN as Record<string, string>)[key];
      const english = (en as Record<string, string>)[key];
      if (!zh?.trim()) missing.push(`${key} (zh-CN)`);
      if (!english?.trim()) missing.push(`${key} (en)`);
      if (zh && english) assert.deepEqual(placeholders(english), placeholders(zh), `${key}: the same {parameters} in both languages`);
    }
    assert.deepEqual(missing, [], `error codes without a catalogue message: ${missing.join(', ')}`);
  });

  test('every reason maps to a wire code, and the catalogue has no messages for codes that do not exist', () => {
    for (const reason of errorReasons) assert.ok((errorCodes as readonly string[]).includes(errorReasonCode[reason]), reason);
    const known = new Set(all.map((c) => `error.${c}`));
    const stray = Object.keys(zhCN).filter((k) => k.startsWith('error.') && !known.has(k));
    assert.deepEqual(stray, [], 'catalogue entries for unknown error codes');
  });
});

describe('English dictionaries', () => {
  // Full-width punctuation (，。：；（）、「」 and the ideographic space) and Chinese characters.
  const notEnglish = /[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]/;
  // The language switch is labelled in the language it switches to.
  const meantChinese = new Set(['app.lang.switch', 'app.lang.switchLabel']);

  // One dictionary per language: the agreement's (agr.) and the mediation record's (mrec.) strings are in it too.
  test('no full-width punctuation or Chinese characters in English text', () => {
    const dictionaries: Array<[string, Record<string, string>]> = [['client/src/i18n/en.ts', en]];
    const found: string[] = [];
    for (const [where, dictionary] of dictionaries) {
      for (const [key, text] of Object.entries(dictionary)) {
        if (!meantChinese.has(key) && notEnglish.test(text)) found.push(`${where} ${key}: ${JSON.stringify(text)}`);
      }
    }
    assert.deepEqual(found, [], `English text with Chinese punctuation or characters:\n${found.join('\n')}`);
  });

  test("the English dictionary has exactly the Chinese one's keys, the agreement's and the record's among them", () => {
    assert.deepEqual(Object.keys(en).sort(), Object.keys(zhCN).sort());
    assert.ok(Object.keys(zhCN).some((k) => k.startsWith('agr.')) && Object.keys(zhCN).some((k) => k.startsWith('mrec.')));
  });
});
