/**
 * Routing and time-limit rules, as data (分级分流 + 办理时限).
 *
 * A rule set says, for each (dispute type, grade), which level of the city's
 * network takes the case, what kind of unit, and in how many days it must be handled.
 * Admins may edit the rule set; `parseRuleSet` validates an edited one and refuses
 * bad input with AppError('bad_request') carrying per-field details.
 *
 * Time limits are capped at 30 days: 司法部《人民调解工作若干规定》第三十三条 —
 * "人民调解委员会调解纠纷，一般在一个月内调结".
 */
import { z } from 'zod';
import { AppError, zodDetails } from '../errors.ts';
import {
  department,
  disputeTypes,
  grade,
  grades,
  level,
  levels,
  unitKind,
  type Department,
  type DisputeType,
  type Grade,
  type Level,
  type UnitKind,
} from '../protocol/caseLoop.ts';

/** Rank of a level (community 0 … city 3): escalation must go strictly up. */
export function levelRank(l: Level): number {
  return levels.indexOf(l);
}

/** Maximum time limit in days (see the file header). */
export const maxTimeLimitDays = 30;

const unknownTypeError = (iss: { input?: unknown }) => `Unknown dispute type '${String(iss.input)}' (未知纠纷类型); expected one of ${disputeTypes.join(', ')}`;

const timeLimitDays = z
  .number({ error: 'timeLimitDays must be a number of days (办理时限须为天数)' })
  .int('timeLimitDays must be a whole number of days (办理时限须为整数天)')
  .positive('timeLimitDays must be positive (办理时限须大于 0 天)')
  .max(maxTimeLimitDays, `timeLimitDays must be at most ${maxTimeLimitDays} (调解一般在一个月内调结)`);

/** Where a case goes and how long the unit has. */
const routeFields = {
  level,
  unitKind,
  /** Required when unitKind is 'department', refused otherwise. */
  department: department.optional(),
  timeLimitDays,
};

function checkDepartment(v: { unitKind: UnitKind; department?: Department | undefined }, ctx: z.RefinementCtx): void {
  if (v.unitKind === 'department' && v.department === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['department'],
      message: 'A rule routing to a department must name it (须指定职能部门)',
    });
  }
  if (v.unitKind !== 'department' && v.department !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['department'],
      message: "department is only allowed when unitKind is 'department'",
    });
  }
}

export const route = z.object(routeFields).strict().superRefine(checkDepartment);
export type Route = z.infer<typeof route>;

export const rule = z
  .object({
    disputeType: z.enum(disputeTypes, { error: unknownTypeError }),
    grade,
    ...routeFields,
    /** Why this rule exists; shown to admins. */
    note: z.string().max(500).optional(),
  })
  .strict()
  .superRefine(checkDepartment);
export type Rule = z.infer<typeof rule>;

export const ruleSet = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    /** Share of the time limit after which a case turns yellow, in (0, 1). */
    yellowShare: z
      .number({ error: 'yellowShare must be a number (黄灯比例须为数字)' })
      .gt(0, 'yellowShare must be between 0 and 1, exclusive (黄灯比例须在 0 与 1 之间)')
      .lt(1, 'yellowShare must be between 0 and 1, exclusive (黄灯比例须在 0 与 1 之间)'),
    rules: z.array(rule).max(500),
    /** Global fallback per grade when neither the type nor 'other' has a rule. */
    defaults: z.object({ low: route, medium: route, high: route }).strict(),
  })
  .strict()
  .superRefine((set, ctx) => {
    const seen = new Map<string, number>();
    set.rules.forEach((r, i) => {
      const key = `${r.disputeType}/${r.grade}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, i);
      } else {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i],
          message: `Duplicate rule for ${key}: rules[${i}] repeats rules[${first}] (规则重复)`,
        });
      }
    });
  });
export type RuleSet = z.infer<typeof ruleSet>;

/** Validate an admin-edited rule set; throws AppError('bad_request') with per-field details. */
export function parseRuleSet(input: unknown): RuleSet {
  const result = ruleSet.safeParse(input);
  if (!result.success) {
    const details = zodDetails(result.error);
    const first = result.error.issues[0];
    const summary = first ? first.message : 'invalid';
    throw new AppError('bad_request', `Invalid rule set (规则集无效): ${summary}`, details);
  }
  return result.data;
}

/** A rule resolved for one case, with where it came from. */
export interface ResolvedRule extends Route {
  disputeType: DisputeType;
  grade: Grade;
  yellowShare: number;
  /** 'exact' = the type's own rule, 'other' = the 'other' type's rule, 'default' = rule-set defaults. */
  source: 'exact' | 'other' | 'default';
}

/**
 * The rule for (disputeType, grade): the type's own rule, else the 'other' type's
 * rule for that grade, else the rule set's global default for that grade.
 */
export function resolveRule(set: RuleSet, disputeType: DisputeType, g: Grade): ResolvedRule {
  const pick = (r: Route): Route => {
    const out: Route = { level: r.level, unitKind: r.unitKind, timeLimitDays: r.timeLimitDays };
    if (r.department !== undefined) out.department = r.department;
    return out;
  };
  const exact = set.rules.find((r) => r.disputeType === disputeType && r.grade === g);
  if (exact) return { ...pick(exact), disputeType, grade: g, yellowShare: set.yellowShare, source: 'exact' };
  const other = set.rules.find((r) => r.disputeType === 'other' && r.grade === g);
  if (other) return { ...pick(other), disputeType, grade: g, yellowShare: set.yellowShare, source: 'other' };
  return { ...pick(set.defaults[g]), disputeType, grade: g, yellowShare: set.yellowShare, source: 'default' };
}

/* ------------------------------------------------------------------------------------------ */
/* Default rule set                                                                            */
/* ------------------------------------------------------------------------------------------ */

/**
 * Default time limits by grade: low 15, medium 10, high 5 days.
 * Labour (劳动/欠薪) is tighter — 10 / 7 / 3 — because wage arrears are urgent
 * (根治欠薪) and 《劳动争议调解仲裁法》第十四条 lets a party go to arbitration when
 * no agreement is reached within 15 days of the application.
 */
const days = { low: 15, medium: 10, high: 5 } as const;
const labourDays = { low: 10, medium: 7, high: 3 } as const;

const committee = (l: Level = 'community') => ({ level: l, unitKind: 'mediation_committee' as const });
const centre = (l: Level) => ({ level: l, unitKind: 'mediation_centre' as const });
const dept = (l: Level, d: Department) => ({ level: l, unitKind: 'department' as const, department: d });

type Placement = { level: Level; unitKind: UnitKind; department?: Department };

/** Placement per type and grade — "小事不出村，大事不出镇，矛盾不上交". */
const placements: Record<DisputeType, Record<Grade, Placement>> = {
  labour: { low: centre('town'), medium: centre('county'), high: dept('county', 'human_resources') },
  neighbour: { low: committee(), medium: centre('town'), high: centre('county') },
  land: { low: centre('town'), medium: centre('town'), high: dept('county', 'natural_resources') },
  family: { low: committee(), medium: centre('town'), high: centre('county') },
  debt: { low: committee(), medium: centre('town'), high: centre('county') },
  property: { low: committee(), medium: centre('town'), high: dept('county', 'housing') },
  consumer: {
    low: dept('town', 'market_regulation'),
    medium: dept('town', 'market_regulation'),
    high: dept('county', 'market_regulation'),
  },
  traffic: { low: centre('town'), medium: dept('county', 'traffic_police'), high: dept('county', 'traffic_police') },
  other: { low: committee(), medium: centre('town'), high: centre('county') },
};

function buildDefaultRules(): Rule[] {
  const out: Rule[] = [];
  for (const t of disputeTypes) {
    for (const g of grades) {
      const limits = t === 'labour' ? labourDays : days;
      out.push({ disputeType: t, grade: g, ...placements[t][g], timeLimitDays: limits[g] });
    }
  }
  return out;
}

/** The shipped rule set; validated at load so a bad edit here fails fast. */
export const defaultRuleSet: RuleSet = parseRuleSet({
  name: '默认分级分流规则',
  yellowShare: 0.75,
  rules: buildDefaultRules(),
  defaults: {
    low: { ...committee(), timeLimitDays: days.low },
    medium: { ...centre('town'), timeLimitDays: days.medium },
    high: { ...centre('county'), timeLimitDays: days.high },
  },
});
