/**
 * The five-step closed loop as a state machine (前端发现上报 → 线上分级分流 → 限时办理 →
 * 跟踪督办 → 办结回访), kept as data so routes, UI and tests read the same table.
 *
 * Pure: no database, no clock. The caller loads the case, calls `applyTransition`,
 * validates the payload with `parseActionPayload`, writes the new state and appends
 * a timeline entry (reassignment and reopening keep history that way).
 */
import { AppError, zodDetails } from '../errors.ts';
import {
  actionPayloads,
  caseActions,
  caseStates,
  type ActionPayload,
  type CaseAction,
  type CaseState,
  type Level,
  type Satisfaction,
} from '../protocol/caseLoop.ts';
import type { StaffRole } from '../protocol/roles.ts';
import { levelRank } from './rules.ts';
import { zh } from './i18n.ts';

/** Who may act: listed staff roles, or 'public' (anyone, including unauthenticated). */
export type ActorRole = StaffRole | 'public';

export interface Transition {
  from: readonly CaseState[];
  to: CaseState;
  roles: readonly StaffRole[] | 'public';
}

/**
 * The transition table. Role choices:
 * - supervisor (督办/分流 at the centre) registers, grades, routes, assigns, reassigns and reopens;
 * - mediator and official (the responsible unit: a mediation organisation or a department)
 *   run the case: start sessions, close it, escalate it;
 * - mediators may also register and take on (window intake); follow-ups are done by the handling unit
 *   or the centre;
 * - gridworker only reports (see `initialState`), admin only configures (rule sets).
 */
export const transitions = {
  register: { from: ['reported'], to: 'registered', roles: ['supervisor', 'mediator'] },
  /**
   * Window intake (窗口受理): the mediator who registered the case takes it on at once, in their own
   * unit with the rule's time limit, so they can work and close it. Registration by a mediator does
   * this in the same transaction; a registered case a mediator already leads offers it as a button.
   */
  take_on: { from: ['registered'], to: 'assigned', roles: ['mediator'] },
  grade_and_route: { from: ['registered', 'escalated'], to: 'routed', roles: ['supervisor'] },
  assign: { from: ['routed', 'escalated', 'reopened'], to: 'assigned', roles: ['supervisor'] },
  /** Idempotent: later sessions of a case in mediation keep it in_mediation. */
  start_mediation: { from: ['assigned', 'in_mediation'], to: 'in_mediation', roles: ['mediator', 'official'] },
  close_settled: { from: ['in_mediation'], to: 'closed_settled', roles: ['mediator', 'official'] },
  /** Also from assigned: a party may refuse mediation outright (终止调解). */
  close_unsettled: { from: ['assigned', 'in_mediation'], to: 'closed_unsettled', roles: ['mediator', 'official'] },
  record_follow_up: {
    from: ['closed_settled', 'closed_unsettled'],
    to: 'followed_up',
    // 回访 is done by the grid worker or the mediator; officials and supervisors may record it too.
    roles: ['mediator', 'official', 'supervisor', 'gridworker'],
  },
  reopen: { from: ['followed_up'], to: 'reopened', roles: ['supervisor'] },
  escalate: {
    from: ['routed', 'assigned', 'in_mediation', 'reopened'],
    to: 'escalated',
    roles: ['mediator', 'official', 'supervisor'],
  },
  /** New lead mediator; the caller appends the old one to the timeline. */
  reassign: { from: ['assigned', 'in_mediation'], to: 'assigned', roles: ['supervisor'] },
} as const satisfies Record<CaseAction, Transition>;

/** Why an action cannot happen in a state, in Chinese (the English part is generated). */
const stateObstacle: Record<CaseState, string> = {
  reported: '案件尚未受理',
  registered: '案件尚未分级分流',
  routed: '案件尚未指派调解员',
  assigned: '调解尚未开始',
  in_mediation: '案件正在调解中',
  closed_settled: '案件已调解成功结案',
  closed_unsettled: '案件已调解不成结案',
  followed_up: '案件已回访办结',
  escalated: '案件已提级，待上级分流或指派',
  reopened: '案件已重新办理，待指派调解员',
};

const actionVerb: Record<CaseAction, string> = {
  register: 'register',
  take_on: 'take on',
  grade_and_route: 'grade and route',
  assign: 'assign',
  start_mediation: 'start mediation on',
  close_settled: 'close',
  close_unsettled: 'close',
  record_follow_up: 'record a follow-up on',
  reopen: 'reopen',
  escalate: 'escalate',
  reassign: 'reassign',
};

export function isCaseState(v: unknown): v is CaseState {
  return typeof v === 'string' && (caseStates as readonly string[]).includes(v);
}

export function isCaseAction(v: unknown): v is CaseAction {
  return typeof v === 'string' && (caseActions as readonly string[]).includes(v);
}

/** May this role perform this action at all (ignoring state)? */
export function roleMayPerform(action: CaseAction, role: ActorRole): boolean {
  const t: Transition = transitions[action];
  const roles = t.roles;
  if (roles === 'public') return true;
  return role !== 'public' && roles.includes(role);
}

/** Is the action legal from this state (ignoring role)? */
export function canApply(state: CaseState, action: CaseAction): boolean {
  const t: Transition = transitions[action];
  return t.from.includes(state);
}

/** Actions the role may perform from this state, in table order (for UI buttons). */
export function availableActions(state: CaseState, role: ActorRole): CaseAction[] {
  return caseActions.filter((a) => canApply(state, a) && roleMayPerform(a, role));
}

/**
 * The state after `action`, or throws:
 * - AppError('bad_request') for an unknown state or action;
 * - AppError('forbidden') when the role may never perform the action (checked first,
 *   so a caller without the right does not learn the case's state);
 * - AppError('conflict') when the action is illegal from this state.
 */
export function applyTransition(state: CaseState, action: CaseAction, role: ActorRole): CaseState {
  if (!isCaseAction(action)) {
    throw new AppError('bad_request', `Unknown case action '${String(action)}' (未知操作)`);
  }
  if (!isCaseState(state)) {
    throw new AppError('bad_request', `Unknown case state '${String(state)}' (未知案件状态)`);
  }
  if (!roleMayPerform(action, role)) {
    const roleZh = role === 'public' ? '公众' : zh.roles[role];
    throw new AppError(
      'forbidden',
      `Role '${role}' may not ${actionVerb[action]} a case (${roleZh}无权${zh.actions[action]})`,
      { action, role },
      { reason: 'case_action_not_allowed', params: { action } },
    );
  }
  if (!canApply(state, action)) {
    throw new AppError(
      'conflict',
      `Cannot ${actionVerb[action]} a case that is '${state}' (${stateObstacle[state]}，不能${zh.actions[action]})`,
      { action, state },
      { reason: 'case_state_forbids', params: { action, state } },
    );
  }
  return transitions[action].to;
}

/* Payloads: their schemas are the vocabulary's (server/protocol/caseLoop.ts). */

/** Validate an action's payload; throws AppError('bad_request') with per-field details. */
export function parseActionPayload<A extends CaseAction>(action: A, input: unknown): ActionPayload<A> {
  if (!isCaseAction(action)) {
    throw new AppError('bad_request', `Unknown case action '${String(action)}' (未知操作)`);
  }
  const result = actionPayloads[action].safeParse(input);
  if (!result.success) {
    throw new AppError('bad_request', `Invalid ${action} request (提交内容有误)`, zodDetails(result.error));
  }
  return result.data as ActionPayload<A>;
}

/** Escalation must go strictly up a level; throws AppError('conflict') otherwise. */
export function assertEscalation(currentLevel: Level, toLevel: Level): void {
  if (levelRank(toLevel) <= levelRank(currentLevel)) {
    throw new AppError(
      'conflict',
      `Cannot escalate from '${currentLevel}' to '${toLevel}': escalation must go to a higher level (提级须报送更高层级)`,
      { currentLevel, toLevel },
      { reason: 'escalation_not_higher' },
    );
  }
}

/** Reopening follows a dissatisfied follow-up; throws AppError('conflict') otherwise. */
export function assertReopenable(lastSatisfaction: Satisfaction | null | undefined): void {
  if (lastSatisfaction !== 'not_satisfied') {
    throw new AppError(
      'conflict',
      'Cannot reopen a case unless the last follow-up recorded the party as not satisfied (仅回访不满意的案件可重新办理)',
      undefined,
      { reason: 'case_not_dissatisfied' },
    );
  }
}
