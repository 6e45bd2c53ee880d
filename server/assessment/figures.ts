import { assessDeadline } from '../caseloop/lights.ts';
import { scoredIndicators, type AssessmentFigures, type CountIndicator, type ScoredIndicator, type WeightSet } from '../protocol/assessment.ts';
import { localDayNumber } from './periods.ts';

/*
 * The assessment's numbers for one set of cases in one period, pure. What counts in the period
 * [from, to) (the definitions are the README's and protocol/assessment.ts's):
 *   received   created in the period
 *   closed     closed in the period; onTime: at or before its deadline; settled: closed settled
 *   yellow     the case turned yellow in the period (and was still open then; at or before now)
 *   red        its deadline passed in the period while it was open (at or before now)
 *   running    its time limit ran at some time in the period (started before the end, not closed before the start)
 *   followUps  follow-ups recorded in the period; satisfied: satisfied or basically satisfied
 *   whistles   calling-in requests made in the period and answered (accepted or declined)
 * The deadline is the case's current one (routing, or the reopening's).
 */

export interface AssessedCase {
  id: string;
  unitId: string | null;
  leadId: string | null;
  createdById: string | null;
  createdAt: Date;
  startedAt: Date | null;
  deadlineAt: Date | null;
  closedAt: Date | null;
  settled: boolean | null;
}

export interface AssessedFollowUp {
  caseId: string;
  at: Date;
  satisfaction: string;
}

export interface AssessedWhistle {
  caseId: string;
  /** The department called in. */
  unitId: string;
  requestedAt: Date;
  answeredAt: Date | null;
  answeredById: string | null;
}

export interface Window {
  fromMs: number;
  toMs: number;
}

export interface FigureContext {
  now: Date;
  yellowShare: number;
  timeZone: string;
  weights: WeightSet;
}

const inWindow = (t: Date | null, w: Window) => t !== null && t.getTime() >= w.fromMs && t.getTime() < w.toMs;

/** Which cases (ids) stand behind each count. */
export function members(
  cases: readonly AssessedCase[],
  followUps: readonly AssessedFollowUp[],
  whistles: readonly AssessedWhistle[],
  w: Window,
  ctx: Pick<FigureContext, 'now' | 'yellowShare'>,
): Record<CountIndicator, string[]> & { running: string[] } {
  const now = ctx.now.getTime();
  const ids = new Set(cases.map((c) => c.id));
  const closed = cases.filter((c) => inWindow(c.closedAt, w));
  const timed = cases.filter((c) => c.startedAt !== null && c.deadlineAt !== null);
  const turned = (c: AssessedCase, at: number) => at >= w.fromMs && at < w.toMs && at <= now && (c.closedAt === null || c.closedAt.getTime() > at);
  const fu = followUps.filter((f) => ids.has(f.caseId) && inWindow(f.at, w));
  const answered = whistles.filter((x) => inWindow(x.requestedAt, w) && x.answeredAt !== null);
  return {
    received: cases.filter((c) => inWindow(c.createdAt, w)).map((c) => c.id),
    closed: closed.map((c) => c.id),
    onTime: closed.filter((c) => c.deadlineAt !== null && c.closedAt !== null && c.closedAt.getTime() <= c.deadlineAt.getTime()).map((c) => c.id),
    settled: closed.filter((c) => c.settled === true).map((c) => c.id),
    yellow: timed
      .filter((c) => turned(c, assessDeadline({ startedAt: c.startedAt!, deadlineAt: c.deadlineAt!, now, yellowShare: ctx.yellowShare }).yellowAt.getTime()))
      .map((c) => c.id),
    red: timed.filter((c) => turned(c, c.deadlineAt!.getTime() + 1)).map((c) => c.id),
    running: timed
      .filter((c) => c.startedAt!.getTime() < w.toMs && c.startedAt!.getTime() <= now && (c.closedAt === null || c.closedAt.getTime() >= w.fromMs))
      .map((c) => c.id),
    followUps: fu.map((f) => f.caseId),
    satisfied: fu.filter((f) => f.satisfaction === 'satisfied' || f.satisfaction === 'basically_satisfied').map((f) => f.caseId),
    whistles: answered.map((x) => x.caseId),
  };
}

const share = (n: number, d: number) => (d === 0 ? null : n / d);
const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** 100 × Σ wᵢ·xᵢ / Σ wᵢ over the indicators with a value (protocol/assessment.ts). */
export function scoreOf(weights: Record<ScoredIndicator, number>, x: Record<ScoredIndicator, number | null>): number | null {
  let sum = 0;
  let used = 0;
  for (const k of scoredIndicators) {
    const v = x[k];
    if (v === null || weights[k] === 0) continue;
    sum += weights[k] * v;
    used += weights[k];
  }
  return used === 0 ? null : (100 * sum) / used;
}

export function figures(
  cases: readonly AssessedCase[],
  followUps: readonly AssessedFollowUp[],
  whistles: readonly AssessedWhistle[],
  w: Window,
  ctx: FigureContext,
): AssessmentFigures {
  const m = members(cases, followUps, whistles, w, ctx);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const handlingDays = m.closed.map((id) => {
    const c = byId.get(id)!;
    return localDayNumber(c.closedAt!, ctx.timeZone) - localDayNumber(c.createdAt, ctx.timeZone);
  });
  const answered = whistles.filter((x) => inWindow(x.requestedAt, w) && x.answeredAt !== null);
  const avgHandlingDays = mean(handlingDays);
  const avgWhistleHours = mean(answered.map((x) => (x.answeredAt!.getTime() - x.requestedAt.getTime()) / 3_600_000));
  const { limits, weights } = ctx.weights;
  const indicators: Record<ScoredIndicator, number | null> = {
    onTimeRate: share(m.onTime.length, m.closed.length),
    successRate: share(m.settled.length, m.closed.length),
    satisfactionRate: share(m.satisfied.length, m.followUps.length),
    followUpRate: m.closed.length === 0 ? null : Math.min(1, m.followUps.length / m.closed.length),
    notOverdueRate: m.running.length === 0 ? null : 1 - Math.min(1, m.red.length / m.running.length),
    speedScore: avgHandlingDays === null ? null : Math.max(0, 1 - avgHandlingDays / limits.handlingDays),
    whistleScore: avgWhistleHours === null ? null : Math.max(0, 1 - avgWhistleHours / limits.whistleHours),
  };
  return {
    received: m.received.length,
    closed: m.closed.length,
    onTime: m.onTime.length,
    yellow: m.yellow.length,
    red: m.red.length,
    running: m.running.length,
    settled: m.settled.length,
    followUps: m.followUps.length,
    satisfied: m.satisfied.length,
    whistles: m.whistles.length,
    avgHandlingDays,
    avgWhistleHours,
    indicators,
    score: scoreOf(weights, indicators),
  };
}
