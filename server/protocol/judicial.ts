import { z } from 'zod';
import type { AgreementView } from './agreement.ts';
import type { RecordingInfo } from './recording.ts';
import { partySide } from './roles.ts';

/*
 * Online judicial confirmation (在线司法确认) of a sealed mediation agreement: request schemas and
 * response shapes shared by the server (server/judicial/*) and the client. After the agreement is
 * sealed, the case's mediator starts a joint application to a court; each party confirms it on
 * their phone (consent, one-time code, drawn signature); the last confirmation submits it to the
 * court's queue; a judge reviews it and decides; the ruling (民事裁定书) is sealed with the court's
 * own key. The statutory period (JUDICIAL_APPLICATION_DAYS, default 30) runs from the agreement's
 * sealing: an application started, or a confirmation arriving, after it is refused
 * (`judicial_period_over`) and a collecting application lapses.
 *
 * Routes (roles: M mediator, S supervisor, A admin, J judge, P public with the party's link token
 * in `Authorization: Bearer`):
 *   GET  /api/courts                                          M S A  → CourtInfo[]
 *   POST /api/cases/:caseId/judicial                          M S    startJudicialRequest → 201 StartJudicialResponse
 *   GET  /api/cases/:caseId/judicial                          staff (case.read) → CaseJudicialInfo
 *   POST /api/judicial/applications/:applicationId/links      M S    → 201 JudicialLinkInfo[] (new links for the collecting application, SMS too; old ones revoked)
 *   GET  /api/judicial/apply                                  P      → JudicialPartyView
 *   POST /api/judicial/apply/otp                              P      judicialOtpRequest → JudicialOtpResponse
 *   POST /api/judicial/apply/confirm                          P      judicialConfirmRequest → JudicialPartyView
 *   GET  /api/judicial/queue?status=                          J      judicialQueueQuery → JudicialQueueItem[] (oldest submitted first)
 *   GET  /api/judicial/applications/:applicationId            J (judicial.review) → JudicialReviewView
 *   POST /api/judicial/applications/:applicationId/decision   J (judicial.decide) judicialDecisionRequest → JudicialApplicationView
 *   GET  /api/judicial/applications/:applicationId/ruling.pdf staff (case.read) or P (that application's link) → the sealed PDF
 * Push: `judicial.updated` (server/protocol/signalling.ts) to the case's room sockets (`kind: 'case'`)
 * and to the party's phone page socket (handshake `kind: 'judicial'`, `kind: 'party'`).
 */

/** collecting: parties confirming · submitted: in the court's queue · confirmed / rejected: decided · lapsed: the period ended first · withdrawn. */
export const judicialStatuses = ['collecting', 'submitted', 'confirmed', 'rejected', 'lapsed', 'withdrawn'] as const;
export const judicialStatus = z.enum(judicialStatuses);
export type JudicialStatus = z.infer<typeof judicialStatus>;

/** Statuses in which a case has a live application (a new one is refused with `judicial_application_exists`). */
export const liveJudicialStatuses = ['collecting', 'submitted', 'confirmed'] as const satisfies readonly JudicialStatus[];

export const judicialDecisions = ['confirmed', 'rejected'] as const;
export const judicialDecision = z.enum(judicialDecisions);
export type JudicialDecision = z.infer<typeof judicialDecision>;

/** What the parties ask the court for (the application's request, printed on the phone page and the ruling). */
export const JUDICIAL_REQUEST_TEXT = {
  'zh-CN': '请求确认调解协议有效',
  en: 'We ask the court to confirm that the mediation agreement is valid',
} as const;

/** The consent a party ticks; the server records the SHA-256 of the exact text shown. */
export const JUDICIAL_CONSENT_TEXTS = {
  'zh-CN': '本人自愿与对方当事人共同向人民法院申请司法确认上述调解协议，申请内容真实，出于真实意思表示。',
  en: 'Of my own free will I apply jointly with the other party to the court for judicial confirmation of this mediation agreement; the application is true and states my real intention.',
} as const;
export type JudicialConsentLang = keyof typeof JUDICIAL_CONSENT_TEXTS;

/** A PNG data URL of the drawn signature (the same limit as the agreement's). */
const pngDataUrl = z
  .string()
  .max(Math.ceil((40_000 * 4) / 3) + 40, 'Signature image too large')
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, 'Signature must be a PNG data URL');

// ---- requests --------------------------------------------------------------------------------

export const startJudicialRequest = z.object({ courtUnitId: z.string().min(1).max(64) }).strict();
export type StartJudicialRequest = z.infer<typeof startJudicialRequest>;

/** The party's link names the application and the party; the body carries nothing. */
export const judicialOtpRequest = z.object({}).strict();
export type JudicialOtpRequest = z.infer<typeof judicialOtpRequest>;

export const judicialConfirmRequest = z
  .object({
    consent: z.literal(true, 'Consent is required'),
    consentLang: z.enum(['zh-CN', 'en']),
    code: z.string().regex(/^\d{6}$/, 'The code has 6 digits'),
    signaturePng: pngDataUrl,
  })
  .strict();
export type JudicialConfirmRequest = z.infer<typeof judicialConfirmRequest>;

/** Reasons are required for a rejection (400, field `reasons`: `judicial_reasons_required`), optional for a confirmation. */
export const judicialDecisionRequest = z
  .object({
    decision: judicialDecision,
    reasons: z.string().trim().max(4000).default(''),
  })
  .strict();
export type JudicialDecisionRequest = z.input<typeof judicialDecisionRequest>;

/** The judge's queue: `open` = submitted (awaiting decision, the default), `decided` = confirmed or rejected, `all`. */
export const judicialQueueFilters = ['open', 'decided', 'all'] as const;
export const judicialQueueQuery = z.object({ status: z.enum(judicialQueueFilters).default('open') }).strict();
export type JudicialQueueQuery = z.infer<typeof judicialQueueQuery>;

// ---- responses -------------------------------------------------------------------------------

const iso = z.iso.datetime();

export const courtInfo = z.object({ id: z.string(), name: z.string(), level: z.string() }).strict();
export type CourtInfo = z.infer<typeof courtInfo>;

/** One party of the application and whether they confirmed it (the name masked as elsewhere). */
export const judicialPartyStatus = z
  .object({
    partyId: z.string(),
    side: partySide.nullable(),
    /** Masked (张*) for everyone but staff reading the case. */
    name: z.string(),
    status: z.enum(['pending', 'confirmed']),
    at: iso.nullable(),
  })
  .strict();
export type JudicialPartyStatus = z.infer<typeof judicialPartyStatus>;

/** The sealed ruling (民事裁定书). `downloadUrl` takes the caller's Authorization (staff login or party link). */
export const judicialRulingInfo = z
  .object({
    id: z.string(),
    decision: judicialDecision,
    /** (2026)示民特1号 style. */
    number: z.string(),
    sha256: z.string(),
    size: z.number().int(),
    verificationCode: z.string(),
    /** PUBLIC_URL/verify?code=… */
    verifyUrl: z.string(),
    downloadUrl: z.string(),
    sealedAt: iso,
  })
  .strict();
export type JudicialRulingInfo = z.infer<typeof judicialRulingInfo>;

/** The sealed agreement the application asks to confirm. */
export const judicialAgreementRef = z
  .object({
    id: z.string(),
    /** The agreement's number is its case number. */
    caseNumber: z.string(),
    title: z.string(),
    sha256: z.string(),
    verificationCode: z.string(),
    sealedAt: iso,
  })
  .strict();
export type JudicialAgreementRef = z.infer<typeof judicialAgreementRef>;

export const judicialApplicationView = z
  .object({
    id: z.string(),
    caseId: z.string(),
    caseNumber: z.string(),
    status: judicialStatus,
    court: courtInfo,
    agreement: judicialAgreementRef,
    /** The agreement's sealing (it takes effect) and the end of the statutory period. */
    effectiveAt: iso,
    deadlineAt: iso,
    createdAt: iso,
    submittedAt: iso.nullable(),
    parties: z.array(judicialPartyStatus),
    judge: z.object({ id: z.string(), name: z.string() }).strict().nullable(),
    decidedAt: iso.nullable(),
    decision: judicialDecision.nullable(),
    decisionReasons: z.string().nullable(),
    ruling: judicialRulingInfo.nullable(),
  })
  .strict();
export type JudicialApplicationView = z.infer<typeof judicialApplicationView>;

/** A party's phone link (`PUBLIC_URL/judicial#t=<token>`, the token in the fragment as the signing links' `/sign#t=`), also sent by SMS. */
export const judicialLinkInfo = z.object({ partyId: z.string(), name: z.string(), side: partySide.nullable(), url: z.string(), expiresAt: iso }).strict();
export type JudicialLinkInfo = z.infer<typeof judicialLinkInfo>;

export const startJudicialResponse = z.object({ application: judicialApplicationView, links: z.array(judicialLinkInfo) }).strict();
export type StartJudicialResponse = z.infer<typeof startJudicialResponse>;

/** GET /api/cases/:caseId/judicial: the case's applications (newest first) and the statutory period. */
export const caseJudicialInfo = z
  .object({
    caseId: z.string(),
    /** null until the agreement is sealed. */
    period: z.object({ effectiveAt: iso, deadlineAt: iso, days: z.number().int() }).strict().nullable(),
    /** Whether a new application may be started now (sealed, within the period, none live); the caller's permission is the case's `can['judicial.apply']`. */
    canApply: z.boolean(),
    applications: z.array(judicialApplicationView),
  })
  .strict();
export type CaseJudicialInfo = z.infer<typeof caseJudicialInfo>;

/** GET /api/judicial/apply: what the party confirms, on their phone. */
export const judicialPartyView = z
  .object({
    application: judicialApplicationView,
    /** The agreement's text, to read before confirming. */
    agreementContent: z.object({ title: z.string(), facts: z.string(), clauses: z.array(z.string()) }).strict(),
    me: z.object({ partyId: z.string(), name: z.string(), side: partySide.nullable(), phoneMasked: z.string() }).strict(),
    myConfirmation: z.object({ status: z.enum(['pending', 'confirmed']), at: iso.nullable() }).strict(),
    /** Collecting, within the period, not yet confirmed by this party. */
    canConfirm: z.boolean(),
    requestTexts: z.object({ 'zh-CN': z.string(), en: z.string() }).strict(),
    consentTexts: z.object({ 'zh-CN': z.string(), en: z.string() }).strict(),
  })
  .strict();
export type JudicialPartyView = z.infer<typeof judicialPartyView>;

export const judicialOtpResponse = z.object({ sentTo: z.string(), expiresAt: iso }).strict();
export type JudicialOtpResponse = z.infer<typeof judicialOtpResponse>;

/** One row of the judge's queue. */
export const judicialQueueItem = z.object({ application: judicialApplicationView, caseTitle: z.string(), disputeType: z.string() }).strict();
export type JudicialQueueItem = z.infer<typeof judicialQueueItem>;

/** A sealed mediation record (调解笔录) of the case, for the review. `pdfUrl` takes the judge's Authorization. */
export const judicialRecordRef = z
  .object({ id: z.string(), sessionId: z.string(), number: z.string(), sha256: z.string(), sealedAt: iso, pdfUrl: z.string(), verifyUrl: z.string() })
  .strict();
export type JudicialRecordRef = z.infer<typeof judicialRecordRef>;

/** GET /api/judicial/applications/:applicationId: everything the judge reviews. */
export const judicialReviewView = z
  .object({
    application: judicialApplicationView,
    caseTitle: z.string(),
    disputeType: z.string(),
    /** The sealed agreement as the case shows it, and its PDF (the judge's Authorization). */
    agreement: z.custom<AgreementView>(),
    agreementPdfUrl: z.string(),
    records: z.array(judicialRecordRef),
    /** The case's recordings (the judge is their reviewer: /api/recordings/:id/playback and …/composed). */
    recordings: z.array(z.custom<RecordingInfo>()),
    /** Whether the caller may decide now (status submitted). */
    canDecide: z.boolean(),
  })
  .strict();
export type JudicialReviewView = z.infer<typeof judicialReviewView>;

/** The push payload (`judicial.updated`): the case's view in its room, the party's view on their phone. */
export type JudicialUpdate = { kind: 'case'; view: CaseJudicialInfo } | { kind: 'party'; view: JudicialPartyView };

/** The error reasons of this module (in server/protocol/errors.ts's catalogue, with their HTTP status there). */
export const judicialErrorReasons = [
  'judicial_agreement_not_sealed',
  'judicial_period_over',
  'judicial_application_exists',
  'judicial_not_a_court',
  'judicial_link_invalid',
  'judicial_not_collecting',
  'judicial_already_confirmed',
  'judicial_not_submitted',
  'judicial_already_decided',
  'judicial_reasons_required',
  'judicial_no_ruling',
] as const;
