/**
 * Chinese (zh-CN) labels for the case loop. Typed as complete records, so adding a
 * state, type or grade without a label is a compile error.
 */
import { type CaseAction, type CaseState, type Department, type DisputeType, type FollowUpMethod, type Grade, type Level, type Light, type ReferralTarget, type Satisfaction, type UnitKind } from '../protocol/caseLoop.ts';
import { disputeTypeLabels } from '../protocol/disputeTypeLabels.ts';
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
  states: {
    reported: '已上报',
    registered: '已受理',
    routed: '已分流',
    assigned: '已指派',
    in_mediation: '调解中',
    closed_settled: '调解成功',
    closed_unsettled: '调解不成',
    followed_up: '已回访',
    escalated: '已提级',
    reopened: '重新办理',
  },
  actions: {
    register: '受理',
    take_on: '受理并承办',
    grade_and_route: '分级分流',
    assign: '指派',
    start_mediation: '开始调解',
    close_settled: '调解成功结案',
    close_unsettled: '调解不成结案',
    record_follow_up: '登记回访',
    reopen: '重新办理',
    escalate: '提级',
    reassign: '改派',
  },
  disputeTypes: disputeTypeLabels['zh-CN'],
  grades: { low: '一般', medium: '较大', high: '重大' },
  levels: { community: '社区（村）', town: '镇（街道）', county: '县（区）', city: '市' },
  unitKinds: {
    mediation_committee: '人民调解委员会',
    mediation_centre: '矛盾纠纷调处中心',
    department: '职能部门',
  },
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
  lights: { green: '绿灯', yellow: '黄灯', red: '红灯', done: '已办结' },
  satisfaction: { satisfied: '满意', basically_satisfied: '基本满意', not_satisfied: '不满意' },
  followUpMethods: { phone: '电话回访', visit: '上门回访', online: '线上回访', party_link: '当事人链接自评' },
  referralTargets: { court: '引导诉讼', arbitration: '申请仲裁', department: '移交职能部门', other: '其他途径' },
  roles: {
    mediator: '调解员',
    official: '部门工作人员',
    supervisor: '督办人员',
    admin: '系统管理员',
    gridworker: '网格员',
  },
};
