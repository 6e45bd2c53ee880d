import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { maskPhone } from '../cases/masking.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import {
  RECORD_CONSENT_TEXTS,
  type RecordConfirmRequest,
  type RecordObjectRequest,
  type RecordOtpResponse,
  type RecordStaffSignRequest,
  type RecordView,
} from '../protocol/mediationRecord.ts';
import { sha256Hex, type AgreementActor } from '../agreement/AgreementService.ts';
import { checkCode } from '../agreement/canonical.ts';
import { signerRoleLabels } from '../protocol/agreement.ts';
import { assertOtpSendable, newOtpCode, OTP_MAX_ATTEMPTS, OTP_TTL_MS, oneHourBefore, otpHash, spendOtp, type OtpStore } from '../agreement/otp.ts';
import { assertImageUnused, signatureImage } from '../agreement/signatureImage.ts';
import type { RequestMeta } from '../agreement/SigningService.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import type { MediationRecordService } from './MediationRecordService.ts';
import type { RecordSealer } from './RecordSealer.ts';
import { callerKey, type RecordSignatory } from './signatories.ts';

const OTP_PURPOSE = 'cm-record-otp' as const;

/** What a signatory's answer stores besides the row's identity: the signature or the objection. */
type Answer =
  | { action: 'confirmed'; png: Buffer; sha: string; consentTextSha256: string; identityMethod: RecordSignatory['method'] }
  | { action: 'objected'; objection: string };

/**
 * Each signatory (server/mediationRecord/signatories.ts) reads the record in the room and confirms
 * it with the agreement's signing steps (consent, a drawn signature; a party also a one-time code
 * to their phone) or, when they may, writes an objection, which is kept and printed in the record.
 * Every answer is written under the case lock after the record and the answers are read again
 * there; when every signatory has answered, the record is sealed (RecordSealer claims it once).
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

  /** The caller, who may read the record: their key among the signatories (checked by #answerable). */
  async #caller(recordId: string, actor: AgreementActor): Promise<{ key: string; caseId: string }> {
    const r = await this.#records.getRow(recordId);
    await this.#records.assertCanRead(actor, r);
    const key = callerKey(actor);
    if (!key) throw fail('record_not_signatory', 'Only a signatory of this record confirms it');
    return { key, caseId: r.caseId };
  }

  /** The record is put to its signatories with this hash, the caller is one, and has not answered yet (asked again under the lock). */
  async #answerable(db: Db | Prisma.TransactionClient, recordId: string, key: string, hash: string) {
    const r = await db.mediationRecord.findUniqueOrThrow({ where: { id: recordId } });
    if (r.status === 'sealed') throw fail('record_sealed', 'The mediation record has been sealed');
    if (r.status !== 'confirming') throw fail('record_not_confirming', 'The record has not been put to its signatories for confirmation');
    if (r.frozenHash !== hash) throw fail('record_text_changed', 'The record has changed; read it again before confirming');
    const signatory = (await this.#records.signatories(r)).find((x) => x.key === key);
    if (!signatory) throw fail('record_not_signatory', 'Only a signatory of this record confirms it');
    const done = await db.mediationRecordConfirmation.findUnique({
      where: { recordId_revisionHash_signatory: { recordId, revisionHash: hash, signatory: key } },
    });
    if (done) throw fail('record_already_answered', 'You have already confirmed this record or objected to it');
    return { r, signatory };
  }

  /** A party's one-time code, to the phone on the case. */
  async requestOtp(recordId: string, actor: AgreementActor, hash: string): Promise<RecordOtpResponse> {
    const { key, caseId } = await this.#caller(recordId, actor);
    const { r, signatory } = await this.#answerable(this.#db, recordId, key, hash);
    if (signatory.method !== 'sms_otp' || !signatory.partyId) throw fail('record_not_signatory', 'A one-time code is sent to a party only');
    const partyId = signatory.partyId;
    const party = await this.#db.party.findUniqueOrThrow({ where: { id: partyId } });
    const now = this.#clock.now();
    const code = newOtpCode();
    const id = newId();
    const expiresAt = new Date(now.getTime() + OTP_TTL_MS);
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      await this.#answerable(tx, recordId, key, hash);
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

  /** An invitation holder confirms: a party with the one-time code, an official with their invitation (it carries no phone). */
  async confirm(recordId: string, actor: AgreementActor, input: RecordConfirmRequest, meta: RequestMeta): Promise<RecordView> {
    const { key, caseId } = await this.#caller(recordId, actor);
    if (actor.kind !== 'invitation') throw fail('record_not_signatory', 'Staff confirm the record with their staff login (POST /api/records/:recordId/sign)');
    const { signatory } = await this.#answerable(this.#db, recordId, key, input.revisionHash);
    if (signatory.method === 'sms_otp' && !input.code) throw fail('record_code_required', 'Enter the code sent to your phone');
    const { png, sha } = await signatureImage(this.#db, input.signaturePng);
    const answer: Answer = {
      action: 'confirmed',
      png,
      sha,
      consentTextSha256: sha256Hex(RECORD_CONSENT_TEXTS[input.consentLang]),
      identityMethod: signatory.method,
    };
    const now = this.#clock.now();
    // As the agreement's signing: the attempt is counted (and committed, also when wrong) before the code is compared.
    const wrong = await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const { r: cur, signatory: s } = await this.#answerable(tx, recordId, key, input.revisionHash);
      await assertImageUnused(tx, sha);
      if (s.method === 'sms_otp') {
        const bad = await this.#spendCode(tx, recordId, s.partyId!, input.revisionHash, input.code!, now);
        if (bad) return bad;
      }
      await this.#write(tx, cur, s, actor.actor, answer, meta, now);
      return null;
    });
    if (wrong) throw fail('otp_wrong', 'Wrong code', { attemptsLeft: wrong.attemptsLeft }, { code: `Wrong code (${wrong.attemptsLeft} attempts left)` });
    this.#log.info('record confirmed', { recordId, signatory: key });
    return this.#afterAnswer(recordId, caseId, actor);
  }

  /** The mediator or the recorder confirms with their staff login (see signatories.ts for why no code). */
  async staffSign(recordId: string, staff: StaffPrincipal, input: RecordStaffSignRequest, meta: RequestMeta): Promise<RecordView> {
    const actor: AgreementActor = { kind: 'staff', staff, actor: `user:${staff.userId}` };
    const { key, caseId } = await this.#caller(recordId, actor);
    const { signatory } = await this.#answerable(this.#db, recordId, key, input.revisionHash);
    if (signatory.method !== 'staff_login') throw fail('record_not_signatory', 'Only the mediator and the recorder sign with a staff login');
    const { png, sha } = await signatureImage(this.#db, input.signaturePng);
    const answer: Answer = {
      action: 'confirmed',
      png,
      sha,
      consentTextSha256: sha256Hex(RECORD_CONSENT_TEXTS[input.consentLang]),
      identityMethod: 'staff_login',
    };
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const { r: cur, signatory: s } = await this.#answerable(tx, recordId, key, input.revisionHash);
      await assertImageUnused(tx, sha);
      await this.#write(tx, cur, s, actor.actor, answer, meta, now);
    });
    this.#log.info('record confirmed', { recordId, signatory: key });
    return this.#afterAnswer(recordId, caseId, actor);
  }

  async object(recordId: string, actor: AgreementActor, input: RecordObjectRequest, meta: RequestMeta): Promise<RecordView> {
    const { key, caseId } = await this.#caller(recordId, actor);
    const { signatory } = await this.#answerable(this.#db, recordId, key, input.revisionHash);
    if (!signatory.mayObject) throw fail('record_no_objection', 'The mediator and the recorder wrote the record; they change it instead of objecting');
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const { r: cur, signatory: s } = await this.#answerable(tx, recordId, key, input.revisionHash);
      await this.#write(tx, cur, s, actor.actor, { action: 'objected', objection: input.objection }, meta, now);
    });
    return this.#afterAnswer(recordId, caseId, actor);
  }

  /** Counts the attempt and compares the code (otp.ts spendOtp); a wrong one comes back with the attempts left (the count is kept). */
  #spendCode(tx: Prisma.TransactionClient, recordId: string, partyId: string, hash: string, code: string, now: Date) {
    const store: OtpStore = {
      latest: () => tx.mediationRecordOtp.findFirst({ where: { recordId, partyId, revisionHash: hash, consumedAt: null }, orderBy: { createdAt: 'desc' } }),
      countAttempt: async (id) =>
        (await tx.mediationRecordOtp.updateMany({ where: { id, consumedAt: null, attempts: { lt: OTP_MAX_ATTEMPTS } }, data: { attempts: { increment: 1 } } }))
          .count,
      consume: async (id) => (await tx.mediationRecordOtp.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } })).count,
    };
    return spendOtp(store, OTP_PURPOSE, hash, code, now);
  }

  /** The answer's row (unique per signatory and hash: a second answer fails even past the checks) and its timeline entry. */
  async #write(
    tx: Prisma.TransactionClient,
    cur: { id: string; caseId: string; frozenRev: number | null; frozenHash: string | null },
    s: RecordSignatory,
    actor: string,
    answer: Answer,
    meta: RequestMeta,
    now: Date,
  ): Promise<void> {
    const hash = cur.frozenHash!;
    await tx.mediationRecordConfirmation.create({
      data: {
        id: newId(),
        recordId: cur.id,
        revision: cur.frozenRev!,
        revisionHash: hash,
        signatory: s.key,
        role: s.role,
        partyId: s.partyId,
        action: answer.action,
        actor,
        signerName: s.name,
        side: s.partyId ? signerRoleLabels[s.role] : null,
        ...(answer.action === 'confirmed'
          ? {
              imagePng: new Uint8Array(answer.png),
              imageSha256: answer.sha,
              consentTextSha256: answer.consentTextSha256,
              identityMethod: answer.identityMethod,
            }
          : { objection: answer.objection, identityMethod: s.method }),
        ip: meta.ip,
        userAgent: meta.userAgent.slice(0, 400),
        at: now,
      },
    });
    const common = { recordId: cur.id, signatory: s.key, role: s.role, revision: cur.frozenRev, revisionHash: hash };
    await appendTimeline(tx, {
      caseId: cur.caseId,
      type: answer.action === 'confirmed' ? 'record.confirmed' : 'record.objected',
      actor,
      at: now,
      data:
        answer.action === 'confirmed'
          ? { ...common, imageSha256: answer.sha, consentTextSha256: answer.consentTextSha256, identityMethod: answer.identityMethod }
          : { ...common, objectionSha256: sha256Hex(answer.objection) },
    });
  }

  /** Publishes the change and, once every signatory has answered, seals (the sealer's claim lets one run through). */
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
