import { z } from 'zod';
import {
  disputeType,
  type CaseAction,
  type CaseState,
  type CaseStats,
  type Department,
  type DisputeType,
  type FollowUpMethod,
  type Grade,
  type Level,
  type Light,
  type Satisfaction,
  type UnitKind,
} from './caseLoop.ts';
import type { AccessAction } from '../access/caseAccess.ts';
import { partySide } from './roles.ts';
import { geoPoint } from './grids.ts';

/** Actions taken through POST /api/cases/:id/actions/<action> (the case page's buttons); start_mediation happens by starting a session. */
export const routedActions = [
  'register',
  'take_on',
  'grade_and_route',
  'assign',
  'reassign',
  'escalate',
  'close_settled',
  'close_unsettled',
  'record_follow_up',
  'reopen',
] as const satisfies readonly CaseAction[];
export type RoutedAction = (typeof routedActions)[number];

/** GET /api/stats: the supervisor dashboard's figures. */
export interface StatsResponse extends CaseStats {
  filter: { from: string | null; to: string | null; unitId: string | null };
  generatedAt: string;
  /** Names of the units in byUnit ('' = not routed yet). */
  unitNames: Record<string, string>;
  /** Cases with no time limit running yet (byLight.none): reported, registered, not routed. */
  untimed: number;
  /** Bytes of the session recordings' files still kept (track files and composed files), centre-wide. */
  recordingBytes: number;
}

/** Mainland mobile or landline, digits with optional +86 / dashes. Stored normalised (digits only). */
export const phoneNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/^\+?86/, ''))
  .pipe(z.string().regex(/^(1\d{10}|0\d{9,11})$/, 'Enter a valid phone number'));

export const partyInput = z.object({
  side: partySide,
  name: z.string().trim().min(1, 'Name is required').max(50),
  phone: phoneNumber,
  idNumber: z
    .string()
    .trim()
    .regex(/^\d{17}[\dXx]$/, 'ID number must be 18 characters')
    .transform((s) => s.toUpperCase())
    .optional(),
});
export type PartyInput = z.input<typeof partyInput>;

/** Intake channel (来源): how the dispute reached us. */
export const caseSources = [
  'grid', // 网格员排查上报
  'walk_in', // 来访 (window intake)
  'phone', // 来电
  'hotline_12345', // 12345 热线转办
  'online', // 网上 (public form)
  'department_referral', // 部门移交
  'court_referral', // 法院委派/委托 (诉前调解)
  'other',
] as const;
export const caseSource = z.enum(caseSources);
export type CaseSource = z.infer<typeof caseSource>;

export const createCaseRequest = z
  .object({
    disputeType,
    title: z.string().trim().min(1, 'Title is required').max(100),
    description: z.string().trim().min(1, 'Description is required').max(5000),
    district: z.string().trim().max(50).optional(),
    town: z.string().trim().max(50).optional(),
    community: z.string().trim().max(50).optional(),
    grid: z.string().trim().max(50).optional(),
    /** A point (a click on the map): resolved to its grid on the server, overriding `grid`. */
    location: geoPoint.optional(),
    parties: z.array(partyInput).min(1, 'At least one party is required').max(20),
    /** Defaults by the registering role: gridworker → grid, others → walk_in. */
    source: caseSource.optional(),
  })
  .strict();
export type CreateCaseRequest = z.input<typeof createCaseRequest>;

/** On the public form only the reporter's own phone is required: not every citizen knows the other side's. */
const optionalPhone = z
  .union([z.string().trim().length(0), phoneNumber])
  .optional()
  .transform((v) => v ?? '');
export const publicPartyInput = partyInput.extend({ phone: optionalPhone });

/**
 * The public (no-login) report form: like staff registration, but the title is optional, the source
 * is `online`, and only the reporter (the first party) must give a phone number (progress and the
 * query code reach them by SMS); the other side may be named without one.
 */
export const publicCaseRequest = z
  .object({
    disputeType,
    title: z.string().trim().max(100).optional(),
    description: z.string().trim().min(1, 'Description is required').max(5000),
    district: z.string().trim().max(50).optional(),
    town: z.string().trim().max(50).optional(),
    community: z.string().trim().max(50).optional(),
    grid: z.string().trim().max(50).optional(),
    /** The reporter's phone location, sent only after they consented on the form; resolved to a grid on the server. */
    location: geoPoint.optional(),
    parties: z
      .array(publicPartyInput)
      .min(1, 'At least one party is required')
      .max(10)
      .refine((list) => list[0] === undefined || list[0].phone !== '', { message: 'Enter a valid phone number', path: [0, 'phone'] }),
  })
  .strict();
export type PublicCaseRequest = z.input<typeof publicCaseRequest>;

/** Answer to a public report: the query code is shown once and stored only as a hash. */
export interface PublicCaseReceipt {
  caseNumber: string;
  queryCode: string;
  createdAt: string;
}

/** Answer to POST /api/public/cases/sms: where the query code went (masked). */
export interface PublicQueryCodeSms {
  sentTo: string;
}

/** Case number + query code; sent in a POST body (or X-Case-Number / X-Query-Code headers), never in the URL. */
export const publicQueryRequest = z
  .object({
    caseNumber: z.string().trim().min(1, 'Case number is required').max(32),
    queryCode: z.string().trim().min(1, 'Query code is required').max(32),
  })
  .strict();
export type PublicQueryRequest = z.input<typeof publicQueryRequest>;

/** What a citizen sees with case number + query code: progress only, nothing personal. */
export interface PublicCaseProgress {
  caseNumber: string;
  disputeType: DisputeType;
  disputeTypeLabel: string;
  state: CaseState;
  stateLabel: string;
  light: Light | null;
  lightLabel: string | null;
  reportedAt: string;
  unitName: string | null;
  deadlineAt: string | null;
  closedAt: string | null;
  /** Milestones: `kind` is labelled by the client; `label` is the Chinese wording. */
  events: Array<{ type: string; kind: PublicEventKind; label: string; unitName?: string; at: string }>;
}

export const publicEventKinds = [
  'reported',
  'registered',
  'accepted',
  'routed',
  'assigned',
  'reassigned',
  'mediation_started',
  'session_held',
  'department_joined',
  'escalated',
  'agreement_sealed',
  'closed_settled',
  'closed_unsettled',
  'followed_up',
  'reopened',
] as const;
export type PublicEventKind = (typeof publicEventKinds)[number];

/** A calendar date (YYYY-MM-DD, read as China time) or an ISO date-time with offset. */
const dueDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'Enter a date (YYYY-MM-DD) or an ISO date-time' });

export const supervisionNoteRequest = z
  .object({
    text: z.string().trim().min(1, 'Say what is to be done').max(2000),
    /** A date means the end of that day in China time. */
    dueAt: dueDate,
  })
  .strict();
export type SupervisionNoteRequest = z.input<typeof supervisionNoteRequest>;

export const supervisionAnswerRequest = z.object({ answer: z.string().trim().min(1, 'An answer is required').max(2000) }).strict();
export type SupervisionAnswerRequest = z.input<typeof supervisionAnswerRequest>;

export const whistleRequest = z
  .object({
    /** A department unit (kind 'department'). */
    unitId: z.string().trim().min(1, 'Choose a department').max(64),
    need: z.string().trim().min(1, 'Say what is needed').max(1000),
  })
  .strict();
export type WhistleRequestInput = z.input<typeof whistleRequest>;

/** Cancelling (the mediator) or declining (the department's official) an open whistle. */
export const whistleCloseRequest = z.object({ reason: z.string().trim().min(1, 'A reason is required').max(500) }).strict();
export type WhistleCloseRequest = z.input<typeof whistleCloseRequest>;

export const whistleStatuses = ['open', 'accepted', 'cancelled', 'declined'] as const;
export type WhistleStatus = (typeof whistleStatuses)[number];

/** What list views show of a party: the phone is always masked. */
export interface PartySummary {
  id: string;
  side: z.infer<typeof partySide>;
  name: string;
  phoneMasked: string;
}

/** In a case detail: the ID number, masked, when one was recorded. */
export interface PartyDetail extends PartySummary {
  idNumberMasked: string | null;
}

export interface UnitRef {
  id: string;
  name: string;
  kind: UnitKind;
  level: Level;
}

export interface UnitInfo extends UnitRef {
  department: Department | null;
  active: boolean;
}

export interface CaseSummary {
  id: string;
  caseNumber: string;
  disputeType: DisputeType;
  title: string;
  createdAt: string;
  parties: PartySummary[];
  activeSessionId: string | null;
  /** Case-loop state and its Chinese label. */
  state: CaseState;
  stateLabel: string;
  /** The grid code (protocol/grids.ts) or older free text; null when not known. */
  grid: string | null;
  source: CaseSource;
  grade: Grade | null;
  level: Level | null;
  unit: UnitRef | null;
  leadMediator: { id: string; displayName: string } | null;
  timeLimitDays: number | null;
  startedAt: string | null;
  deadlineAt: string | null;
  closedAt: string | null;
  /** Computed at request time: null while no time limit runs (not yet routed), 'done' once closed. */
  light: Light | null;
  followUpDueAt: string | null;
  /** Closed, follow-up not recorded, and the due date has passed. */
  followUpOverdue: boolean;
  /** Unanswered supervision notes (督办), and how many of them are past their due date. */
  supervision: { open: number; overdue: number };
}

export interface CaseDetail extends CaseSummary {
  description: string;
  district: string | null;
  town: string | null;
  community: string | null;
  grid: string | null;
  parties: PartyDetail[];
  settled: boolean | null;
  agreementId: string | null;
  lastSatisfaction: Satisfaction | null;
  /** Case-loop actions the caller's role may take now (POST /api/cases/:id/actions/<action>). */
  availableActions: CaseAction[];
  /**
   * What the caller may do on this case (role table AND object rule, server/access/caseAccess.ts):
   * the client offers only these. A refused request answers 403 with `details.action`.
   */
  can: CaseCan;
}

export type { AccessAction };
export type CaseCan = Record<AccessAction, boolean>;

/** GET /api/cases/:id/parties/:partyId/contact — recorded on the timeline. */
export interface PartyContact {
  partyId: string;
  side: z.infer<typeof partySide>;
  name: string;
  phone: string;
}

export interface AttachmentInfo {
  id: string;
  caseId: string;
  originalName: string;
  mimeType: 'image/jpeg' | 'image/png' | 'application/pdf';
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}

export interface SupervisionNoteInfo {
  id: string;
  caseId: string;
  caseNumber: string;
  text: string;
  dueAt: string;
  createdAt: string;
  author: { id: string; displayName: string };
  answer: string | null;
  answeredAt: string | null;
  answeredBy: { id: string; displayName: string } | null;
  /** Unanswered and past its due date (computed at request time). */
  overdue: boolean;
}

/** GET /api/whistles/pending: an official's open requests (the header badge) and the newest one. */
export interface PendingWhistles {
  count: number;
  newest: WhistleInfo | null;
}

export interface WhistleInfo {
  id: string;
  caseId: string;
  caseNumber: string;
  caseTitle: string;
  disputeType: DisputeType;
  unit: UnitRef;
  need: string;
  status: WhistleStatus;
  requestedBy: { id: string; displayName: string };
  requestedAt: string;
  acceptedBy: { id: string; displayName: string } | null;
  acceptedAt: string | null;
  /** Seconds from request to acceptance. */
  responseSeconds: number | null;
  sessionId: string | null;
  invitationId: string | null;
  /** Who cancelled (status cancelled) or declined (status declined) it, when and why. */
  closedBy: { id: string; displayName: string } | null;
  closedAt: string | null;
  closeReason: string | null;
}

/** Answer to accepting a whistle: the official's join link (token in the fragment), shown once. */
export interface WhistleAcceptance {
  whistle: WhistleInfo;
  sessionId: string;
  invitationId: string;
  url: string;
  expiresAt: string;
}

export interface FollowUpInfo {
  id: string;
  caseId: string;
  date: string;
  method: FollowUpMethod;
  satisfaction: Satisfaction;
  notes: string;
  recordedBy: string;
  createdAt: string;
}

export interface FollowUpLinkInfo {
  url: string;
  expiresAt: string;
}

/** What the no-login follow-up page shows (nothing personal). */
export interface PublicFollowUpPreview {
  caseNumber: string;
  disputeType: DisputeType;
  /** Chinese label (for logs and old clients); the client labels `disputeType` itself. */
  disputeTypeLabel: string;
  closedAs: 'settled' | 'unsettled';
  closedAt: string | null;
  /** False once a follow-up is recorded for the case (the link is then spent). */
  canRecord: boolean;
  expiresAt: string;
}

export interface RoutingSuggestion {
  disputeType: DisputeType;
  grade: Grade;
  level: Level;
  unitKind: UnitKind;
  department: Department | null;
  timeLimitDays: number;
  source: 'exact' | 'other' | 'default';
  ruleSetVersion: number;
  /** Active units matching the suggested level and kind (and department). */
  units: UnitInfo[];
}
