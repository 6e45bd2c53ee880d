import { z } from 'zod';

/*
 * The case loop's wire vocabulary (闭环): states, actions and their payloads, grades, levels, unit
 * kinds, departments, lights, follow-up methods, satisfaction, referral targets, and the shape of the
 * dashboard's figures. A leaf that imports only zod, so the client imports these values instead of
 * re-declaring them; server/caseloop/ keeps the transition table and the rules and imports these.
 */

/** Kinds of dispute (纠纷类型). */
export const disputeTypes = ['labour', 'neighbour', 'land', 'family', 'debt', 'property', 'consumer', 'traffic', 'other'] as const;
export const disputeType = z.enum(disputeTypes);
export type DisputeType = z.infer<typeof disputeType>;

export const caseStates = [
  'reported', // 已上报: public form or grid worker, not yet accepted
  'registered', // 已受理: accepted by the centre, waiting for triage
  'routed', // 已分流: graded and routed to a level + unit
  'assigned', // 已指派: a lead mediator is responsible
  'in_mediation', // 调解中: at least one session started
  'closed_settled', // 调解成功结案
  'closed_unsettled', // 调解不成结案 (referred elsewhere)
  'followed_up', // 已回访: loop complete
  'escalated', // 已提级: sent up a level, waiting to be routed/assigned there
  'reopened', // 重新办理: party dissatisfied at follow-up, waiting for (re)assignment
] as const;
export const caseState = z.enum(caseStates);
export type CaseState = z.infer<typeof caseState>;

/** Every case starts here; anyone (public form, grid worker, staff) may report. */
export const initialState: CaseState = 'reported';

/** States in which the unit's time limit is running (a traffic light is shown). */
export const activeStates: readonly CaseState[] = ['routed', 'assigned', 'in_mediation', 'escalated', 'reopened'];
/** States where the loop is complete: no next step is owed to anyone (a reopening is an exception, not a step). */
export const terminalStates: readonly CaseState[] = ['followed_up'];
/** States in which the case has been handled to a conclusion (办结). */
export const closedStates: readonly CaseState[] = ['closed_settled', 'closed_unsettled', 'followed_up'];

export const caseActions = [
  'register',
  'take_on',
  'grade_and_route',
  'assign',
  'start_mediation',
  'close_settled',
  'close_unsettled',
  'record_follow_up',
  'reopen',
  'escalate',
  'reassign',
] as const;
export const caseAction = z.enum(caseActions);
export type CaseAction = z.infer<typeof caseAction>;

/** Dispute grade set at triage (分级): low 一般, medium 较大, high 重大. */
export const grades = ['low', 'medium', 'high'] as const;
export const grade = z.enum(grades);
export type Grade = z.infer<typeof grade>;

/** Levels of the four-level network, lowest first (社区/村 → 镇/街道 → 县/区 → 市). */
export const levels = ['community', 'town', 'county', 'city'] as const;
export const level = z.enum(levels);
export type Level = z.infer<typeof level>;

/**
 * Kind of responsible unit: a 人民调解委员会 (community/village, sometimes town),
 * a 矛盾纠纷调处中心 (town/county/city centre) or a functional department (职能部门).
 */
export const unitKinds = ['mediation_committee', 'mediation_centre', 'department', 'court'] as const;
export const unitKind = z.enum(unitKinds);
export type UnitKind = z.infer<typeof unitKind>;

/** Functional departments a case may be routed to when unitKind is 'department'. */
export const departments = [
  'human_resources', // 人力资源和社会保障局 (labour inspection, wage arrears)
  'natural_resources', // 自然资源和规划局 (land; 宅基地 together with 农业农村局)
  'agriculture_rural', // 农业农村局 (宅基地, rural land contracts)
  'housing', // 住房和城乡建设局 (property management)
  'market_regulation', // 市场监督管理局 (consumer, 12315)
  'traffic_police', // 公安交警 (road traffic accidents)
  'civil_affairs', // 民政局
  'justice', // 司法局
  'womens_federation', // 妇联 (family)
  'court', // 人民法院 (诉调对接)
] as const;
export const department = z.enum(departments);
export type Department = z.infer<typeof department>;

/** Traffic lights (红黄绿灯督办), computed from the clock (server/caseloop/lights.ts). */
export const lights = ['green', 'yellow', 'red', 'done'] as const;
export type Light = (typeof lights)[number];

/** The dashboard's light buckets: the four lights and 'none' (no time limit runs yet: 未计时, grey in every list). */
export const statsLights = [...lights, 'none'] as const;
export type StatsLight = (typeof statsLights)[number];

export interface CaseStats {
  total: number;
  byState: Record<CaseState, number>;
  byType: Record<DisputeType, number>;
  /** Keyed by unit id; unrouted cases count under '' (empty string). */
  byUnit: Record<string, number>;
  /** Untimed cases (reported, registered, not routed yet) count under 'none', as the lists show them. */
  byLight: Record<StatsLight, number>;
  /** 办结: cases in closed_settled, closed_unsettled or followed_up. */
  handled: number;
  settled: number;
  /** settled / handled; null when nothing is closed. */
  settlementRate: number | null;
  /** Cases with a recorded follow-up result (including reopened ones). */
  followedUp: number;
  /** satisfied + basically_satisfied. */
  satisfied: number;
  /** satisfied / followedUp; null when nobody was followed up. */
  satisfactionRate: number | null;
  /** Mean of closedAt − createdAt in hours over handled cases with a closedAt; null if none. */
  avgHoursToClose: number | null;
}

const id = z.string().trim().min(1, 'Required').max(64);
const text = (max: number, required = 'Required') => z.string().trim().min(1, required).max(max);
const note = z.string().trim().max(2000).optional();

export const referralTargets = ['court', 'arbitration', 'department', 'other'] as const;
export const referralTarget = z.enum(referralTargets);
export type ReferralTarget = z.infer<typeof referralTarget>;

export const followUpMethods = ['phone', 'visit', 'online', 'party_link'] as const;
export const followUpMethod = z.enum(followUpMethods);
export type FollowUpMethod = z.infer<typeof followUpMethod>;

export const satisfactionLevels = ['satisfied', 'basically_satisfied', 'not_satisfied'] as const;
export const satisfaction = z.enum(satisfactionLevels);
export type Satisfaction = z.infer<typeof satisfaction>;

export const agreementForms = ['written', 'oral'] as const;
export type AgreementForm = (typeof agreementForms)[number];

/** A calendar date (YYYY-MM-DD) or an ISO date-time with offset. */
const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'Enter a date (YYYY-MM-DD) or an ISO date-time',
});

export const actionPayloads = {
  register: z.object({ note }).strict(),
  /** The grade decides the time limit through the rule set; a walk-in is 'low' (一般) unless said otherwise. */
  take_on: z.object({ grade: grade.optional(), note }).strict(),
  grade_and_route: z
    .object({
      grade,
      level,
      unitId: id,
      /** Override of the rule's time limit (1–30 days); the rule applies when absent. */
      timeLimitDays: z.number().int().positive().max(30).optional(),
      note,
    })
    .strict(),
  assign: z.object({ mediatorId: id, note }).strict(),
  start_mediation: z.object({ sessionId: id }).strict(),
  close_settled: z
    .object({
      /** 书面调解协议 or 口头协议 (人民调解法 第二十八条). */
      agreementForm: z.enum(agreementForms),
      summary: text(2000, 'A summary of the agreement is required'),
      /** The sealed agreement the case closes with (set by the agreement module when it closes the case). */
      agreementId: id.optional(),
    })
    .strict(),
  close_unsettled: z
    .object({
      reason: text(2000, 'A reason is required'),
      referredTo: referralTarget,
      /** Which court/department/etc.; required when referredTo is 'other'. */
      referralDetail: z.string().trim().max(200).optional(),
    })
    .strict()
    .refine((v) => v.referredTo !== 'other' || (v.referralDetail ?? '') !== '', {
      message: "Say where the case was referred when referredTo is 'other'",
      path: ['referralDetail'],
    }),
  record_follow_up: z
    .object({
      date: dateOrDateTime,
      method: followUpMethod,
      satisfaction,
      notes: text(2000, 'Follow-up notes are required'),
    })
    .strict(),
  reopen: z.object({ reason: text(2000, 'A reason is required') }).strict(),
  escalate: z
    .object({
      toLevel: level,
      reason: text(2000, 'A reason is required'),
      /** The receiving unit, if already known; otherwise the higher level routes it. */
      unitId: id.optional(),
    })
    .strict(),
  reassign: z.object({ mediatorId: id, reason: text(2000, 'A reason is required') }).strict(),
} as const satisfies Record<CaseAction, z.ZodType>;

export type ActionPayload<A extends CaseAction> = z.infer<(typeof actionPayloads)[A]>;

/* ------------------------------------------------------------------------------------------ */
/* What each transition writes to the case timeline (`case.<action>` entries' data)            */
/* ------------------------------------------------------------------------------------------ */

/* Type aliases, not interfaces: timeline data must be assignable to Record<string, unknown>. */
type LeadChange = {
  mediatorId: string;
  mediatorName: string;
  previousMediatorId: string | null;
  previousMediatorName: string | null;
};

type Timing = {
  grade: Grade;
  level: Level;
  unitId: string | null;
  unitName: string | null;
  timeLimitDays: number;
  /** `override` (given at routing) or `rule:<exact|other|default>` (which rule of the set applied). */
  timeLimitSource: string;
  ruleSetVersion: number;
  startedAt: string;
  deadlineAt: string;
  note?: string | undefined;
};

/** Per action, the timeline data beside `from` and `to`; a new action without its entry fails to compile. */
export interface CaseTransitionData {
  register: { note?: string | undefined };
  take_on: Timing & { mediatorId: string; mediatorName: string };
  grade_and_route: Timing & {
    unitId: string;
    unitName: string;
    suggested: { level: Level; unitKind: UnitKind; department: Department | null; timeLimitDays: number };
  };
  assign: LeadChange & { note?: string | undefined };
  reassign: LeadChange & { reason: string };
  start_mediation: { sessionId: string };
  escalate: {
    fromLevel: Level;
    toLevel: Level;
    reason: string;
    previousUnitId: string | null;
    unitId: string | null;
    unitName: string | null;
    previousMediatorId: string | null;
  };
  close_settled: { agreementForm: AgreementForm; summary: string; agreementId: string | null; followUpDueAt: string };
  close_unsettled: { reason: string; referredTo: ReferralTarget; referralDetail?: string | undefined; followUpDueAt: string };
  record_follow_up: { followUpId: string; date: string; method: FollowUpMethod; satisfaction: Satisfaction; notes: string };
  reopen: { reason: string; timeLimitDays: number; deadlineAt: string };
}

/** The data of a `case.<action>` timeline entry. */
export type CaseTimelineData<A extends CaseAction> = { from: CaseState; to: CaseState } & CaseTransitionData[A];

type MissingTransitionData = Exclude<CaseAction, keyof CaseTransitionData>;
/** Compile-time: every action has its timeline data. */
export const everyActionHasTimelineData: [MissingTransitionData] extends [never] ? true : MissingTransitionData = true;
