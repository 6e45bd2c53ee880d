import type { LeaveReason, TimelineType } from '../../../server/protocol/timelineTypes.ts';

/*
 * Labels of every case-timeline entry type and of every reason for leaving the room, in both
 * languages. Typed as complete records over the server's lists, so a new entry type or leave
 * reason without a label here is a compile error (and tests/unit/client/timelineLabels.test.ts
 * checks the catalogues at run time).
 */

export const timelineLabelsZhCN: Record<TimelineType, string> = {
  'case.created': '登记案件',
  'case.register': '受理',
  'case.take_on': '窗口受理，由本人承办',
  'case.grade_and_route': '分级分流',
  'case.assign': '指派调解员',
  'case.start_mediation': '开始调解',
  'case.close_settled': '调解成功结案',
  'case.close_unsettled': '调解不成结案',
  'case.record_follow_up': '登记回访',
  'case.reopen': '重新办理',
  'case.escalate': '提级',
  'case.reassign': '改派调解员',
  'party.contact_revealed': '查看当事人完整电话',
  'attachment.added': '上传附件',
  'supervision.added': '督办',
  'supervision.answered': '答复督办',
  'whistle.requested': '吹哨：请部门报到',
  'whistle.accepted': '部门已报到',
  'whistle.cancelled': '吹哨已取消',
  'whistle.declined': '部门拒绝吹哨',
  'followup.link_created': '生成回访链接',
  'session.started': '召开云调解',
  'session.ended': '云调解结束',
  'session.joined': '进入调解室',
  'session.left': '离开调解室',
  'caucus.started': '开始背对背调解',
  'caucus.ended': '结束背对背调解',
  'invitation.created': '发出邀请链接',
  'invitation.revoked': '撤销邀请链接',
  'agreement.drafted': '起草调解协议',
  'agreement.revised': '修改调解协议',
  'agreement.frozen': '调解协议定稿',
  'agreement.signed': '签署调解协议',
  'agreement.refused': '拒绝签署',
  'agreement.signatures_cancelled': '签名作废',
  'agreement.sealed': '调解协议已签章',
};

export const timelineLabelsEn: Record<TimelineType, string> = {
  'case.created': 'Case registered',
  'case.register': 'Accepted',
  'case.take_on': 'Taken on at the window',
  'case.grade_and_route': 'Graded and routed',
  'case.assign': 'Mediator assigned',
  'case.start_mediation': 'Mediation started',
  'case.close_settled': 'Closed as settled',
  'case.close_unsettled': 'Closed as not settled',
  'case.record_follow_up': 'Follow-up recorded',
  'case.reopen': 'Reopened',
  'case.escalate': 'Escalated',
  'case.reassign': 'Mediator reassigned',
  'party.contact_revealed': 'Full phone number viewed',
  'attachment.added': 'Attachment added',
  'supervision.added': 'Supervision note',
  'supervision.answered': 'Supervision answered',
  'whistle.requested': 'Whistle: department called in',
  'whistle.accepted': 'Department reported',
  'whistle.cancelled': 'Whistle cancelled',
  'whistle.declined': 'Department declined the whistle',
  'followup.link_created': 'Follow-up link created',
  'session.started': 'Session started',
  'session.ended': 'Session ended',
  'session.joined': 'Joined the session',
  'session.left': 'Left the session',
  'caucus.started': 'Private caucus started',
  'caucus.ended': 'Private caucus ended',
  'invitation.created': 'Invitation sent',
  'invitation.revoked': 'Invitation revoked',
  'agreement.drafted': 'Agreement drafted',
  'agreement.revised': 'Agreement revised',
  'agreement.frozen': 'Agreement finalised',
  'agreement.signed': 'Agreement signed',
  'agreement.refused': 'Signature refused',
  'agreement.signatures_cancelled': 'Signatures cancelled',
  'agreement.sealed': 'Agreement sealed',
};

export const leaveReasonLabelsZhCN: Record<LeaveReason, string> = {
  left: '自行离开',
  session_ended: '调解结束',
  ended: '调解员结束了调解',
  media_server_restarted: '服务重启',
  replaced: '在另一设备进入',
  removed: '被移出调解室',
  denied: '未获准进入',
  session_closed: '调解已关闭',
  reconnect: '重新连接',
  logged_out: '账号已退出登录',
  password_changed: '账号密码已修改，登录失效',
  account_disabled: '账号已被停用',
  server_restarted: '服务重启后关闭',
  node_failed: '服务节点故障，已切换到其他节点',
};

export const leaveReasonLabelsEn: Record<LeaveReason, string> = {
  left: 'left',
  session_ended: 'session ended',
  ended: 'ended by the mediator',
  media_server_restarted: 'server restarted',
  replaced: 'joined from another device',
  removed: 'removed from the room',
  denied: 'not admitted',
  session_closed: 'session closed',
  reconnect: 'reconnecting',
  logged_out: 'signed out of the account',
  password_changed: 'sign-in ended by a password change',
  account_disabled: 'account disabled',
  server_restarted: 'closed after a server restart',
  node_failed: 'the server node failed; moved to another node',
};

/** `{ a: 'x' }` with prefix 'p.' → `{ 'p.a': 'x' }`, keeping the literal keys for the catalogue's key type. */
export function prefixed<P extends string, K extends string>(prefix: P, labels: Record<K, string>): Record<`${P}${K}`, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${prefix}${k}`, v])) as Record<`${P}${K}`, string>;
}
