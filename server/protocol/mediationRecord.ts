import { z } from 'zod';

/*
 * The written mediation record (调解笔录) of a session: request schemas and response types shared
 * by the server (server/mediationRecord/*) and the client (client/src/services/mediationRecord.ts).
 * Case, time, mediator and the automatic events come from the case and its timeline; what is
 * written here is the rest.
 */

const line = (max: number) => z.string().max(max);

/** One statement (陈述) as written down, with the time it was noted (to interleave it with the events). */
export const recordStatement = z
  .object({
    at: z.iso.datetime(),
    /** Who spoke: a participant's name, as written. */
    speaker: line(50),
    /** applicant | respondent | mediator | official | other: whose side the statement is. */
    role: z.enum(['applicant', 'respondent', 'mediator', 'official', 'other']),
    text: line(4000),
  })
  .strict();
export type RecordStatement = z.infer<typeof recordStatement>;

/** A participant and where they joined from (云调解: each at their own place, if given). */
export const recordParticipant = z
  .object({
    name: line(50),
    /** The participant's role, as a code the client and the PDF label. */
    role: z.enum(['applicant', 'respondent', 'mediator', 'recorder', 'official', 'other']),
    location: line(100),
  })
  .strict();
export type RecordParticipant = z.infer<typeof recordParticipant>;

export const recordContent = z
  .object({
    place: line(100),
    participants: z.array(recordParticipant).max(20),
    statements: z.array(recordStatement).max(200),
    /** 部门意见: the opinion of the department called in (吹哨), if any. */
    departmentOpinion: line(4000),
    /** 调解员意见/调解方案. */
    mediatorProposal: line(4000),
    /** 调解结果. */
    outcome: line(4000),
  })
  .strict();
export type RecordContent = z.infer<typeof recordContent>;

export const RECORD_PLACE = '云调解（线上视频调解）';

export const createRecordRequest = z.object({ recorderId: z.string().min(1).max(64).optional() }).strict();
export type CreateRecordRequest = z.infer<typeof createRecordRequest>;

/** Optimistic concurrency like the agreement: the edit names the revision it was made on; a stale base is a 409. */
export const saveRecordRequest = z.object({ baseRevision: z.number().int().min(1), content: recordContent }).strict();
export type SaveRecordRequest = z.infer<typeof saveRecordRequest>;

/** Puts this revision to its signatories for confirmation (the events up to now are part of it). */
export const freezeRecordRequest = z.object({ revision: z.number().int().min(1) }).strict();
export type FreezeRecordRequest = z.infer<typeof freezeRecordRequest>;

/** The consent each signatory ticks before confirming; the server records the SHA-256 of the exact text shown. */
export const RECORD_CONSENT_TEXTS = {
  'zh-CN': '本人已阅读以上调解笔录，记录属实，确认无误。',
  en: 'I have read this mediation record; it is a true record, and I confirm it.',
} as const;

const hexHash = z.string().regex(/^[0-9a-f]{64}$/, 'Revision hash must be 64 hex digits');
const pngDataUrl = z
  .string()
  .max(Math.ceil((40_000 * 4) / 3) + 40, 'Signature image too large')
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, 'Signature must be a PNG data URL');

export const recordOtpRequest = z.object({ revisionHash: hexHash }).strict();
export type RecordOtpRequest = z.infer<typeof recordOtpRequest>;

/** An invitation holder's confirmation: a party gives the one-time code; an official (no phone on their invitation) does not. */
export const recordConfirmRequest = z
  .object({
    revisionHash: hexHash,
    consent: z.literal(true, 'Consent is required'),
    consentLang: z.enum(['zh-CN', 'en']),
    code: z
      .string()
      .regex(/^\d{6}$/, 'The code has 6 digits')
      .optional(),
    signaturePng: pngDataUrl,
  })
  .strict();
export type RecordConfirmRequest = z.infer<typeof recordConfirmRequest>;

/** Staff (the mediator, the recorder) confirm with their staff login: consent and a drawn signature. */
export const recordStaffSignRequest = z
  .object({
    revisionHash: hexHash,
    consent: z.literal(true, 'Consent is required'),
    consentLang: z.enum(['zh-CN', 'en']),
    signaturePng: pngDataUrl,
  })
  .strict();
export type RecordStaffSignRequest = z.infer<typeof recordStaffSignRequest>;

export const recordObjectRequest = z
  .object({
    revisionHash: hexHash,
    objection: z.string().trim().min(2, 'Please write the objection').max(2000),
  })
  .strict();
export type RecordObjectRequest = z.infer<typeof recordObjectRequest>;

// ---- responses -------------------------------------------------------------------------------

/** The automatic events (from the case's hash-chained timeline): never editable. */
export const recordEventKinds = [
  'joined',
  'left',
  'caucus_started',
  'caucus_ended',
  'whistle_accepted',
  'agreement_frozen',
  'recording_paused',
  'recording_resumed',
] as const;
export type RecordEventKind = (typeof recordEventKinds)[number];

/** The timeline entry type each event comes from. */
export const recordEventSources = {
  joined: 'session.joined',
  left: 'session.left',
  caucus_started: 'caucus.started',
  caucus_ended: 'caucus.ended',
  whistle_accepted: 'whistle.accepted',
  agreement_frozen: 'agreement.frozen',
  recording_paused: 'recording.paused',
  recording_resumed: 'recording.resumed',
} as const satisfies Record<RecordEventKind, string>;

export interface RecordEvent {
  /** The timeline entry's sequence number and hash (what makes it immutable). */
  seq: number;
  hash: string;
  kind: RecordEventKind;
  at: string;
  /** Who (a display name, a department), when the entry names one. */
  who: string | null;
}

export type RecordConfirmationStatus = 'pending' | 'confirmed' | 'objected';

/** In what capacity a signatory signs the record (a party of unknown side is `party`). */
export const recordSignatoryRoles = ['applicant', 'respondent', 'party', 'official', 'recorder', 'mediator'] as const;
export type RecordSignatoryRole = (typeof recordSignatoryRoles)[number];

/** How a signatory proves who they are: a party's one-time code to their phone, an official's invitation, a staff login. */
export const recordSignMethods = ['sms_otp', 'invitation', 'staff_login'] as const;
export type RecordSignMethod = (typeof recordSignMethods)[number];

/** One signatory of the record: the session's parties, the officials who joined it, the recorder and the mediator. */
export interface RecordConfirmer {
  /** party:<partyId> | invitation:<invitationId> (an official) | user:<userId> (staff). */
  key: string;
  role: RecordSignatoryRole;
  partyId: string | null;
  name: string;
  /** An official's department. */
  department: string | null;
  method: RecordSignMethod;
  /** Parties and officials may object; the mediator and the recorder wrote the text (they change it instead). */
  mayObject: boolean;
  status: RecordConfirmationStatus;
  at: string | null;
  objection: string | null;
}

/** A sealed document of the same case this one refers to or is referred to by. */
export interface RelatedDocument {
  kind: 'agreement' | 'record';
  number: string;
  sha256: string;
  /** earlier: sealed before this one (its number and fingerprint are printed here); later: sealed after, carrying this one. */
  relation: 'earlier' | 'later';
}

export interface RecordDocumentInfo {
  id: string;
  number: string;
  sha256: string;
  size: number;
  verificationCode: string;
  verifyUrl: string;
  sealedAt: string;
  related: RelatedDocument[];
}

export interface RecordView {
  id: string;
  caseId: string;
  caseNumber: string;
  sessionId: string;
  status: 'drafting' | 'confirming' | 'sealed';
  /** From the case and session: not editable. */
  header: { caseTitle: string; startedAt: string; endedAt: string | null; mediator: string; recorder: string; recorderId: string };
  revision: { number: number; content: RecordContent; createdAt: string };
  /** The revision put to the parties, and its hash (covers the written parts and the events). */
  frozen: { number: number; hash: string; fingerprint: string } | null;
  events: RecordEvent[];
  confirmers: RecordConfirmer[];
  document: RecordDocumentInfo | null;
  consentTexts: typeof RECORD_CONSENT_TEXTS;
  /** What the caller may do. */
  me: { canEdit: boolean; partyId: string | null; /** The caller's key among `confirmers`, if they sign it. */ signatory: string | null };
}

/** A mediator who may be chosen as the record's recorder (记录员). */
export interface RecorderCandidate {
  userId: string;
  name: string;
}

export interface RecordOtpResponse {
  sentTo: string;
  expiresAt: string;
}
