import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { disputeTypes } from '../../../server/protocol/cases.ts';
import { staffRoles } from '../../../server/protocol/roles.ts';
import { zh } from '../../../server/caseloop/i18n.ts';
import { caseActions, caseStates, followUpMethods, referralTargets, satisfactionLevels } from '../../../server/caseloop/states.ts';
import { departments, grades, levels, unitKinds } from '../../../server/caseloop/rules.ts';
import { lights } from '../../../server/caseloop/lights.ts';

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

  it('uses the centre\'s wording', () => {
    assert.deepEqual(zh.disputeTypes, {
      labour: '劳动/欠薪',
      neighbour: '邻里',
      land: '土地/宅基地',
      family: '婚姻家庭',
      debt: '债务',
      property: '物业',
      consumer: '消费',
      traffic: '交通',
      other: '其他',
    });
    assert.equal(zh.lights.green, '绿灯');
    assert.equal(zh.lights.yellow, '黄灯');
    assert.equal(zh.lights.red, '红灯');
    assert.equal(zh.satisfaction.basically_satisfied, '基本满意');
    assert.equal(zh.states.followed_up, '已回访');
  });
});
