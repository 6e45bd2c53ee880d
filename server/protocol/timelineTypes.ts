import { type CaseAction } from './caseLoop.ts';
import type { CloseReason } from './signalling.ts';

/**
 * Every type of case-timeline entry, as a list the UI's label tables and their tests iterate.
 * `case.<action>` entries are case-loop transitions (server/caseloop/states.ts); a new action
 * without its entry here fails to compile below.
 */
export const timelineTypes = [
  'case.created',
  'case.register',
  'case.take_on',
  'case.grade_and_route',
  'case.assign',
  'case.start_mediation',
  'case.close_settled',
  'case.close_unsettled',
  'case.record_follow_up',
  'case.reopen',
  'case.escalate',
  'case.reassign',
  'party.contact_revealed',
  'attachment.added',
  'supervision.added',
  'supervision.answered',
  'whistle.requested',
  'whistle.accepted',
  'whistle.cancelled',
  'whistle.declined',
  'followup.link_created',
  'session.started',
  'session.ended',
  'session.joined',
  'session.left',
  /** Private caucus (背对背) opened/closed in the room: who and when, never content. */
  'caucus.started',
  'caucus.ended',
  'invitation.created',
  'invitation.revoked',
  /** Mediation agreement (server/agreement). */
  'agreement.drafted',
  'agreement.revised',
  'agreement.frozen',
  'agreement.signed',
  'agreement.refused',
  'agreement.signatures_cancelled',
  'agreement.sealed',
  /** Recording: turned on, paused, resumed, stopped; notices confirmed or declined; files. */
  'recording.started',
  'recording.paused',
  'recording.resumed',
  'recording.stopped',
  'recording.consented',
  'recording.declined',
  'recording.file_closed',
  'recording.gap',
  'recording.composed',
  'recording.played',
  'recording.downloaded',
  'recording.deleted',
  /** The written mediation record (调解笔录, server/mediationRecord). */
  'record.drafted',
  'record.revised',
  'record.frozen',
  'record.confirmed',
  'record.objected',
  'record.sealed',
  /** Judicial confirmation (司法确认, server/judicial): started, each party's confirmation, submitted to the court, lapsed, the hearing, the decision. */
  'judicial.applied',
  'judicial.party_confirmed',
  'judicial.submitted',
  'judicial.lapsed',
  'judicial.hearing_started',
  'judicial.hearing_ended',
  'judicial.decided',
] as const;
export type TimelineType = (typeof timelineTypes)[number];

type MissingTransition = Exclude<`case.${CaseAction}`, TimelineType>;
/** Compile-time: every case-loop action has its timeline type. */
export const everyTransitionHasAType: [MissingTransition] extends [never] ? true : MissingTransition = true;

/** Why a participant left the room (`session.left` data.reason): the room's close reasons, a plain leave, or the session's end. */
export const leaveReasons = [
  'left',
  'session_ended',
  'ended',
  'media_server_restarted',
  'replaced',
  'removed',
  'denied',
  'session_closed',
  'reconnect',
  'logged_out',
  'password_changed',
  'account_disabled',
  'server_restarted',
  'node_failed',
  'recording_declined',
] as const;
export type LeaveReason = (typeof leaveReasons)[number];
type MissingReason = Exclude<CloseReason, LeaveReason>;
/** Compile-time: every close reason of the room is a leave reason. */
export const everyCloseReasonIsALeaveReason: [MissingReason] extends [never] ? true : MissingReason = true;
