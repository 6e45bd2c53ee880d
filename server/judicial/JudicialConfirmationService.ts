import { sha256Hex } from '../agreement/AgreementService.ts';
import { assertOtpSendable, newOtpCode, OTP_MAX_ATTEMPTS, OTP_TTL_MS, oneHourBefore, otpHash, spendOtp, type OtpStore } from '../agreement/otp.ts';
import { assertImageUnused, signatureImage } from '../agreement/signatureImage.ts';
import type { RequestMeta } from '../agreement/SigningService.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import { lockCase } from '../cases/caseLock.ts';
import { maskPhone } from '../cases/masking.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { JUDICIAL_CONSENT_TEXTS, type JudicialConfirmRequest, type JudicialOtpResponse, type JudicialPartyView } from '../protocol/judicial.ts';
import type { JudicialParty, JudicialService } from './JudicialService.ts';

const OTP_PURPOSE = 'cm-judicial-otp' as const;

/** What a confirmation transaction ended with (refusals that must commit first come back as values). */
type Outcome = { kind: 'over'; deadline: Date } | { kind: 'wrong'; attemptsLeft: number } | { kind: 'confirmed'; submitted: boolean };

/**
 * Each party confirms the joint application on their phone with the agreement's signing steps:
 * consent, a one-time code to the phone on the case (otp.ts) and a drawn signature
 * (signatureImage.ts). Written under the case lock after the application is read again there; the
 * confirmation that completes the parties submits the application (submitted, judicial.submitted)
 * in the same transaction, so of two last confirmations at once exactly one submits. A
 * confirmation after the period is refused (judicial_period_over) and the application lapses.
 */
export class JudicialConfirmationService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #judicial: JudicialService;
  readonly #sms: SmsSender;

  constructor(deps: { db: Db; clock: Clock; log: Logger; judicial: JudicialService; sms: SmsSender }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#judicial = deps.judicial;
    this.#sms = deps.sms;
  }

  /** Refuses unless the application is collecting, within its period, and this party has not confirmed (asked again under the lock). */
  async #confirmable(db: Db | Prisma.TransactionClient, party: JudicialParty, now: Date) {
    const app = await db.judicialApplication.findUniqueOrThrow({ where: { id: party.applicationId }, include: { court: true } });
    if (app.status === 'lapsed' || (app.status === 'collecting' && now.getTime() > app.deadlineAt.getTime())) return { app, over: true as const };
    if (app.status !== 'collecting') throw fail('judicial_not_collecting', 'The parties no longer confirm this application', { status: app.status });
    const done = await db.judicialApplicationConfirmation.findUnique({
      where: { applicationId_partyId: { applicationId: app.id, partyId: party.partyId } },
      select: { id: true },
    });
    if (done) throw fail('judicial_already_confirmed', 'You have already confirmed this application');
    return { app, over: false as const };
  }

  async #refuseIfOver(party: JudicialParty, now: Date) {
    const c = await this.#confirmable(this.#db, party, now);
    if (c.over) {
      await this.#judicial.lapseIfOver(party.applicationId);
      throw fail('judicial_period_over', 'The statutory period to apply is over', { deadline: c.app.deadlineAt.toISOString() });
    }
    return c.app;
  }

  async requestOtp(party: JudicialParty): Promise<JudicialOtpResponse> {
    const now = this.#clock.now();
    const app = await this.#refuseIfOver(party, now);
    const p = await this.#db.party.findUniqueOrThrow({ where: { id: party.partyId } });
    const code = newOtpCode();
    const id = newId();
    const expiresAt = new Date(now.getTime() + OTP_TTL_MS);
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, party.caseId);
      const c = await this.#confirmable(tx, party, now);
      if (c.over) throw fail('judicial_period_over', 'The statutory period to apply is over', { deadline: c.app.deadlineAt.toISOString() });
      const recent = await tx.judicialApplicationOtp.findMany({
        where: { applicationId: app.id, partyId: party.partyId, createdAt: { gt: oneHourBefore(now) } },
        orderBy: { createdAt: 'desc' },
      });
      assertOtpSendable(recent, now);
      await tx.judicialApplicationOtp.updateMany({ where: { applicationId: app.id, partyId: party.partyId, consumedAt: null }, data: { consumedAt: now } });
      await tx.judicialApplicationOtp.create({
        data: { id, applicationId: app.id, partyId: party.partyId, codeHash: otpHash(OTP_PURPOSE, id, app.id, code), createdAt: now, expiresAt },
      });
    });
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: party.caseId }, select: { caseNumber: true } });
    await this.#sms.send({
      phone: p.phone,
      purpose: 'judicial_confirmation',
      text: `【云调解】您正在确认向${app.court.name}申请司法确认调解协议（案号${kase.caseNumber}），验证码${code}，10分钟内有效。如非本人操作请忽略，切勿告诉他人。`,
    });
    return { sentTo: maskPhone(p.phone), expiresAt: expiresAt.toISOString() };
  }

  async confirm(party: JudicialParty, input: JudicialConfirmRequest, meta: RequestMeta): Promise<JudicialPartyView> {
    const now = this.#clock.now();
    await this.#refuseIfOver(party, now);
    const { png, sha } = await signatureImage(this.#db, input.signaturePng);
    const p = await this.#db.party.findUniqueOrThrow({ where: { id: party.partyId } });
    const consentTextSha256 = sha256Hex(JUDICIAL_CONSENT_TEXTS[input.consentLang]);
    const outcome = await transaction(this.#db, async (tx): Promise<Outcome> => {
      await lockCase(tx, party.caseId);
      const c = await this.#confirmable(tx, party, now);
      if (c.over) {
        await this.#judicial.lapseOverdue(tx, party.caseId, now);
        return { kind: 'over', deadline: c.app.deadlineAt };
      }
      await assertImageUnused(tx, sha);
      const wrong = await spendOtp(this.#otpStore(tx, party, now), OTP_PURPOSE, party.applicationId, input.code, now);
      if (wrong) return { kind: 'wrong', attemptsLeft: wrong.attemptsLeft };
      await tx.judicialApplicationConfirmation.create({
        data: {
          id: newId(),
          applicationId: party.applicationId,
          partyId: party.partyId,
          side: p.side,
          signerName: p.name,
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
        caseId: party.caseId,
        type: 'judicial.party_confirmed',
        actor: party.actor,
        at: now,
        data: { applicationId: party.applicationId, partyId: party.partyId, side: p.side, imageSha256: sha, consentTextSha256, identityMethod: 'sms_otp' },
      });
      return { kind: 'confirmed', submitted: await this.#submitIfComplete(tx, party, now) };
    });
    if (outcome.kind === 'over') {
      this.#judicial.hub.publish(party.caseId);
      throw fail('judicial_period_over', 'The statutory period to apply is over', { deadline: outcome.deadline.toISOString() });
    }
    if (outcome.kind === 'wrong')
      throw fail('otp_wrong', 'Wrong code', { attemptsLeft: outcome.attemptsLeft }, { code: `Wrong code (${outcome.attemptsLeft} attempts left)` });
    this.#log.info('judicial application confirmed by party', { applicationId: party.applicationId, partyId: party.partyId, submitted: outcome.submitted });
    this.#judicial.hub.publish(party.caseId);
    if (outcome.submitted) {
      const app = await this.#judicial.getRow(party.applicationId);
      await this.#judicial.smsParties(
        party.caseId,
        (caseNumber) => `【云调解】案号${caseNumber}的调解协议司法确认申请已由全体当事人确认，已提交${app.court.name}审查。`,
        'judicial_submitted',
      );
    }
    return this.#judicial.partyView(party);
  }

  /** Every party of the case has confirmed: the application goes to the court's queue (once: the move is conditional on collecting). */
  async #submitIfComplete(tx: Prisma.TransactionClient, party: JudicialParty, now: Date): Promise<boolean> {
    const [parties, confirmed] = await Promise.all([
      tx.party.findMany({ where: { caseId: party.caseId }, select: { id: true } }),
      tx.judicialApplicationConfirmation.findMany({ where: { applicationId: party.applicationId }, select: { partyId: true } }),
    ]);
    if (!parties.every((p) => confirmed.some((c) => c.partyId === p.id))) return false;
    const moved = await tx.judicialApplication.updateMany({
      where: { id: party.applicationId, status: 'collecting' },
      data: { status: 'submitted', submittedAt: now, updatedAt: now },
    });
    if (moved.count !== 1) return false;
    const app = await tx.judicialApplication.findUniqueOrThrow({ where: { id: party.applicationId }, select: { courtUnitId: true } });
    await appendTimeline(tx, {
      caseId: party.caseId,
      type: 'judicial.submitted',
      actor: 'system',
      at: now,
      data: { applicationId: party.applicationId, courtUnitId: app.courtUnitId, parties: parties.length },
    });
    return true;
  }

  #otpStore(tx: Prisma.TransactionClient, party: JudicialParty, now: Date): OtpStore {
    const { applicationId, partyId } = party;
    return {
      latest: () => tx.judicialApplicationOtp.findFirst({ where: { applicationId, partyId, consumedAt: null }, orderBy: { createdAt: 'desc' } }),
      countAttempt: async (id) =>
        (
          await tx.judicialApplicationOtp.updateMany({
            where: { id, consumedAt: null, attempts: { lt: OTP_MAX_ATTEMPTS } },
            data: { attempts: { increment: 1 } },
          })
        ).count,
      consume: async (id) => (await tx.judicialApplicationOtp.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } })).count,
    };
  }
}
