import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, forbidden, tooManyRequests } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { maskPhone } from '../cases/masking.ts';
import {
  RECORD_CONSENT_TEXTS,
  type RecordConfirmRequest,
  type RecordObjectRequest,
  type RecordOtpResponse,
  type RecordView,
} from '../protocol/mediationRecord.ts';
import { sha256Hex, type AgreementActor } from '../agreement/AgreementService.ts';
import { checkCode } from '../agreement/canonical.ts';
import { assertOtpSendable, newOtpCode, OTP_MAX_ATTEMPTS, OTP_RESEND_MS, OTP_TTL_MS, oneHourBefore, otpHash, otpMatches } from '../agreement/otp.ts';
import { assertImageUnused, signatureImage } from '../agreement/signatureImage.ts';
import type { RequestMeta } from '../agreement/SigningService.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import { SIDE_LABELS } from '../agreement/templates.ts';
import type { MediationRecordService } from './MediationRecordService.ts';
import type { RecordSealer } from './RecordSealer.ts';

const OTP_PURPOSE = 'cm-record-otp' as const;

/**
 * Each party reads the record in the room and confirms it with the agreement's signing steps
 * (consent, a one-time code to their phone, a drawn signature) or writes an objection, which is
 * kept and printed in the record. When every party has answered, the record is sealed.
 */
export class RecordConfirmationService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #records: MediationRecordService;
  readonly #sealer: RecordSealer;
  readonly #sms: SmsSender;

  constructor(deps: { db: Db; clock: Clock; log: Logger; records: MediationRecordService; sealer: RecordSealer; sms: SmsSender }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#records = deps.records;
    this.#sealer = deps.sealer;
    this.#sms = deps.sms;
  }

  /** The party behind an invitation of this record's session. */
  async #party(recordId: string, actor: AgreementActor): Promise<{ partyId: string; caseId: string; record: { caseId: string; sessionId: string } }> {
    const r = await this.#records.getRow(recordId);
    await this.#records.assertCanRead(actor, r);
    if (actor.kind !== 'invitation' || actor.invitation.role !== 'party' || !actor.partyId)
      throw fail('record_party_only', 'Only a party of the case confirms the record');
    if (actor.invitation.sessionId !== r.sessionId) throw forbidden('This invitation is for another session');
    return { partyId: actor.partyId, caseId: r.caseId, record: r };
  }

  /** The record is put to the parties with this hash, and this party has not answered yet (asked again under the lock). */
  async #answerable(db: Db | Prisma.TransactionClient, recordId: string, partyId: string, hash: string) {
    const r = await db.mediationRecord.findUniqueOrThrow({ where: { id: recordId } });
    if (r.status === 'sealed') throw fail('record_sealed', 'The mediation record has been sealed');
    if (r.status !== 'confirming') throw fail('record_not_confirming', 'The record has not been put to the parties for confirmation');
    if (r.frozenHash !== hash) throw fail('record_text_changed', 'The record has changed; read it again before confirming');
    const parties = await this.#records.confirmingParties(r);
    if (!parties.some((p) => p.id === partyId)) throw fail('record_party_only', 'Only a party of the session confirms the record');
    const done = await db.mediationRecordConfirmation.findUnique({ where: { recordId_revisionHash_partyId: { recordId, revisionHash: hash, partyId } } });
    if (done) throw fail('record_already_answered', 'You have already confirmed this record or objected to it');
    return r;
  }

  async requestOtp(recordId: string, actor: AgreementActor, hash: string): Promise<RecordOtpResponse> {
    const { partyId, caseId } = await this.#party(recordId, actor);
    const r = await this.#answerable(this.#db, recordId, partyId, hash);
    const party = await this.#db.party.findUniqueOrThrow({ where: { id: partyId } });
    const now = this.#clock.now();
    const code = newOtpCode();
    const id = newId();
    const expiresAt = new Date(now.getTime() + OTP_TTL_MS);
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      await this.#answerable(tx, recordId, partyId, hash);
      const recent = await tx.mediationRecordOtp.findMany({
        where: { recordId, partyId, createdAt: { gt: oneHourBefore(now) } },
        orderBy: { createdAt: 'desc' },
      });
      assertOtpSendable(recent, now);
      await tx.mediationRecordOtp.updateMany({ where: { recordId, partyId, consumedAt: null }, data: { consumedAt: now } });
      await tx.mediationRecordOtp.create({
        data: { id, recordId, partyId, revisionHash: hash, codeHash: otpHash(OTP_PURPOSE, id, hash, code), createdAt: now, expiresAt },
      });
    });
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: caseId }, select: { caseNumber: true } });
    await this.#sms.send({
      phone: party.phone,
      purpose: 'record_confirmation',
      text: `【云调解】您正在确认调解笔录（案号${kase.caseNumber}，第${r.frozenRev}版，核对码${checkCode(hash)}），验证码${code}，10分钟内有效。如非本人操作请忽略，切勿告诉他人。`,
    });
    return { sentTo: maskPhone(party.phone), expiresAt: expiresAt.toISOString() };
  }

  async confirm(recordId: string, actor: AgreementActor, input: RecordConfirmRequest, meta: RequestMeta): Promise<RecordView> {
    const { partyId, caseId } = await this.#party(recordId, actor);
    await this.#answerable(this.#db, recordId, partyId, input.revisionHash);
    const { png, sha } = await signatureImage(this.#db, input.signaturePng);
    const party = await this.#db.party.findUniqueOrThrow({ where: { id: partyId } });
    const now = this.#clock.now();
    const consentTextSha256 = sha256Hex(RECORD_CONSENT_TEXTS[input.consentLang]);
    // As the agreement's signing: the attempt is counted (and committed, also when wrong) before the code is compared.
    const wrong = await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const cur = await this.#answerable(tx, recordId, partyId, input.revisionHash);
      await assertImageUnused(tx, sha);
      const otp = await tx.mediationRecordOtp.findFirst({
        where: { recordId, partyId, revisionHash: input.revisionHash, consumedAt: null },
        orderBy: { createdAt: 'desc' },
      });
      if (!otp || otp.expiresAt.getTime() <= now.getTime())
        throw fail('otp_expired', 'The code has expired or was not requested for this text; request a new code', {}, { code: 'Expired' });
      const counted = await tx.mediationRecordOtp.updateMany({
        where: { id: otp.id, consumedAt: null, attempts: { lt: OTP_MAX_ATTEMPTS } },
        data: { attempts: { increment: 1 } },
      });
      if (counted.count !== 1) throw tooManyRequests('Too many wrong codes; request a new code', OTP_RESEND_MS, { reason: 'otp_locked' });
      const attempts = otp.attempts + 1;
      if (!otpMatches(OTP_PURPOSE, otp, input.revisionHash, input.code)) {
        if (attempts >= OTP_MAX_ATTEMPTS) await tx.mediationRecordOtp.update({ where: { id: otp.id }, data: { consumedAt: now } });
        return { attemptsLeft: OTP_MAX_ATTEMPTS - attempts };
      }
      const used = await tx.mediationRecordOtp.updateMany({ where: { id: otp.id, consumedAt: null }, data: { consumedAt: now } });
      if (used.count !== 1) throw fail('otp_used', 'The code was already used; request a new code');
      await tx.mediationRecordConfirmation.create({
        data: {
          id: newId(),
          recordId,
          revision: cur.frozenRev!,
          revisionHash: input.revisionHash,
          partyId,
          action: 'confirmed',
          actor: actor.actor,
          signerName: party.name,
          side: SIDE_LABELS[party.side] ?? party.side,
          imagePng: new Uint8Array(png),
          imageSha256: sha,
          consentTextSha256,
          identityMethod: 'sms_otp',
          ip: meta.ip,
          userAgent: meta.userAgent.slice(0, 400),
          at: now,
        },
      });
      await appendTimeline(tx, {
        caseId,
        type: 'record.confirmed',
        actor: actor.actor,
        at: now,
        data: { recordId, partyId, revision: cur.frozenRev, revisionHash: input.revisionHash, imageSha256: sha, consentTextSha256, identityMethod: 'sms_otp' },
      });
      return null;
    });
    if (wrong) throw fail('otp_wrong', 'Wrong code', { attemptsLeft: wrong.attemptsLeft }, { code: `Wrong code (${wrong.attemptsLeft} attempts left)` });
    this.#log.info('record confirmed by party', { recordId, partyId });
    return this.#afterAnswer(recordId, caseId, actor);
  }

  async object(recordId: string, actor: AgreementActor, input: RecordObjectRequest, meta: RequestMeta): Promise<RecordView> {
    const { partyId, caseId } = await this.#party(recordId, actor);
    await this.#answerable(this.#db, recordId, partyId, input.revisionHash);
    const party = await this.#db.party.findUniqueOrThrow({ where: { id: partyId } });
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const cur = await this.#answerable(tx, recordId, partyId, input.revisionHash);
      await tx.mediationRecordConfirmation.create({
        data: {
          id: newId(),
          recordId,
          revision: cur.frozenRev!,
          revisionHash: input.revisionHash,
          partyId,
          action: 'objected',
          actor: actor.actor,
          signerName: party.name,
          side: SIDE_LABELS[party.side] ?? party.side,
          objection: input.objection,
          identityMethod: 'invitation',
          ip: meta.ip,
          userAgent: meta.userAgent.slice(0, 400),
          at: now,
        },
      });
      await appendTimeline(tx, {
        caseId,
        type: 'record.objected',
        actor: actor.actor,
        at: now,
        data: { recordId, partyId, revision: cur.frozenRev, revisionHash: input.revisionHash, objectionSha256: sha256Hex(input.objection) },
      });
    });
    return this.#afterAnswer(recordId, caseId, actor);
  }

  /** Publishes the change and, once every party has answered, seals. */
  async #afterAnswer(recordId: string, caseId: string, actor: AgreementActor): Promise<RecordView> {
    this.#records.hub.publish(caseId);
    if (await this.#sealer.complete(recordId)) {
      try {
        await this.#sealer.finalise(recordId);
      } catch (err) {
        this.#log.error('record sealing failed (retry with POST /api/records/:id/finalise)', { recordId, err });
      }
    }
    return this.#records.view(recordId, actor);
  }
}
