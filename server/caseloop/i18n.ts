/**
 * Chinese (zh-CN) labels for the case loop, as the server's texts use them: the names are the
 * protocol's tables (server/protocol/caseLoopLabels.ts, which the client shows too); departments
 * and staff roles are named only here. Typed as complete records, so adding a value without a
 * label is a compile error.
 */
import {
  type CaseAction,
  type CaseState,
  type Department,
  type DisputeType,
  type FollowUpMethod,
  type Grade,
  type Level,
  type Light,
  type ReferralTarget,
  type Satisfaction,
  type UnitKind,
} from '../protocol/caseLoop.ts';
import { caseLoopLabels } from '../protocol/caseLoopLabels.ts';
import { disputeTypeLabels } from '../protocol/disputeTypeLabels.ts';

const names = caseLoopLabels['zh-CN'];
import type { StaffRole } from '../protocol/roles.ts';

export const zh: {
  states: Record<CaseState, string>;
  actions: Record<CaseAction, string>;
  disputeTypes: Record<DisputeType, string>;
  grades: Record<Grade, string>;
  levels: Record<Level, string>;
  unitKinds: Record<UnitKind, string>;
  departments: Record<Department, string>;
  lights: Record<Light, string>;
  satisfaction: Record<Satisfaction, string>;
  followUpMethods: Record<FollowUpMethod, string>;
  referralTargets: Record<ReferralTarget, string>;
  roles: Record<StaffRole, string>;
} = {
  states: names.state,
  actions: names.action,
  disputeTypes: disputeTypeLabels['zh-CN'],
  grades: names.grade,
  levels: names.level,
  unitKinds: names.unitKind,
  departments: {
    human_resources: '人社局',
    natural_resources: '自然资源和规划局',
    agriculture_rural: '农业农村局',
    housing: '住建局',
    market_regulation: '市场监管局',
    traffic_police: '交警大队',
    civil_affairs: '民政局',
    justice: '司法局',
    womens_federation: '妇联',
    court: '人民法院',
  },
  lights: { green: names.light.green, yellow: names.light.yellow, red: names.light.red, done: names.light.done },
  satisfaction: names.satisfaction,
  followUpMethods: names.method,
  referralTargets: names.referral,
  roles: {
    mediator: '调解员',
    official: '部门工作人员',
    supervisor: '督办人员',
    admin: '系统管理员',
    gridworker: '网格员',
    judge: '法官',
  },
};
