import { disputeTypes, grades } from '../../../server/protocol/caseLoop.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRuleSet, levelRank, maxTimeLimitDays, parseRuleSet, resolveRule, type RuleSet } from '../../../server/caseloop/rules.ts';
import { throwsApp } from './helpers.ts';

/** A deep copy of the default set, as plain JSON an admin would submit. */
const editable = (): { yellowShare: unknown; rules: Array<Record<string, unknown>>; defaults: Record<string, unknown> } =>
  JSON.parse(JSON.stringify(defaultRuleSet));

describe('default rule set', () => {
  it('has exactly one rule per dispute type and grade', () => {
    assert.equal(defaultRuleSet.rules.length, disputeTypes.length * grades.length);
    for (const t of disputeTypes) {
      for (const g of grades) {
        assert.equal(defaultRuleSet.rules.filter((r) => r.disputeType === t && r.grade === g).length, 1, `${t}/${g}`);
      }
    }
  });

  it('keeps every time limit within 1..30 days and tightens with the grade', () => {
    for (const r of defaultRuleSet.rules) {
      assert.ok(r.timeLimitDays >= 1 && r.timeLimitDays <= maxTimeLimitDays, `${r.disputeType}/${r.grade}`);
    }
    for (const t of disputeTypes) {
      const d = (g: (typeof grades)[number]) => resolveRule(defaultRuleSet, t, g).timeLimitDays;
      assert.ok(d('low') >= d('medium') && d('medium') >= d('high'), t);
    }
    assert.equal(maxTimeLimitDays, 30);
  });

  it('uses the documented values', () => {
    assert.equal(defaultRuleSet.yellowShare, 0.75);
    assert.deepEqual(resolveRule(defaultRuleSet, 'labour', 'high'), {
      disputeType: 'labour',
      grade: 'high',
      level: 'county',
      unitKind: 'department',
      department: 'human_resources',
      timeLimitDays: 3,
      yellowShare: 0.75,
      source: 'exact',
    });
    const neighbour = resolveRule(defaultRuleSet, 'neighbour', 'low');
    assert.equal(neighbour.level, 'community');
    assert.equal(neighbour.unitKind, 'mediation_committee');
    assert.equal(neighbour.timeLimitDays, 15);
    assert.equal(neighbour.department, undefined);
    assert.equal(resolveRule(defaultRuleSet, 'family', 'medium').timeLimitDays, 10);
    assert.equal(resolveRule(defaultRuleSet, 'debt', 'high').timeLimitDays, 5);
  });

  it('never routes higher-grade cases to a lower level than lower-grade ones', () => {
    for (const t of disputeTypes) {
      const rank = (g: (typeof grades)[number]) => levelRank(resolveRule(defaultRuleSet, t, g).level);
      assert.ok(rank('low') <= rank('medium') && rank('medium') <= rank('high'), t);
    }
  });

  it('round-trips through parseRuleSet', () => {
    assert.deepEqual(parseRuleSet(editable()), defaultRuleSet);
  });
});

describe('parseRuleSet refuses bad rule sets with a clear error', () => {
  it('unknown dispute type', () => {
    const set = editable();
    set.rules[0] = { ...set.rules[0], disputeType: 'pets' };
    const err = throwsApp(() => parseRuleSet(set), 'bad_request', /Unknown dispute type 'pets'/);
    assert.match(err.details?.['rules.0.disputeType'] ?? '', /Unknown dispute type 'pets'/);
  });

  it('duplicate rule', () => {
    const set = editable();
    set.rules.push({ ...set.rules[4] });
    const err = throwsApp(() => parseRuleSet(set), 'bad_request', /Duplicate rule for neighbour\/medium/);
    assert.match(err.details?.['rules.27'] ?? '', /rules\[27\] repeats rules\[4\]/);
  });

  for (const bad of [0, -3, 2.5, 31, '10']) {
    it(`timeLimitDays ${JSON.stringify(bad)}`, () => {
      const set = editable();
      set.rules[2] = { ...set.rules[2], timeLimitDays: bad };
      const err = throwsApp(() => parseRuleSet(set), 'bad_request', /timeLimitDays/);
      assert.ok(err.details?.['rules.2.timeLimitDays']);
    });
  }

  it('non-positive days in the defaults too', () => {
    const set = editable();
    set.defaults['high'] = { level: 'county', unitKind: 'mediation_centre', timeLimitDays: 0 };
    const err = throwsApp(() => parseRuleSet(set), 'bad_request', /positive/);
    assert.ok(err.details?.['defaults.high.timeLimitDays']);
  });

  for (const bad of [0, 1, -0.1, 1.5, '0.75', null]) {
    it(`yellowShare ${JSON.stringify(bad)}`, () => {
      const set = editable();
      set.yellowShare = bad;
      const err = throwsApp(() => parseRuleSet(set), 'bad_request', /yellowShare/);
      assert.ok(err.details?.['yellowShare']);
    });
  }

  it('a department rule must name the department, and only department rules may', () => {
    const set = editable();
    set.rules[0] = { disputeType: 'labour', grade: 'low', level: 'town', unitKind: 'department', timeLimitDays: 5 };
    throwsApp(() => parseRuleSet(set), 'bad_request', /must name it/);
    set.rules[0] = { disputeType: 'labour', grade: 'low', level: 'town', unitKind: 'mediation_centre', department: 'court', timeLimitDays: 5 };
    throwsApp(() => parseRuleSet(set), 'bad_request', /only allowed/);
  });

  it('unknown fields, grades and levels; missing defaults', () => {
    const set = editable();
    set.rules[1] = { ...set.rules[1], grade: 'urgent', level: 'province', colour: 'red' };
    const err = throwsApp(() => parseRuleSet(set), 'bad_request');
    assert.ok(err.details?.['rules.1.grade']);
    assert.ok(err.details?.['rules.1.level']);
    const noDefaults = editable();
    delete noDefaults.defaults['medium'];
    throwsApp(() => parseRuleSet(noDefaults), 'bad_request');
    throwsApp(() => parseRuleSet(null), 'bad_request');
  });

  it('an empty rule list is allowed (everything falls back to the defaults)', () => {
    const set = parseRuleSet({ ...editable(), rules: [] });
    assert.equal(resolveRule(set, 'traffic', 'high').source, 'default');
  });
});

describe('resolveRule fallback', () => {
  const set: RuleSet = parseRuleSet({
    yellowShare: 0.8,
    rules: [
      { disputeType: 'labour', grade: 'high', level: 'county', unitKind: 'department', department: 'human_resources', timeLimitDays: 3 },
      { disputeType: 'other', grade: 'high', level: 'county', unitKind: 'mediation_centre', timeLimitDays: 6 },
      { disputeType: 'other', grade: 'low', level: 'community', unitKind: 'mediation_committee', timeLimitDays: 20 },
    ],
    defaults: {
      low: { level: 'community', unitKind: 'mediation_committee', timeLimitDays: 15 },
      medium: { level: 'town', unitKind: 'mediation_centre', timeLimitDays: 12 },
      high: { level: 'county', unitKind: 'mediation_centre', timeLimitDays: 4 },
    },
  });

  it('exact rule first', () => {
    const r = resolveRule(set, 'labour', 'high');
    assert.equal(r.source, 'exact');
    assert.equal(r.timeLimitDays, 3);
    assert.equal(r.yellowShare, 0.8);
  });

  it("then the 'other' type's rule for that grade", () => {
    const r = resolveRule(set, 'labour', 'low');
    assert.deepEqual(r, {
      disputeType: 'labour',
      grade: 'low',
      level: 'community',
      unitKind: 'mediation_committee',
      timeLimitDays: 20,
      yellowShare: 0.8,
      source: 'other',
    });
    assert.equal(resolveRule(set, 'traffic', 'high').timeLimitDays, 6);
  });

  it('then the global default for that grade', () => {
    const r = resolveRule(set, 'labour', 'medium');
    assert.equal(r.source, 'default');
    assert.equal(r.level, 'town');
    assert.equal(r.timeLimitDays, 12);
    assert.equal(resolveRule(set, 'other', 'medium').source, 'default');
  });

  it("'other' itself resolves exactly when it has a rule", () => {
    assert.equal(resolveRule(set, 'other', 'high').source, 'exact');
  });
});
