import { z } from 'zod';
import { agreementField, referencedFieldIds, unknownPartyFieldIds } from './agreementFields.ts';
import type { RelatedDocument } from './mediationRecord.ts';
import type { PartySide } from './roles.ts';

/*
 * Mediation agreement (人民调解协议书): request schemas and response types shared by the server
 * (server/agreement/*) and the client (client/src/services/agreement*.ts).
 */

const line = (max: number) => z.string().max(max);

/** The editable content of a revision (canonical.ts AgreementRevision minus what comes from the case). */
export const agreementContent = z
  .object({
    title: line(60),
    parties: z
      .array(z.object({ side: line(20), name: line(100) }).strict())
      .min(1)
      .max(10),
    facts: line(8000),
    clauses: z.array(line(4000)).min(1).max(50),
    performance: line(4000),
    breach: line(4000),
    organisation: line(100),
    mediator: line(50),
    /** The typed blanks the text refers to as {{id}} (agreementFields.ts); none in drafts made before fields existed. */
    fields: z.array(agreementField).max(30).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = c.fields.map((f) => f.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['fields', i, 'id'], message: 'duplicate_field' });
    });
    const labels = c.fields.map((f) => f.label);
    labels.forEach((l, i) => {
      if (labels.indexOf(l) !== i) ctx.addIssue({ code: 'custom', path: ['fields', i, 'label'], message: 'duplicate_field' });
    });
    for (const id of referencedFieldIds(c)) {
      if (!ids.includes(id)) ctx.addIssue({ code: 'custom', path: ['fields'], message: `unknown_field:${id}` });
    }
    for (const id of unknownPartyFieldIds(c)) {
      ctx.addIssue({ code: 'custom', path: ['fields', ids.indexOf(id), 'value'], message: 'not_a_party' });
    }
  });
export type AgreementContent = z.infer<typeof agreementContent>;

export const signingOrders = ['parties_first', 'any'] as const;
export type SigningOrder = (typeof signingOrders)[number];

export const createAgreementRequest = z.object({ templateId: z.string().max(40).optional() }).strict();
export type CreateAgreementRequest = z.infer<typeof createAgreementRequest>;

/** Optimistic concurrency: the edit names the revision it was made on; a stale base is a 409. */
export const saveDraftRequest = z.object({ baseRevision: z.number().int().min(1), content: agreementContent }).strict();
export type SaveDraftRequest = z.infer<typeof saveDraftRequest>;

export const commentRequest = z
  .object({
    revision: z.number().int().min(1),
    clauseIndex: z.number().int().min(0).max(49),
    text: z.string().trim().min(1, 'Comment is empty').max(1000),
  })
  .strict();
export type CommentRequest = z.infer<typeof commentRequest>;

export const freezeRequest = z
  .object({
    revision: z.number().int().min(1),
    signingOrder: z.enum(signingOrders).optional(),
    requireWitness: z.boolean().optional(),
  })
  .strict();
export type FreezeRequest = z.infer<typeof freezeRequest>;

/** The consent a signer ticks; the server records the SHA-256 of the exact text shown. */
export const CONSENT_TEXTS = {
  'zh-CN': '本人已阅读并同意本协议的全部内容，自愿签署。',
  en: 'I have read and agree to this agreement, and sign it of my own free will.',
} as const;
export type ConsentLang = keyof typeof CONSENT_TEXTS;

/** A PNG data URL of the drawn signature (size-limited: the JSON body limit is 64 kB). */
export const MAX_SIGNATURE_PNG_BYTES = 40_000;
const pngDataUrl = z
  .string()
  .max(Math.ceil((MAX_SIGNATURE_PNG_BYTES * 4) / 3) + 40, 'Signature image too large')
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, 'Signature must be a PNG data URL');

const hexHash = z.string().regex(/^[0-9a-f]{64}$/, 'Revision hash must be 64 hex digits');

export const otpRequest = z.object({ partyId: z.string().min(1).max(64), revisionHash: hexHash }).strict();
export type OtpRequest = z.infer<typeof otpRequest>;

export const partySignRequest = z
  .object({
    partyId: z.string().min(1).max(64),
    revisionHash: hexHash,
    consent: z.literal(true, 'Consent is required'),
    consentLang: z.enum(['zh-CN', 'en']),
    code: z.string().regex(/^\d{6}$/, 'The code has 6 digits'),
    signaturePng: pngDataUrl,
  })
  .strict();
export type PartySignRequest = z.infer<typeof partySignRequest>;

export const refuseRequest = z
  .object({
    partyId: z.string().min(1).max(64),
    revisionHash: hexHash,
    reason: z.string().trim().min(2, 'Please give a reason').max(1000),
  })
  .strict();
export type RefuseRequest = z.infer<typeof refuseRequest>;

export const staffSignRequest = z
  .object({
    as: z.enum(['mediator', 'witness', 'party']),
    revisionHash: hexHash,
    consent: z.literal(true, 'Consent is required'),
    consentLang: z.enum(['zh-CN', 'en']),
    signaturePng: pngDataUrl,
  })
  .strict();
export type StaffSignRequest = z.infer<typeof staffSignRequest>;

export const verifyCodeRequest = z.object({ code: z.string().trim().min(4).max(40) }).strict();
export type VerifyCodeRequest = z.infer<typeof verifyCodeRequest>;

// ---- responses -------------------------------------------------------------------------------

export interface AgreementTemplateInfo {
  id: string;
  disputeType: string;
  name: string;
  nameEn: string;
}

export type SignerKind = 'party' | 'mediator' | 'witness';

export interface SignerStatus {
  kind: SignerKind;
  partyId: string | null;
  name: string;
  /** A party's side as a code (the client labels it); null for the mediator and the witness. */
  side: PartySide | null;
  required: boolean;
  status: 'pending' | 'signed' | 'refused';
  at: string | null;
  refusalReason: string | null;
}

export interface AgreementCommentInfo {
  id: string;
  revision: number;
  clauseIndex: number;
  authorName: string;
  side: PartySide | null;
  text: string;
  createdAt: string;
}

export interface AgreementDocumentInfo {
  id: string;
  sha256: string;
  size: number;
  verificationCode: string;
  verifyUrl: string;
  sealedAt: string;
  revisionHash: string;
}

export interface AgreementView {
  id: string;
  caseId: string;
  caseNumber: string;
  status: 'drafting' | 'signing' | 'sealed';
  templateId: string;
  revision: {
    number: number;
    content: AgreementContent;
    hash: string;
    fingerprint: string;
    /** 6-character check of the hash ('' while the draft has blanks), shown with the revision number. */
    checkCode: string;
    createdAt: string;
  };
  frozen: { number: number; hash: string; fingerprint: string; checkCode: string } | null;
  signingOrder: SigningOrder;
  requireWitness: boolean;
  signers: SignerStatus[];
  comments: AgreementCommentInfo[];
  document: AgreementDocumentInfo | null;
}

export interface SigningLinkInfo {
  partyId: string;
  name: string;
  side: PartySide | null;
  url: string;
  expiresAt: string;
}

/** GET /api/signing — what a party sees on the signing page. */
export interface SigningView {
  agreement: AgreementView;
  me: { partyId: string; name: string; side: PartySide | null; phoneMasked: string };
  myStatus: SignerStatus | null;
  /** Whether it is this party's turn (frozen, not yet signed or refused). */
  canSign: boolean;
  consentTexts: typeof CONSENT_TEXTS;
}

export interface OtpResponse {
  sentTo: string;
  expiresAt: string;
}

/** Who signed, as a code the client labels. */
/** Who signs a sealed document: the agreement's parties, mediator and witness; the record's also its officials and recorder. */
export const signerRoles = ['applicant', 'respondent', 'party', 'mediator', 'witness', 'official', 'recorder'] as const;
export type SignerRole = (typeof signerRoles)[number];

/** The Chinese role words written on the certificate page and kept in the sealed record. */
export const signerRoleLabels: Record<SignerRole, string> = {
  applicant: '申请人',
  respondent: '被申请人',
  party: '当事人',
  mediator: '人民调解员',
  witness: '见证人',
  official: '部门工作人员',
  recorder: '记录员',
};

export interface VerificationSigner {
  name: string;
  /** The Chinese role word from the sealed record. */
  role: string;
  /** The same role as a code (absent when the record holds a word this version does not know). */
  roleCode?: SignerRole;
  at: string;
  method: string;
}

/** Public verification: no personal data beyond masked names. */
export interface VerificationResult {
  status: 'authentic' | 'altered' | 'unknown';
  /** Which kind of sealed document: the agreement, the mediation record (调解笔录) or a court's ruling (民事裁定书, judicial confirmation). */
  kind?: 'agreement' | 'record' | 'ruling';
  /** Whose seal: the mediation committee's (agreement, record) or a court's (ruling); a ruling names its court. */
  sealedBy?: 'committee' | 'court';
  courtName?: string;
  /** A ruling's decision: the agreement confirmed valid, or the application rejected. */
  decision?: 'confirmed' | 'rejected';
  /** The record's own document number (the agreement's is its case number). */
  documentNumber?: string;
  /** The case's other sealed document(s) this one carries or is carried by (number and SHA-256). */
  related?: RelatedDocument[];
  message: string;
  reason?: string;
  caseNumber?: string;
  fingerprint?: string;
  sealedAt?: string;
  sha256?: string;
  signers?: VerificationSigner[];
}
