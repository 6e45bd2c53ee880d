/**
 * Traffic lights (红黄绿灯督办) computed from the clock, never stored.
 *
 * green  — less than `yellowShare` of the time limit used;
 * yellow — elapsed/total ≥ yellowShare, up to and including the deadline instant;
 * red    — now is strictly after the deadline;
 * done   — the case is closed (`assessDeadline` also says whether it closed late).
 */
import { AppError } from '../errors.ts';
import type { Light } from '../protocol/caseLoop.ts';

/** An instant: a Date, an ISO string or epoch milliseconds. */
export type Instant = Date | string | number;

export const DAY_MS = 24 * 60 * 60 * 1000;
export const defaultYellowShare = 0.75;

export function toMs(t: Instant, what = 'time'): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : new Date(t).getTime();
  if (!Number.isFinite(ms)) throw new AppError('bad_request', `Invalid ${what}: ${String(t)}`);
  return ms;
}

/**
 * Deadline `days` whole days after `startedAt` (days × 24 h). China has no daylight
 * saving, so this is the same wall-clock time on the last day in Asia/Shanghai.
 * Calendar working days (节假日顺延) are not modelled.
 */
export function deadlineFor(startedAt: Instant, days: number): Date {
  if (!Number.isInteger(days) || days <= 0) {
    throw new AppError('bad_request', `Time limit must be a positive whole number of days, got ${String(days)}`);
  }
  return new Date(toMs(startedAt, 'start time') + days * DAY_MS);
}

export interface LightInput {
  startedAt: Instant;
  deadlineAt: Instant;
  closedAt?: Instant | null | undefined;
  now: Instant;
  yellowShare?: number | undefined;
}

export interface DeadlineAssessment {
  light: Light;
  /** Closed after the deadline (only meaningful when light is 'done'). */
  closedLate: boolean;
  /** Milliseconds past the deadline (0 when not overdue); for a closed case, at closing. */
  overdueMs: number;
  /** Milliseconds left until the deadline (0 when overdue); for a closed case, at closing. */
  remainingMs: number;
  /** The instant the case turns (or turned) yellow. */
  yellowAt: Date;
}

/**
 * Full assessment of a case's time limit. A deadline at or before the start (bad data)
 * is treated as fully elapsed: yellow until the deadline passes, red after — never thrown,
 * so one bad row cannot break a work queue.
 */
export function assessDeadline(input: LightInput): DeadlineAssessment {
  const share = input.yellowShare ?? defaultYellowShare;
  if (!(share > 0 && share < 1)) {
    throw new AppError('bad_request', `yellowShare must be between 0 and 1, exclusive, got ${String(share)}`);
  }
  const start = toMs(input.startedAt, 'start time');
  const deadline = toMs(input.deadlineAt, 'deadline');
  const now = toMs(input.now, 'now');
  const total = deadline - start;
  const yellowAt = new Date(total > 0 ? start + Math.ceil(total * share) : deadline);

  if (input.closedAt !== undefined && input.closedAt !== null) {
    const closed = toMs(input.closedAt, 'closing time');
    return {
      light: 'done',
      closedLate: closed > deadline,
      overdueMs: Math.max(0, closed - deadline),
      remainingMs: Math.max(0, deadline - closed),
      yellowAt,
    };
  }
  const base = { closedLate: false, overdueMs: Math.max(0, now - deadline), remainingMs: Math.max(0, deadline - now), yellowAt };
  if (now > deadline) return { light: 'red', ...base };
  if (total <= 0) return { light: 'yellow', ...base };
  const elapsed = now - start;
  // Integer ms over integer ms: the division is correctly rounded, so "exactly 75 %" compares equal.
  return { light: elapsed / total >= share ? 'yellow' : 'green', ...base };
}

/** 'green' | 'yellow' | 'red' | 'done' at `now`. */
export function computeLight(input: LightInput): Light {
  return assessDeadline(input).light;
}

/** What the work queue needs of a case. */
export interface QueueItem {
  startedAt: Instant;
  deadlineAt: Instant;
  closedAt?: Instant | null | undefined;
  yellowShare?: number | undefined;
}

const lightOrder: Record<Light, number> = { red: 0, yellow: 1, green: 2, done: 3 };

/**
 * Work-queue order — red cases are pinned to the top of every list:
 * red (most overdue first), then yellow, then green, each by deadline ascending,
 * then done (most recently closed first). Ties keep input order. Returns a new array.
 */
export function sortForWorkQueue<T extends QueueItem>(cases: readonly T[], now: Instant): T[] {
  const nowMs = toMs(now, 'now');
  const keyed = cases.map((c, index) => ({
    c,
    index,
    light: computeLight({ ...c, now: nowMs }),
    deadline: toMs(c.deadlineAt, 'deadline'),
    closed: c.closedAt !== undefined && c.closedAt !== null ? toMs(c.closedAt, 'closing time') : 0,
  }));
  keyed.sort((a, b) => {
    const byLight = lightOrder[a.light] - lightOrder[b.light];
    if (byLight !== 0) return byLight;
    if (a.light === 'done') return b.closed - a.closed || a.index - b.index;
    // For red, the earliest deadline is the most overdue.
    return a.deadline - b.deadline || a.index - b.index;
  });
  return keyed.map((k) => k.c);
}
