import { randomBytes } from 'node:crypto';
import type { StaffPrincipal } from '../auth/principals.ts';
import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, forbidden, notFound, tooManyRequests } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import {
  CONSENT_TEXTS,
  type AgreementView,
  type OtpResponse,
  type PartySignRequest,
  type RefuseRequest,
  type SigningLinkInfo,
  type SigningView,
  type StaffSignRequest,
} from '../protocol/agreement.ts';
import { sha256Hex, SIGNING_LINK_PREFIX, type AgreementActor, type AgreementService } from './AgreementService.ts';
import { checkCode } from './canonical.ts';
import type { Finaliser } from './Finaliser.ts';
import { assertOtpSendable, newOtpCode, OTP_MAX_ATTEMPTS, OTP_RESEND_MS, OTP_TTL_MS, oneHourBefore, otpHash, otpMatches } from './otp.ts';
import { assertImageUnused, signatureImage } from './signatureImage.ts';
import type { SmsSender } from './sms/SmsSender.ts';

export { OTP_MAX_ATTEMPTS, OTP_MAX_PER_HOUR, OTP_RESEND_MS, OTP_TTL_MS } from './otp.ts';
export const SIGNING_LINK_TTL_MS = 7 * 86_400_000;

export interface RequestMeta {
  ip: string;
  userAgent: string;
}

/** The code's hash binds it to its row, its purpose and the revision hash it was issued for (otp.ts). */
const OTP_PURPOSE = 'cm-agreement-otp' as const;

/**
 * Writes a signature row and its `agreement.signed` timeline entry (inside the signing transaction).
 * A party's entry names the party and side; a staff signature names the user on the row only.
 */
async function recordSignature(
  tx: Prisma.TransactionClient,
  s: {
    agreementId: string;
    caseId: string;
    revision: number;
    revisionHash: string;
    kind: string;
    signer: { partyId: string } | { userId: string };
    actor: string;
    signerName: string;
    side: string | null;
    png: Buffer;
    sha: string;
    consentText: string;
    identityMethod: 'sms_otp' | 'staff_login';
    meta: RequestMeta;
    at: Date;
  },
): Promise<void> {
  const consentTextSha256 = sha256Hex(s.consentText);
  await tx.agreementSignature.create({
    data: {
      id: newId(),
      agreementId: s.agreementId,
      revision: s.revision,
      revisionHash: s.revisionHash,
      kind: s.kind,
      action: 'signed',
      ...s.signer,
      actor: s.actor,
      signerName: s.signerName,
      side: s.side,
      imagePng: new Uint8Array(s.png),
      imageSha256: s.sha,
      consentTextSha256,
      identityMethod: s.identityMethod,
      ip: s.meta.ip,
      userAgent: s.meta.userAgent.slice(0, 400),
      at: s.at,
    },
  });
  await appendTimeline(tx, {
    caseId: s.caseId,
    type: 'agreement.signed',
    actor: s.actor,
    at: s.at,
    data: {
      agreementId: s.agreementId,
      kind: s.kind,
      ...('partyId' in s.signer ? { partyId: s.signer.partyId, side: s.side } : {}),
      revision: s.revision,
      revisionHash: s.revisionHash,
      imageSha256: s.sha,
      consentTextSha256,
      identityMethod: s.identityMethod,
    },
  });
}

export class SigningService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #agreements: AgreementService;
  readonly #finaliser: Finaliser;
  readonly #sms: SmsSender;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; agreements: AgreementService; finaliser: Finaliser; sms: SmsSender }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#agreements = deps.agreements;
    this.#finaliser = deps.finaliser;
    this.#sms = deps.sms;
  }

  // ---- signing links ------------------------------------------------------------------------

  async createLinks(agreementId: string, staff: StaffPrincipal): Promise<SigningLinkInfo[]> {
    const a = await this.#agreements.getRow(agreementId);
    await this.#agreements.assertCase(staff, 'agreement.links', a.caseId);
    if (a.status === 'sealed') throw fail('agreement_sealed', 'The agreement has been sealed');
    const parties = await this.#db.party.findMany({ where: { caseId: a.caseId }, orderBy: { position: 'asc' } });
    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + SIGNING_LINK_TTL_MS);
    const out: SigningLinkInfo[] = [];
    for (const p of parties) {
      const token = SIGNING_LINK_PREFIX + randomBytes(32).toString('base64url');
      await this.#db.agreementSigningLink.create({
        data: { id: newId(), agreementId, partyId: p.id, tokenHash: sha256Hex(token), createdAt: now, expiresAt },
      });
      const party = await this.#agreements.partyOf(p.id);
      out.push({ partyId: p.id, name: p.name, side: party.sideCode, url: `${this.#config.publicUrl}/sign#t=${token}`, expiresAt: expiresAt.toISOString() });
    }
    return out;
  }

  // ---- the party's signing page -------------------------------------------------------------

  /** The party behind a token: a signing link, or a party invitation of a session of the case. */
  async #partyActor(actor: AgreementActor): Promise<{ partyId: string; agreementId: string }> {
    if (actor.kind === 'staff') throw fail('sign_staff_not_party', 'Staff sign with POST /api/agreements/:id/sign, not as a party');
    if (actor.kind === 'invitation') {
      if (actor.invitation.role === 'official') throw fail('sign_official_not_party', 'An official cannot sign as a party');
      if (actor.invitation.role !== 'party' || !actor.partyId) throw forbidden('Only a party of the case can sign here');
      const a = await this.#agreements.forCase(actor.caseId);
      if (!a) throw fail('agreement_none', 'There is no agreement for this case yet');
      return { partyId: actor.partyId, agreementId: a.id };
    }
    return { partyId: actor.partyId, agreementId: actor.agreementId };
  }

  async signingView(actor: AgreementActor): Promise<SigningView> {
    const { partyId, agreementId } = await this.#partyActor(actor);
    const agreement = await this.#agreements.view(agreementId);
    const party = await this.#agreements.partyOf(partyId);
    const myStatus = agreement.signers.find((s) => s.kind === 'party' && s.partyId === partyId) ?? null;
    return {
      agreement,
      me: { partyId, name: party.name, side: party.sideCode, phoneMasked: party.phoneMasked },
      myStatus,
      canSign: agreement.status === 'signing' && myStatus?.status === 'pending',
      consentTexts: CONSENT_TEXTS,
    };
  }

  /**
   * Checks the party may act on this revision now; returns the agreement row. Asked first without
   * a lock (to refuse early), then again inside the writing transaction, after the case lock.
   */
  async #checkParty(actor: AgreementActor, partyId: string, hash: string) {
    const me = await this.#partyActor(actor);
    if (partyId !== me.partyId) throw fail('sign_self_only', 'A party can only sign for themselves, not for another party');
    return this.#signable(this.#db, me.agreementId, partyId, hash);
  }

  async #signable(db: Db | Prisma.TransactionClient, agreementId: string, partyId: string, hash: string) {
    const a = await db.agreement.findUnique({ where: { id: agreementId } });
    if (!a) throw notFound('Agreement');
    if (a.status === 'sealed') throw fail('agreement_sealed', 'The agreement has already been sealed');
    if (a.status !== 'signing' || a.frozenHash !== hash) {
      throw fail('agreement_text_changed', 'This is not the revision frozen for signing (the text has changed); reload and read it again');
    }
    const existing = await db.agreementSignature.findFirst({
      where: { agreementId: a.id, revision: a.frozenRev!, revisionHash: hash, partyId, cancelledAt: null },
    });
    if (existing)
      throw existing.action === 'refused'
        ? fail('sign_already_refused', 'You have refused to sign this revision')
        : fail('sign_already_signed', 'You have already signed this revision');
    return a;
  }

  async requestOtp(actor: AgreementActor, partyId: string, hash: string): Promise<OtpResponse> {
    const a = await this.#checkParty(actor, partyId, hash);
    const party = await this.#agreements.partyOf(partyId);
    const now = this.#clock.now();
    const code = newOtpCode();
    const id = newId();
    const expiresAt = new Date(now.getTime() + OTP_TTL_MS);
    // The codes already sent are the limit's counter: counted under the case lock, in one step with
    // the new code, so parallel requests cannot send more than the limit.
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, a.caseId);
      await this.#signable(tx, a.id, partyId, hash);
      const recent = await tx.agreementOtp.findMany({
        where: { agreementId: a.id, partyId, createdAt: { gt: oneHourBefore(now) } },
        orderBy: { createdAt: 'desc' },
      });
      assertOtpSendable(recent, now);
      // A new code replaces the earlier ones for this party.
      await tx.agreementOtp.updateMany({ where: { agreementId: a.id, partyId, consumedAt: null }, data: { consumedAt: now } });
      await tx.agreementOtp.create({
        data: { id, agreementId: a.id, partyId, revisionHash: hash, codeHash: otpHash(OTP_PURPOSE, id, hash, code), createdAt: now, expiresAt },
      });
    });
    const view = await this.#agreements.view(a.id);
    await this.#sms.send({
      phone: party.phone,
      purpose: 'agreement_signing',
      text: `【云调解】您正在签署调解协议（案号${view.caseNumber}，第${a.frozenRev}版，核对码${checkCode(hash)}），验证码${code}，10分钟内有效。如非本人操作请忽略，切勿告诉他人。`,
    });
    this.#log.info('signing code sent', { agreementId: a.id, partyId });
    return { sentTo: party.phoneMasked, expiresAt: expiresAt.toISOString() };
  }

  async sign(actor: AgreementActor, input: PartySignRequest, meta: RequestMeta): Promise<AgreementView> {
    const a = await this.#checkParty(actor, input.partyId, input.revisionHash);
    const { png, sha } = await signatureImage(this.#db, input.signaturePng);
    const party = await this.#agreements.partyOf(input.partyId);
    const now = this.#clock.now();
    const consentText = CONSENT_TEXTS[input.consentLang];

    // One transaction under the case lock: the attempt is counted (and committed, also when the code
    // is wrong) before the code is compared, so parallel guesses cannot get past the limit.
    const wrong = await transaction(this.#db, async (tx) => {
      await lockCase(tx, a.caseId);
      const cur = await this.#signable(tx, a.id, input.partyId, input.revisionHash);
      await assertImageUnused(tx, sha);
      // The code: latest unconsumed one for this party AND this revision hash.
      const otp = await tx.agreementOtp.findFirst({
        where: { agreementId: a.id, partyId: input.partyId, revisionHash: input.revisionHash, consumedAt: null },
        orderBy: { createdAt: 'desc' },
      });
      if (!otp || otp.expiresAt.getTime() <= now.getTime())
        throw fail('otp_expired', 'The code has expired or was not requested for this text; request a new code', {}, { code: 'Expired' });
      const counted = await tx.agreementOtp.updateMany({
        where: { id: otp.id, consumedAt: null, attempts: { lt: OTP_MAX_ATTEMPTS } },
        data: { attempts: { increment: 1 } },
      });
      if (counted.count !== 1) throw tooManyRequests('Too many wrong codes; request a new code', OTP_RESEND_MS, { reason: 'otp_locked' });
      const attempts = otp.attempts + 1;
      if (!otpMatches(OTP_PURPOSE, otp, input.revisionHash, input.code)) {
        if (attempts >= OTP_MAX_ATTEMPTS) await tx.agreementOtp.update({ where: { id: otp.id }, data: { consumedAt: now } });
        return { attemptsLeft: OTP_MAX_ATTEMPTS - attempts };
      }
      const used = await tx.agreementOtp.updateMany({ where: { id: otp.id, consumedAt: null }, data: { consumedAt: now } });
      if (used.count !== 1) throw fail('otp_used', 'The code was already used; request a new code');
      await recordSignature(tx, {
        agreementId: a.id,
        caseId: a.caseId,
        revision: cur.frozenRev!,
        revisionHash: input.revisionHash,
        kind: 'party',
        signer: { partyId: input.partyId },
        actor: actor.actor,
        signerName: party.name,
        side: party.side,
        png,
        sha,
        consentText,
        identityMethod: 'sms_otp',
        meta,
        at: now,
      });
      return null;
    });
    if (wrong) {
      const { attemptsLeft } = wrong;
      throw fail('otp_wrong', 'Wrong code', { attemptsLeft }, { code: `Wrong code (${attemptsLeft} attempts left)` });
    }
    this.#log.info('agreement signed by party', { agreementId: a.id, partyId: input.partyId });
    return this.#afterSigning(a.id, a.caseId);
  }

  async refuse(actor: AgreementActor, input: RefuseRequest, meta: RequestMeta): Promise<AgreementView> {
    const a = await this.#checkParty(actor, input.partyId, input.revisionHash);
    const party = await this.#agreements.partyOf(input.partyId);
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, a.caseId);
      const cur = await this.#signable(tx, a.id, input.partyId, input.revisionHash);
      await tx.agreementSignature.create({
        data: {
          id: newId(),
          agreementId: a.id,
          revision: cur.frozenRev!,
          revisionHash: input.revisionHash,
          kind: 'party',
          action: 'refused',
          partyId: input.partyId,
          actor: actor.actor,
          signerName: party.name,
          side: party.side,
          refusalReason: input.reason,
          identityMethod: actor.kind === 'signing-link' ? 'signing_link' : 'invitation',
          ip: meta.ip,
          userAgent: meta.userAgent.slice(0, 400),
          at: now,
        },
      });
      await appendTimeline(tx, {
        caseId: a.caseId,
        type: 'agreement.refused',
        actor: actor.actor,
        at: now,
        data: { agreementId: a.id, partyId: input.partyId, side: party.side, revision: cur.frozenRev, revisionHash: input.revisionHash, reason: input.reason },
      });
    });
    this.#agreements.hub.publish(a.caseId);
    return this.#agreements.view(a.id);
  }

  // ---- staff: the mediator, and an official as witness ---------------------------------------

  async staffSign(agreementId: string, input: StaffSignRequest, staff: StaffPrincipal, meta: RequestMeta): Promise<AgreementView> {
    const a = await this.#agreements.getRow(agreementId);
    if (input.as === 'party') {
      throw staff.role === 'official'
        ? fail('sign_official_not_party', 'An official cannot sign as a party')
        : fail('sign_staff_not_party', 'Staff cannot sign as a party');
    }
    if (input.as === 'mediator' && staff.role !== 'mediator') throw fail('agreement_mediator_only', 'Only the mediator of this case signs as mediator');
    if (input.as === 'witness' && staff.role !== 'official') throw fail('sign_witness_official_only', 'Only an official may sign as a witness');
    // The responsible mediator, or an official called in to this case (an accepted whistle).
    await this.#agreements.assertCase(staff, 'agreement.sign', a.caseId);
    if (a.status === 'sealed') throw fail('agreement_sealed', 'The agreement has already been sealed');
    if (a.status !== 'signing' || a.frozenHash !== input.revisionHash) throw fail('agreement_text_changed', 'This is not the revision frozen for signing');
    const view = await this.#agreements.view(agreementId);
    const mine = view.signers.find((s) => s.kind === input.as);
    if (mine && mine.status !== 'pending') throw fail('sign_already_signed', `The ${input.as} has already signed this revision`);
    if (a.signingOrder === 'parties_first') {
      const waiting = view.signers.filter((s) => s.kind === 'party' && s.status !== 'signed');
      if (waiting.length > 0) {
        const names = waiting.map((s) => s.name).join('、');
        throw fail('sign_parties_first', `The parties sign first; waiting for: ${names}`, { names });
      }
    }
    const { png, sha } = await signatureImage(this.#db, input.signaturePng);
    const now = this.#clock.now();
    const consentText = CONSENT_TEXTS[input.consentLang];
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, a.caseId);
      const cur = await tx.agreement.findUniqueOrThrow({ where: { id: a.id } });
      if (cur.status === 'sealed') throw fail('agreement_sealed', 'The agreement has already been sealed');
      if (cur.status !== 'signing' || cur.frozenHash !== input.revisionHash) throw fail('agreement_text_changed', 'The text changed; reload');
      await assertImageUnused(tx, sha);
      const dup = await tx.agreementSignature.findFirst({
        where: { agreementId: a.id, revision: cur.frozenRev!, revisionHash: input.revisionHash, kind: input.as, cancelledAt: null },
      });
      if (dup) throw fail('sign_already_signed', `The ${input.as} has already signed this revision`);
      await recordSignature(tx, {
        agreementId: a.id,
        caseId: a.caseId,
        revision: cur.frozenRev!,
        revisionHash: input.revisionHash,
        kind: input.as,
        signer: { userId: staff.userId },
        actor: `user:${staff.userId}`,
        signerName: staff.displayName,
        side: input.as === 'witness' ? staff.department : null,
        png,
        sha,
        consentText,
        identityMethod: 'staff_login',
        meta,
        at: now,
      });
    });
    return this.#afterSigning(a.id, a.caseId);
  }

  /** Publishes the change and, when the last required signature came in, finalises. */
  async #afterSigning(agreementId: string, caseId: string): Promise<AgreementView> {
    this.#agreements.hub.publish(caseId);
    if ((await this.#finaliser.completeness(agreementId)).complete) {
      try {
        await this.#finaliser.finalise(agreementId);
      } catch (err) {
        this.#log.error('agreement finalisation failed (retry with POST /api/agreements/:id/finalise)', { agreementId, err });
      }
    }
    return this.#agreements.view(agreementId);
  }
}
