import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eligibleAssignees } from '../../../client/src/components/caseloop/assignees.ts';

const staff = (id: string, role: string, unitId: string | null = null) => ({ id, username: id, displayName: id, role, department: null, unitId });
const mediators = [staff('wang', 'mediator', 'centre'), staff('chen', 'mediator')];
const officials = [staff('zhao', 'official', 'hr'), staff('qian', 'official', 'traffic')];

test('assigning a case routed to a centre lists every mediator, the one who registered it at the window included', () => {
  const walkIn = { unit: { id: 'centre' }, leadMediator: { id: 'wang' } };
  assert.deepEqual(
    eligibleAssignees('assign', walkIn, mediators, officials).map((s) => s.id),
    ['wang', 'chen'],
  );
});

test("a case routed to a department also lists that department's officials", () => {
  const toHr = { unit: { id: 'hr' }, leadMediator: null };
  assert.deepEqual(
    eligibleAssignees('assign', toHr, mediators, officials).map((s) => s.id),
    ['wang', 'chen', 'zhao'],
  );
  assert.deepEqual(
    eligibleAssignees('assign', { unit: null, leadMediator: null }, mediators, officials).map((s) => s.id),
    ['wang', 'chen'],
  );
});

test('reassigning leaves out the current lead only', () => {
  const led = { unit: { id: 'hr' }, leadMediator: { id: 'wang' } };
  assert.deepEqual(
    eligibleAssignees('reassign', led, mediators, officials).map((s) => s.id),
    ['chen', 'zhao'],
  );
});
