import { caseActions, caseStates, initialState, terminalStates, type CaseAction, type CaseState } from '../../../server/protocol/caseLoop.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { staffRoles, type StaffRole } from '../../../server/protocol/roles.ts';
import {
  applyTransition,
  assertEscalation,
  assertReopenable,
  availableActions,
  parseActionPayload,
  transitions,
  type ActorRole,
  type Transition,
} from '../../../server/caseloop/states.ts';
import { routedActions } from '../../../server/protocol/cases.ts';
import { throwsApp } from './helpers.ts';

const allowedRoles = (a: CaseAction): readonly StaffRole[] => {
  const t: Transition = transitions[a];
  return t.roles === 'public' ? staffRoles : t.roles;
};
const fromStates = (a: CaseAction): readonly CaseState[] => transitions[a].from;
const anyAllowedRole = (a: CaseAction): StaffRole => {
  const r = allowedRoles(a)[0];
  assert.ok(r, `action ${a} has no role`);
  return r;
};

describe('transition table', () => {
  it('covers every action and only known states', () => {
    assert.deepEqual(Object.keys(transitions).sort(), [...caseActions].sort());
    for (const a of caseActions) {
      assert.ok(caseStates.includes(transitions[a].to));
      assert.ok(fromStates(a).length > 0);
      for (const s of fromStates(a)) assert.ok(caseStates.includes(s), `${a} from ${s}`);
    }
  });

  it('matches the documented loop exactly', () => {
    const table = Object.fromEntries(caseActions.map((a) => [a, [[...fromStates(a)].sort(), transitions[a].to]]));
    assert.deepEqual(table, {
      register: [['reported'], 'registered'],
      take_on: [['registered'], 'assigned'],
      grade_and_route: [['escalated', 'registered'], 'routed'],
      assign: [['escalated', 'reopened', 'routed'], 'assigned'],
      start_mediation: [['assigned', 'in_mediation'], 'in_mediation'],
      close_settled: [['in_mediation'], 'closed_settled'],
      close_unsettled: [['assigned', 'in_mediation'], 'closed_unsettled'],
      record_follow_up: [['closed_settled', 'closed_unsettled'], 'followed_up'],
      reopen: [['followed_up'], 'reopened'],
      escalate: [['assigned', 'in_mediation', 'reopened', 'routed'], 'escalated'],
      reassign: [['assigned', 'in_mediation'], 'assigned'],
    });
  });

  it('every state is reachable from the initial state and every non-final state has a way out', () => {
    const reached = new Set<CaseState>([initialState]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const a of caseActions) {
        if (fromStates(a).some((s) => reached.has(s)) && !reached.has(transitions[a].to)) {
          reached.add(transitions[a].to);
          grew = true;
        }
      }
    }
    assert.deepEqual([...reached].sort(), [...caseStates].sort());
    for (const s of caseStates) {
      assert.ok(
        caseActions.some((a) => fromStates(a).includes(s)),
        `${s} is a dead end`,
      );
    }
  });

  it('every non-terminal state offers its next action to some role, through a button (or, for start_mediation, a session)', () => {
    for (const s of caseStates) {
      if (terminalStates.includes(s)) continue;
      const offered = [...staffRoles].flatMap((r) => availableActions(s, r).map((a) => `${r}:${a}`));
      assert.ok(offered.length > 0, `nobody can act on a '${s}' case`);
      const reachable = caseActions.filter((a) => fromStates(a).includes(s) && (routedActions as readonly string[]).concat('start_mediation').includes(a));
      assert.ok(reachable.length > 0, `'${s}' has no action reachable through the API`);
    }
  });

  it("a case's lead mediator always has a next step while the case is theirs (window intake included), until the follow-up", () => {
    // A mediator registering at the window leads the case from 'registered' on; assignment leads from 'assigned'.
    const leadStates: CaseState[] = ['registered', 'assigned', 'in_mediation', 'closed_settled', 'closed_unsettled'];
    for (const s of leadStates) {
      const mine = availableActions(s, 'mediator').filter((a) => a !== 'start_mediation' || s === 'assigned');
      assert.ok(mine.length > 0, `the lead mediator of a '${s}' case has nothing to do`);
    }
    assert.deepEqual(availableActions('registered', 'mediator'), ['take_on']);
    assert.ok(availableActions('in_mediation', 'mediator').includes('close_settled'));
  });

  it('no transition is public, admin takes no case actions, gridworker only records follow-ups', () => {
    for (const a of caseActions) {
      const t: Transition = transitions[a];
      assert.notEqual(t.roles, 'public');
      assert.ok(!allowedRoles(a).includes('admin'), a);
      assert.equal(allowedRoles(a).includes('gridworker'), a === 'record_follow_up', a);
    }
  });
});

describe('applyTransition: legal moves', () => {
  for (const a of caseActions) {
    for (const s of fromStates(a)) {
      for (const r of allowedRoles(a)) {
        it(`${r}: ${s} --${a}--> ${transitions[a].to}`, () => {
          assert.equal(applyTransition(s, a, r), transitions[a].to);
        });
      }
    }
  }

  it('walks the whole loop, including escalation, reassignment and reopening', () => {
    const steps: Array<[CaseAction, ActorRole, CaseState]> = [
      ['register', 'mediator', 'registered'],
      ['grade_and_route', 'supervisor', 'routed'],
      ['assign', 'supervisor', 'assigned'],
      ['reassign', 'supervisor', 'assigned'],
      ['start_mediation', 'mediator', 'in_mediation'],
      ['start_mediation', 'mediator', 'in_mediation'],
      ['escalate', 'mediator', 'escalated'],
      ['grade_and_route', 'supervisor', 'routed'],
      ['assign', 'supervisor', 'assigned'],
      ['start_mediation', 'official', 'in_mediation'],
      ['close_settled', 'official', 'closed_settled'],
      ['record_follow_up', 'supervisor', 'followed_up'],
      ['reopen', 'supervisor', 'reopened'],
      ['assign', 'supervisor', 'assigned'],
      ['close_unsettled', 'mediator', 'closed_unsettled'],
      ['record_follow_up', 'mediator', 'followed_up'],
    ];
    let s: CaseState = initialState;
    for (const [a, r, expected] of steps) {
      s = applyTransition(s, a, r);
      assert.equal(s, expected, `after ${a}`);
    }
  });
});

describe('applyTransition: illegal (state, action) pairs are refused with conflict', () => {
  const illegal: Array<[CaseState, CaseAction]> = [];
  for (const s of caseStates) for (const a of caseActions) if (!fromStates(a).includes(s)) illegal.push([s, a]);

  it('the illegal set is the complement of the table (10 states × 11 actions)', () => {
    const legal = caseActions.reduce((n, a) => n + fromStates(a).length, 0);
    assert.equal(illegal.length + legal, caseStates.length * caseActions.length);
    assert.equal(illegal.length, 110 - 21);
  });

  for (const [s, a] of illegal) {
    it(`${a} from ${s}`, () => {
      const err = throwsApp(() => applyTransition(s, a, anyAllowedRole(a)), 'conflict', new RegExp(`'${s}'`));
      assert.equal(err.status, 409);
      assert.deepEqual(err.details, { action: a, state: s });
      assert.match(err.message, /[\u4e00-\u9fff]/, 'message has a Chinese part');
    });
  }

  it('messages read well in both languages', () => {
    throwsApp(
      () => applyTransition('reported', 'close_settled', 'mediator'),
      'conflict',
      /^Cannot close a case that is 'reported' \(案件尚未受理，不能调解成功结案\)$/,
    );
    throwsApp(
      () => applyTransition('followed_up', 'start_mediation', 'mediator'),
      'conflict',
      /Cannot start mediation on a case that is 'followed_up' \(案件已回访办结/,
    );
    throwsApp(() => applyTransition('closed_settled', 'reopen', 'supervisor'), 'conflict', /Cannot reopen/);
  });
});

describe('applyTransition: roles', () => {
  for (const a of caseActions) {
    const refused = staffRoles.filter((r) => !allowedRoles(a).includes(r));
    for (const r of refused) {
      it(`${r} may not ${a}`, () => {
        const s = fromStates(a)[0];
        assert.ok(s);
        throwsApp(() => applyTransition(s, a, r), 'forbidden', new RegExp(`Role '${r}'`));
      });
    }
    it(`the public may not ${a}`, () => {
      const s = fromStates(a)[0];
      assert.ok(s);
      throwsApp(() => applyTransition(s, a, 'public'), 'forbidden', /公众无权/);
    });
  }

  it('role is checked before state, so the refusal does not reveal the state', () => {
    const err = throwsApp(() => applyTransition('reported', 'close_settled', 'gridworker'), 'forbidden');
    assert.equal(err.message, "Role 'gridworker' may not close a case (网格员无权调解成功结案)");
    assert.equal(err.details?.['state'], undefined);
  });

  it('unknown state or action is bad_request', () => {
    throwsApp(() => applyTransition('archived' as CaseState, 'register', 'supervisor'), 'bad_request', /Unknown case state/);
    throwsApp(() => applyTransition('reported', 'delete' as CaseAction, 'supervisor'), 'bad_request', /Unknown case action/);
  });

  it('availableActions lists what a role can do now', () => {
    assert.deepEqual(availableActions('in_mediation', 'mediator'), ['start_mediation', 'close_settled', 'close_unsettled', 'escalate']);
    assert.deepEqual(availableActions('in_mediation', 'supervisor'), ['escalate', 'reassign']);
    assert.deepEqual(availableActions('reported', 'gridworker'), []);
    assert.deepEqual(availableActions('followed_up', 'supervisor'), ['reopen']);
  });
});

describe('guards', () => {
  it('escalation must go strictly up', () => {
    assertEscalation('community', 'town');
    assertEscalation('town', 'city');
    throwsApp(() => assertEscalation('county', 'county'), 'conflict', /higher level/);
    throwsApp(() => assertEscalation('city', 'town'), 'conflict');
  });

  it('reopen only after a dissatisfied follow-up', () => {
    assertReopenable('not_satisfied');
    throwsApp(() => assertReopenable('satisfied'), 'conflict', /不满意/);
    throwsApp(() => assertReopenable('basically_satisfied'), 'conflict');
    throwsApp(() => assertReopenable(null), 'conflict');
  });
});

describe('action payloads', () => {
  const valid: Record<CaseAction, unknown> = {
    register: {},
    take_on: { grade: 'medium' },
    grade_and_route: { grade: 'high', level: 'county', unitId: 'u-hrss' },
    assign: { mediatorId: 'm1' },
    start_mediation: { sessionId: 's1' },
    close_settled: { agreementForm: 'written', summary: '双方同意分期付款' },
    close_unsettled: { reason: '被申请人拒绝调解', referredTo: 'court' },
    record_follow_up: { date: '2026-01-20', method: 'phone', satisfaction: 'basically_satisfied', notes: '已履行' },
    reopen: { reason: '协议未履行' },
    escalate: { toLevel: 'county', reason: '涉及人数多' },
    reassign: { mediatorId: 'm2', reason: '回避' },
  };

  for (const a of caseActions) {
    it(`${a}: accepts a valid payload and refuses unknown fields`, () => {
      assert.ok(parseActionPayload(a, valid[a]));
      throwsApp(() => parseActionPayload(a, { ...(valid[a] as object), extra: 1 }), 'bad_request');
      // register and take_on have only optional fields.
      if (a !== 'register' && a !== 'take_on') throwsApp(() => parseActionPayload(a, {}), 'bad_request');
    });
  }

  it('grade_and_route validates grade, level and unitId', () => {
    const p = parseActionPayload('grade_and_route', { grade: 'low', level: 'community', unitId: ' c1 ', timeLimitDays: 7 });
    assert.deepEqual(p, { grade: 'low', level: 'community', unitId: 'c1', timeLimitDays: 7 });
    const err = throwsApp(() => parseActionPayload('grade_and_route', { grade: 'urgent', level: 'province', unitId: '' }), 'bad_request');
    assert.deepEqual(Object.keys(err.details ?? {}).sort(), ['grade', 'level', 'unitId']);
    throwsApp(() => parseActionPayload('grade_and_route', { ...(valid.grade_and_route as object), timeLimitDays: 31 }), 'bad_request');
  });

  it('close_unsettled needs a reason and a known referral target', () => {
    for (const referredTo of ['court', 'arbitration', 'department']) {
      parseActionPayload('close_unsettled', { reason: 'r', referredTo });
    }
    const err = throwsApp(() => parseActionPayload('close_unsettled', { reason: '  ', referredTo: 'police' }), 'bad_request');
    assert.ok(err.details?.['reason']);
    assert.ok(err.details?.['referredTo']);
    const other = throwsApp(() => parseActionPayload('close_unsettled', { reason: 'r', referredTo: 'other' }), 'bad_request');
    assert.ok(other.details?.['referralDetail']);
    parseActionPayload('close_unsettled', { reason: 'r', referredTo: 'other', referralDetail: '信访部门' });
  });

  it('record_follow_up needs date, method, satisfaction and notes', () => {
    parseActionPayload('record_follow_up', {
      date: '2026-01-20T10:00:00+08:00',
      method: 'party_link',
      satisfaction: 'not_satisfied',
      notes: '对方未付款',
    });
    const err = throwsApp(() => parseActionPayload('record_follow_up', { date: '2026-02-30', method: 'letter', satisfaction: 'ok', notes: '' }), 'bad_request');
    assert.deepEqual(Object.keys(err.details ?? {}).sort(), ['date', 'method', 'notes', 'satisfaction']);
  });

  it('close_settled records the agreement form', () => {
    throwsApp(() => parseActionPayload('close_settled', { agreementForm: 'email', summary: 'x' }), 'bad_request');
  });

  it('escalate validates the target level', () => {
    throwsApp(() => parseActionPayload('escalate', { toLevel: 'province', reason: 'r' }), 'bad_request');
    assert.deepEqual(parseActionPayload('escalate', { toLevel: 'city', reason: 'r', unitId: 'c' }), {
      toLevel: 'city',
      reason: 'r',
      unitId: 'c',
    });
  });
});
