import { caseActions } from '../../../server/protocol/caseLoop.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeReasons } from '../../../server/protocol/signalling.ts';
import { leaveReasons, timelineTypes } from '../../../server/protocol/timelineTypes.ts';
import { en } from '../../../client/src/i18n/en.ts';
import { zhCN } from '../../../client/src/i18n/zh-CN.ts';

const han = /[\u4e00-\u9fff]/;
/** What a raw key looks like on screen: dotted or snake_case ASCII words. */
const looksLikeKey = /^[a-z]+([._][a-z_]+)+$/;

const catalogues: Array<[string, Record<string, string>, (label: string) => boolean]> = [
  ['zh-CN', zhCN, (label) => han.test(label)],
  ['en', en, (label) => !han.test(label) && !/[，。：；（）]/.test(label)],
];

test('every timeline entry type has a label in both languages (never its key)', () => {
  assert.ok(timelineTypes.includes('caucus.started') && timelineTypes.includes('caucus.ended'));
  for (const a of caseActions) assert.ok((timelineTypes as readonly string[]).includes(`case.${a}`), `case.${a} is a timeline type`);
  for (const [lang, catalogue, inLanguage] of catalogues) {
    for (const type of timelineTypes) {
      const label = catalogue[`cl.tl.${type}`];
      assert.ok(label, `${lang}: no label for ${type}`);
      assert.ok(!looksLikeKey.test(label) && label !== type, `${lang}: ${type} reads as a key: ${label}`);
      assert.ok(inLanguage(label), `${lang}: ${type} → ${label}`);
    }
    assert.ok(catalogue['cl.tl.unknown'], `${lang}: a label for a type from a newer server`);
  }
});

test('every reason for leaving the room (session.left) has a label in both languages', () => {
  for (const r of closeReasons) assert.ok((leaveReasons as readonly string[]).includes(r), r);
  assert.ok(leaveReasons.includes('session_ended'));
  for (const [lang, catalogue, inLanguage] of catalogues) {
    for (const reason of leaveReasons) {
      const label = catalogue[`cl.tl.leave.${reason}`];
      assert.ok(label && !looksLikeKey.test(label), `${lang}: no label for leave reason ${reason}`);
      assert.ok(inLanguage(label), `${lang}: ${reason} → ${label}`);
    }
  }
});
