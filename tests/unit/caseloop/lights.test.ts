import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/clock.ts';
import { assessDeadline, computeLight, DAY_MS, deadlineFor, sortForWorkQueue } from '../../../server/caseloop/lights.ts';
import { throwsApp } from './helpers.ts';

const START = '2026-01-05T09:00:00+08:00';
const startMs = new Date(START).getTime();

describe('deadlineFor', () => {
  it('adds whole days (no DST in China: same wall-clock time)', () => {
    assert.equal(deadlineFor(START, 5).toISOString(), '2026-01-10T01:00:00.000Z');
    assert.equal(deadlineFor(new Date(START), 30).getTime(), startMs + 30 * DAY_MS);
    assert.equal(deadlineFor(startMs, 1).getTime(), startMs + DAY_MS);
  });

  it('refuses non-positive or fractional days and bad dates', () => {
    for (const d of [0, -1, 1.5, Number.NaN]) throwsApp(() => deadlineFor(START, d), 'bad_request');
    throwsApp(() => deadlineFor('not a date', 5), 'bad_request', /Invalid start time/);
  });
});

describe('computeLight boundaries (ManualClock)', () => {
  const deadlineAt = deadlineFor(START, 4); // 4 days: 75 % is exactly 3 days
  const clock = new ManualClock(START);
  const light = (extra: { yellowShare?: number; closedAt?: Date } = {}) => computeLight({ startedAt: START, deadlineAt, now: clock.now(), ...extra });

  it('green at the start and just before 75 %', () => {
    clock.set(START);
    assert.equal(light(), 'green');
    clock.set(new Date(startMs + 3 * DAY_MS - 1));
    assert.equal(light(), 'green');
  });

  it('yellow exactly at 75 %', () => {
    clock.set(new Date(startMs + 3 * DAY_MS));
    assert.equal(light(), 'yellow');
  });

  it('yellow 1 ms before the deadline and exactly at it', () => {
    clock.set(new Date(deadlineAt.getTime() - 1));
    assert.equal(light(), 'yellow');
    clock.set(deadlineAt);
    assert.equal(light(), 'yellow');
  });

  it('red 1 ms after the deadline, and later', () => {
    clock.set(deadlineAt);
    clock.advance(1);
    assert.equal(light(), 'red');
    clock.advance(10 * DAY_MS);
    assert.equal(light(), 'red');
  });

  it('honours a custom yellow share', () => {
    clock.set(new Date(startMs + 2 * DAY_MS)); // 50 %
    assert.equal(light({ yellowShare: 0.5 }), 'yellow');
    clock.advance(-1);
    assert.equal(light({ yellowShare: 0.5 }), 'green');
    throwsApp(() => light({ yellowShare: 1 }), 'bad_request', /yellowShare/);
    throwsApp(() => light({ yellowShare: 0 }), 'bad_request');
  });

  it('exact 75 % also holds for odd totals (3-day labour limit, 10-day and 15-day limits)', () => {
    for (const days of [3, 5, 7, 10, 15, 30]) {
      const d = deadlineFor(START, days);
      const at75 = startMs + days * DAY_MS * 0.75;
      assert.ok(Number.isInteger(at75));
      assert.equal(computeLight({ startedAt: START, deadlineAt: d, now: at75 }), 'yellow', `${days} days`);
      assert.equal(computeLight({ startedAt: START, deadlineAt: d, now: at75 - 1 }), 'green', `${days} days`);
    }
  });

  it('a clock before the start is green; a deadline not after the start is yellow until it passes', () => {
    assert.equal(computeLight({ startedAt: START, deadlineAt, now: startMs - 1000 }), 'green');
    assert.equal(computeLight({ startedAt: START, deadlineAt: START, now: START }), 'yellow');
    assert.equal(computeLight({ startedAt: START, deadlineAt: START, now: startMs + 1 }), 'red');
  });

  it('a closed case is done, and says whether it closed late', () => {
    clock.set(new Date(deadlineAt.getTime() + 5 * DAY_MS));
    assert.equal(light({ closedAt: new Date(startMs + DAY_MS) }), 'done');
    const onTime = assessDeadline({ startedAt: START, deadlineAt, closedAt: deadlineAt, now: clock.now() });
    assert.deepEqual([onTime.light, onTime.closedLate, onTime.overdueMs], ['done', false, 0]);
    const late = assessDeadline({ startedAt: START, deadlineAt, closedAt: deadlineAt.getTime() + 1, now: clock.now() });
    assert.deepEqual([late.light, late.closedLate, late.overdueMs], ['done', true, 1]);
    assert.equal(computeLight({ startedAt: START, deadlineAt, closedAt: null, now: clock.now() }), 'red');
  });

  it('assessDeadline reports remaining/overdue time and when yellow starts', () => {
    const a = assessDeadline({ startedAt: START, deadlineAt, now: startMs + DAY_MS });
    assert.equal(a.light, 'green');
    assert.equal(a.remainingMs, 3 * DAY_MS);
    assert.equal(a.overdueMs, 0);
    assert.equal(a.yellowAt.getTime(), startMs + 3 * DAY_MS);
    const b = assessDeadline({ startedAt: START, deadlineAt, now: deadlineAt.getTime() + 7 });
    assert.deepEqual([b.light, b.remainingMs, b.overdueMs], ['red', 0, 7]);
  });

  it('refuses unparseable instants', () => {
    throwsApp(() => computeLight({ startedAt: START, deadlineAt: 'soon', now: START }), 'bad_request', /deadline/);
  });
});

describe('sortForWorkQueue', () => {
  const now = startMs + 20 * DAY_MS;
  const mk = (id: string, startDay: number, days: number, closedDay?: number) => ({
    id,
    startedAt: new Date(startMs + startDay * DAY_MS),
    deadlineAt: new Date(startMs + (startDay + days) * DAY_MS),
    ...(closedDay === undefined ? {} : { closedAt: new Date(startMs + closedDay * DAY_MS) }),
  });
  const cases = [
    mk('green-late-deadline', 19, 15), // deadline day 34
    mk('done-early', 0, 10, 3),
    mk('red-1-day', 9, 10), // deadline day 19: 1 day overdue
    mk('yellow-2', 14, 8), // deadline day 22, 6/8 = 75 %
    mk('green-early-deadline', 18, 10), // deadline day 28
    mk('red-5-days', 5, 10), // deadline day 15: 5 days overdue
    mk('done-recent', 0, 30, 19),
    mk('yellow-1', 16, 5), // deadline day 21, 4/5 = 80 %
  ];

  it('red (most overdue first), yellow, green by deadline, then done (latest closed first)', () => {
    assert.deepEqual(
      sortForWorkQueue(cases, now).map((c) => c.id),
      ['red-5-days', 'red-1-day', 'yellow-1', 'yellow-2', 'green-early-deadline', 'green-late-deadline', 'done-recent', 'done-early'],
    );
  });

  it('does not mutate its input and keeps input order on ties', () => {
    const before = cases.map((c) => c.id);
    sortForWorkQueue(cases, new Date(now));
    assert.deepEqual(
      cases.map((c) => c.id),
      before,
    );
    const twins = [{ ...mk('a', 0, 10) }, { ...mk('b', 0, 10) }, { ...mk('c', 0, 10) }];
    assert.deepEqual(
      sortForWorkQueue(twins, now).map((c) => c.id),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(sortForWorkQueue([], now), []);
  });

  it('moving the clock re-pins cases: a green case goes red at its deadline + 1 ms', () => {
    const clock = new ManualClock(new Date(startMs));
    const q = [mk('long', 0, 30), mk('short', 0, 3)];
    assert.deepEqual(
      sortForWorkQueue(q, clock.now()).map((c) => c.id),
      ['short', 'long'],
    );
    clock.set(new Date(startMs + 3 * DAY_MS + 1));
    const lights = q.map((c) => computeLight({ ...c, now: clock.now() }));
    assert.deepEqual(lights, ['green', 'red']);
    assert.deepEqual(
      sortForWorkQueue(q, clock.now()).map((c) => c.id),
      ['short', 'long'],
    );
  });

  it("uses each case's own yellow share", () => {
    const a = { ...mk('a', 0, 10), yellowShare: 0.9 }; // at day 8: 80 % < 90 % → green
    const b = { ...mk('b', 0, 20), yellowShare: 0.3 }; // at day 8: 40 % ≥ 30 % → yellow
    assert.deepEqual(
      sortForWorkQueue([a, b], startMs + 8 * DAY_MS).map((c) => c.id),
      ['b', 'a'],
    );
  });
});
