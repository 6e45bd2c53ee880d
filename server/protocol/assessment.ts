import { z } from 'zod';

/*
 * Performance assessment (绩效考核): its wire vocabulary. Indicators, period kinds, the scoring
 * weights (rule data an admin edits, validated here and versioned in the database) and the shape of
 * the report. A leaf that imports only zod; the client imports these values.
 *
 * Normalisation (every scored indicator is a share in [0, 1], higher is better):
 *   onTimeRate       按期办结率   closed at or before the deadline / closed in the period
 *   successRate      调解成功率   closed settled / closed in the period
 *   satisfactionRate 满意率       satisfied + basically satisfied / follow-ups in the period
 *   followUpRate     回访率       min(1, follow-ups in the period / closed in the period)
 *   notOverdueRate   未超期率     1 − red in the period / cases whose time limit ran in the period
 *   speedScore       办理时效     max(0, 1 − average handling days / limits.handlingDays)
 *   whistleScore     吹哨响应     max(0, 1 − average response hours / limits.whistleHours)
 * Score = 100 × Σ wᵢ·xᵢ / Σ wᵢ over the indicators that have a value (an indicator without data,
 * e.g. no case closed, is left out and its weight with it); null when none has a value.
 * Rank: by score among the rows that closed at least limits.minClosed cases in the period; the
 * others keep their score, take no rank and follow the ranked rows.
 */

export const scoredIndicators = ['onTimeRate', 'successRate', 'satisfactionRate', 'followUpRate', 'notOverdueRate', 'speedScore', 'whistleScore'] as const;
export type ScoredIndicator = (typeof scoredIndicators)[number];

/** Counts behind the indicators; each is a link to the cases behind it. */
export const countIndicators = ['received', 'closed', 'onTime', 'yellow', 'red', 'settled', 'followUps', 'satisfied', 'whistles'] as const;
export type CountIndicator = (typeof countIndicators)[number];
export const countIndicator = z.enum(countIndicators);

export const periodKinds = ['month', 'quarter', 'custom'] as const;
export type PeriodKind = (typeof periodKinds)[number];

export const assessmentSubjects = ['unit', 'person'] as const;
export type AssessmentSubject = (typeof assessmentSubjects)[number];

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Enter a month as YYYY-MM');
const quarter = z.string().regex(/^\d{4}-Q[1-4]$/, 'Enter a quarter as YYYY-Q1 … YYYY-Q4');
const day = z.iso.date({ error: 'Enter a date (YYYY-MM-DD)' });

/** The period asked for: a month, a quarter, or custom dates (both inclusive, in the city's time zone). */
export const periodQuery = z.discriminatedUnion('period', [
  z.object({ period: z.literal('month'), month }),
  z.object({ period: z.literal('quarter'), quarter }),
  z.object({ period: z.literal('custom'), from: day, to: day }).refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] }),
]);
export type PeriodQuery = z.infer<typeof periodQuery>;

/** A scope within the caller's: one unit, optional. */
export const assessmentQuery = z
  .object({
    period: z.enum(periodKinds),
    month: z.string().optional(),
    quarter: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    unitId: z.string().min(1).max(64).optional(),
  })
  .strip();

export const drillQuery = z.object({ subject: z.enum(assessmentSubjects), id: z.string().min(1).max(64), indicator: countIndicator }).strip();

const weight = z
  .number({ error: 'A weight must be a number (权重须为数字)' })
  .min(0, 'A weight must be between 0 and 1 (权重须在 0 与 1 之间)')
  .max(1, 'A weight must be between 0 and 1 (权重须在 0 与 1 之间)');

export const weightSet = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    weights: z.object(Object.fromEntries(scoredIndicators.map((k) => [k, weight])) as Record<ScoredIndicator, typeof weight>).strict(),
    limits: z
      .object({
        /** Average handling days at which the speed score reaches 0 (办理时效满分线). */
        handlingDays: z.number().int('Whole days (须为整数天)').min(1, 'At least 1 day').max(30, 'At most 30 days (调解一般在一个月内调结)'),
        /** Average whistle response hours at which the whistle score reaches 0. */
        whistleHours: z.number().int('Whole hours (须为整数小时)').min(1, 'At least 1 hour').max(720, 'At most 720 hours'),
        /**
         * Ranked only with at least this many cases closed in the period (排名门槛): a unit scored
         * on one indicator alone (e.g. a department answering whistles and closing nothing) keeps its
         * score but takes no place. Absent in sets saved before it existed: 1.
         */
        minClosed: z.number().int('Whole cases (须为整数件)').min(0, 'At least 0').max(1000, 'At most 1000').default(1),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const sum = scoredIndicators.reduce((acc, k) => acc + s.weights[k], 0);
    if (Math.abs(sum - 1) > 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: `The weights must add up to 1, they add up to ${Math.round(sum * 1000) / 1000} (权重之和须为 1)`,
      });
    }
  });
export type WeightSet = z.infer<typeof weightSet>;

export interface WeightSetRecord {
  version: number;
  weightSet: WeightSet;
  createdAt: string;
  createdById: string | null;
}

export interface PeriodInfo {
  kind: PeriodKind;
  /** '2026-03', '2026-Q1' or '2026-03-01~2026-03-15'. */
  label: string;
  /** Half-open [from, to) instants. */
  from: string;
  to: string;
  timeZone: string;
}

/** One unit's or person's numbers for the period. */
export interface AssessmentFigures {
  received: number;
  closed: number;
  onTime: number;
  yellow: number;
  red: number;
  /** Cases whose time limit ran at some time in the period (the red share's denominator). */
  running: number;
  settled: number;
  followUps: number;
  satisfied: number;
  /** Whistles requested in the period and answered (accepted or declined). */
  whistles: number;
  /** Calendar days received → closed in the city's time zone, mean over closed; null if none closed. */
  avgHandlingDays: number | null;
  /** First answer − request, hours, mean over `whistles`; null if none. */
  avgWhistleHours: number | null;
  indicators: Record<ScoredIndicator, number | null>;
  score: number | null;
}

export interface AssessmentRow {
  subject: AssessmentSubject;
  id: string;
  name: string;
  /** unit kind (mediation_committee, …) or staff role (mediator, …). */
  kind: string;
  /** Unit: its level; person: their unit's name. */
  detail: string | null;
  rank: number | null;
  figures: AssessmentFigures;
}

export interface TrendPoint {
  label: string;
  from: string;
  to: string;
  received: number;
  closed: number;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  score: number | null;
}

export interface AssessmentReport {
  period: PeriodInfo;
  generatedAt: string;
  weights: WeightSetRecord;
  units: AssessmentRow[];
  persons: AssessmentRow[];
  /** The whole scope, period by period, ending with the one asked for. */
  trend: TrendPoint[];
  total: AssessmentFigures;
}

export interface DrillCase {
  id: string;
  caseNumber: string;
  title: string;
  state: string;
  unitName: string | null;
  leadName: string | null;
  createdAt: string;
  deadlineAt: string | null;
  closedAt: string | null;
}
