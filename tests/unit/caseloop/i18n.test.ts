import {
  caseActions,
  caseStates,
  departments,
  disputeTypes,
  followUpMethods,
  grades,
  levels,
  lights,
  referralTargets,
  satisfactionLevels,
  unitKinds,
} from '../../../server/protocol/caseLoop.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { caseLoopLabels } from '../../../server/protocol/caseLoopLabels.ts';
import { zhCN } from '../../../client/src/i18n/zh-CN.ts';
import { staffRoles } from '../../../server/protocol/roles.ts';
import { zh } from '../../../server/caseloop/i18n.ts';

const han = /[\u4e00-\u9fff]/;

describe('zh labels', () => {
  const groups: Array<[keyof typeof zh, readonly string[]]> = [
    ['states', caseStates],
    ['actions', caseActions],
    ['disputeTypes', disputeTypes],
    ['grades', grades],
    ['levels', levels],
    ['unitKinds', unitKinds],
    ['departments', departments],
    ['lights', lights],
    ['satisfaction', satisfactionLevels],
    ['followUpMethods', followUpMethods],
    ['referralTargets', referralTargets],
    ['roles', staffRoles],
  ];
  for (const [group, keys] of groups) {
    it(`${group}: exactly one Chinese label per value, no two alike`, () => {
      const labels: Record<string, string> = zh[group];
      assert.deepEqual(Object.keys(labels).sort(), [...keys].sort());
      for (const k of keys) assert.match(labels[k] ?? '', han, `${group}.${k}`);
      assert.equal(new Set(Object.values(labels)).size, keys.length, `${group} has duplicate labels`);
    });
  }

  it("uses the centre's wording", () => {
    assert.equal(zh.lights.green, '绿灯');
    assert.equal(zh.lights.yellow, '黄灯');
    assert.equal(zh.lights.red, '红灯');
    assert.equal(zh.satisfaction.basically_satisfied, '基本满意');
    assert.equal(zh.states.followed_up, '已回访');
  });

  it('every label the server writes (CSV export, public pages) is the one the Chinese UI shows', () => {
    const ui: Record<string, string> = zhCN;
    const pairs: Array<[string, Record<string, string>, string]> = [
      ['disputeTypes', zh.disputeTypes, 'disputeType'],
      ['states', zh.states, 'cl.state'],
      ['grades', zh.grades, 'cl.grade'],
      ['levels', zh.levels, 'cl.level'],
      ['lights', zh.lights, 'cl.light'],
      ['satisfaction', zh.satisfaction, 'cl.satisfaction'],
      ['referralTargets', zh.referralTargets, 'cl.referral'],
      ['sources', caseLoopLabels['zh-CN'].source, 'cl.source'],
      ['actions', zh.actions, 'cl.action'],
      ['followUpMethods', zh.followUpMethods, 'cl.method'],
      ['unitKinds', zh.unitKinds, 'cl.unitKind'],
    ];
    for (const [group, labels, prefix] of pairs) {
      for (const [k, label] of Object.entries(labels)) assert.equal(label, ui[`${prefix}.${k}`], `${group}.${k}`);
    }
    assert.equal(zhCN['cl.light.none'], '未计时', "the CSV writes untimed cases with the lists' word");
  });
});
