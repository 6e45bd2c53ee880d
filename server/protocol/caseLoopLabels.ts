import type { AgreementForm, CaseAction, CaseState, FollowUpMethod, Grade, Level, ReferralTarget, Satisfaction, StatsLight, UnitKind } from './caseLoop.ts';
import type { CaseSource } from './cases.ts';

/**
 * The one source of the case loop's names in both languages: the client's catalogues spread these
 * tables under their `cl.<group>.` keys, and the server's Chinese texts (error messages, CSV export,
 * public progress page) read the zh-CN table. Typed as complete records over the vocabulary, so a
 * new state, action or value without its names is a compile error.
 */
export interface CaseLoopLabelTables {
  state: Record<CaseState, string>;
  action: Record<CaseAction, string>;
  grade: Record<Grade, string>;
  level: Record<Level, string>;
  unitKind: Record<UnitKind, string>;
  satisfaction: Record<Satisfaction, string>;
  method: Record<FollowUpMethod, string>;
  referral: Record<ReferralTarget, string>;
  agreementForm: Record<AgreementForm, string>;
  source: Record<CaseSource, string>;
  light: Record<StatsLight, string>;
}

export const caseLoopLabels = {
  'zh-CN': {
    state: {
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
    action: {
      take_on: '受理并承办',
      register: '受理',
      grade_and_route: '分级分流',
      assign: '指派调解员',
      start_mediation: '开始调解',
      close_settled: '调解成功结案',
      close_unsettled: '调解不成结案',
      record_follow_up: '登记回访',
      reopen: '重新办理',
      escalate: '提级',
      reassign: '改派',
    },
    grade: {
      low: '一般',
      medium: '较大',
      high: '重大',
    },
    level: {
      community: '社区（村）',
      town: '镇（街道）',
      county: '县（区）',
      city: '市',
    },
    unitKind: {
      mediation_committee: '人民调解委员会',
      mediation_centre: '矛盾纠纷调处中心',
      department: '职能部门',
      court: '人民法院',
    },
    satisfaction: {
      satisfied: '满意',
      basically_satisfied: '基本满意',
      not_satisfied: '不满意',
    },
    method: {
      phone: '电话回访',
      visit: '上门回访',
      online: '线上回访',
      party_link: '当事人链接自评',
    },
    referral: {
      court: '引导诉讼',
      arbitration: '申请仲裁',
      department: '移交职能部门',
      other: '其他途径',
    },
    agreementForm: {
      written: '书面调解协议',
      oral: '口头协议',
    },
    source: {
      grid: '网格上报',
      walk_in: '来访',
      phone: '来电',
      hotline_12345: '12345热线',
      online: '网上申请',
      department_referral: '部门移交',
      court_referral: '法院委派',
      other: '其他',
    },
    light: {
      green: '绿灯',
      yellow: '黄灯',
      red: '红灯',
      done: '已办结',
      none: '未计时',
    },
  },
  en: {
    state: {
      reported: 'Reported',
      registered: 'Registered',
      routed: 'Routed',
      assigned: 'Assigned',
      in_mediation: 'In mediation',
      closed_settled: 'Settled',
      closed_unsettled: 'Not settled',
      followed_up: 'Followed up',
      escalated: 'Escalated',
      reopened: 'Reopened',
    },
    action: {
      take_on: 'Take on',
      register: 'Register',
      grade_and_route: 'Grade and route',
      assign: 'Assign mediator',
      start_mediation: 'Start mediation',
      close_settled: 'Close as settled',
      close_unsettled: 'Close as not settled',
      record_follow_up: 'Record follow-up',
      reopen: 'Reopen',
      escalate: 'Escalate',
      reassign: 'Reassign',
    },
    grade: {
      low: 'Low risk',
      medium: 'Medium risk',
      high: 'High risk',
    },
    level: {
      community: 'Community',
      town: 'Town',
      county: 'County',
      city: 'City',
    },
    unitKind: {
      mediation_committee: 'mediation committee',
      mediation_centre: 'mediation centre',
      department: 'department',
      court: 'court',
    },
    satisfaction: {
      satisfied: 'Satisfied',
      basically_satisfied: 'Basically satisfied',
      not_satisfied: 'Not satisfied',
    },
    method: {
      phone: 'Phone',
      visit: 'Home visit',
      online: 'Online',
      party_link: 'Party via link',
    },
    referral: {
      court: 'Court',
      arbitration: 'Arbitration',
      department: 'Another department',
      other: 'Other',
    },
    agreementForm: {
      written: 'Written agreement',
      oral: 'Oral agreement',
    },
    source: {
      grid: 'Grid report',
      walk_in: 'Walk-in',
      phone: 'Phone call',
      hotline_12345: '12345 hotline',
      online: 'Online',
      department_referral: 'Department referral',
      court_referral: 'Court referral',
      other: 'Other',
    },
    light: {
      green: 'Green',
      yellow: 'Yellow',
      red: 'Red',
      done: 'Closed',
      none: 'Not timed',
    },
  },
} as const satisfies Record<'zh-CN' | 'en', CaseLoopLabelTables>;
