import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256Hex, verifyUrl } from '../agreement/AgreementService.ts';
import { newVerificationCode, writeDurably } from '../agreement/Finaliser.ts';
import { findCjkFonts } from '../agreement/fonts.ts';
import { sealPdf } from '../agreement/seal.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { zonedParts } from '../caseloop/zonedTime.ts';
import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, fieldFail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { JudicialApplicationView, JudicialDecision } from '../protocol/judicial.ts';
import type { CourtSeals } from './courtSeals.ts';
import type { JudicialService } from './JudicialService.ts';
import { renderRulingPdf } from './renderRuling.ts';

export const RULINGS_DIR = 'rulings';

/** Where a sealed ruling's file lives (the verification reads it too). */
export const rulingFilePath = (dataDir: string, rulingId: string): string => path.join(dataDir, RULINGS_DIR, `${rulingId}.pdf`);

const DECISION_WORDS: Record<JudicialDecision, string> = { confirmed: '确认调解协议有效', rejected: '驳回申请' };

/** (2026)示范民特3号: the year, the court's short name, 民特 (special procedure), the court's count of rulings that year. */
function rulingNumber(year: string, courtName: string, n: number): string {
  const short = [...courtName.replace(/人民法院$/, '')].slice(0, 2).join('');
  return `(${year})${short}民特${n}号`;
}

/**
 * The judge's decision and its ruling (民事裁定书), in the record sealer's steps: claim the
 * application under the case lock (status submitted, no claim yet: one decision wins, a second at
 * once is 409 judicial_already_decided) → render → seal with the COURT's key (courtSeals.ts) →
 * write the file durably → ONE transaction moving it to confirmed/rejected while the claim holds,
 * with the ruling row and judicial.decided on the timeline. A failed run removes its file and
 * releases the claim, so the judge decides again.
 */
export class RulingSealer {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #judicial: JudicialService;
  readonly #seals: CourtSeals;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; judicial: JudicialService; seals: CourtSeals }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#judicial = deps.judicial;
    this.#seals = deps.seals;
  }

  get dir(): string {
    return path.join(this.#config.dataDir, RULINGS_DIR);
  }

  async decide(applicationId: string, judge: StaffPrincipal, input: { decision: JudicialDecision; reasons: string }): Promise<JudicialApplicationView> {
    const app = await this.#judicial.getRow(applicationId);
    await this.#judicial.assertOwnCourt(judge, app, 'judicial.decide');
    const decided = (status: string) => fail('judicial_already_decided', 'The application has already been decided', { status });
    if (app.status === 'confirmed' || app.status === 'rejected') throw decided(app.status);
    if (app.status !== 'submitted') throw fail('judicial_not_submitted', 'The application is not awaiting a decision', { status: app.status });
    const reasons = input.reasons.trim();
    if (input.decision === 'rejected' && reasons.length < 2) throw fieldFail('reasons', 'judicial_reasons_required', 'A rejection needs its reasons');

    const rulingId = newId();
    const claimed = await transaction(this.#db, async (tx) => {
      await lockCase(tx, app.caseId);
      const moved = await tx.judicialApplication.updateMany({
        where: { id: applicationId, status: 'submitted', sealingDocId: null },
        data: { sealingDocId: rulingId, judgeId: judge.userId },
      });
      return moved.count === 1 ? null : (await tx.judicialApplication.findUniqueOrThrow({ where: { id: applicationId }, select: { status: true } })).status;
    });
    if (claimed !== null) throw decided(claimed);

    const final = rulingFilePath(this.#config.dataDir, rulingId);
    let committed = false;
    try {
      const decidedAt = this.#clock.now();
      const [kase, doc, agreement, confirmations, parties] = await Promise.all([
        this.#db.case.findUniqueOrThrow({ where: { id: app.caseId }, select: { caseNumber: true, chainHash: true } }),
        this.#db.agreementDocument.findUniqueOrThrow({ where: { agreementId: app.agreementId } }),
        this.#judicial.agreements.view(app.agreementId),
        this.#db.judicialApplicationConfirmation.findMany({ where: { applicationId } }),
        this.#db.party.findMany({ where: { caseId: app.caseId }, orderBy: { position: 'asc' } }),
      ]);
      const applicants = parties.flatMap((p) => {
        const c = confirmations.find((x) => x.partyId === p.id);
        return c ? [{ name: c.signerName, side: this.#judicial.sideWord(c.side), confirmedAt: c.at, ip: c.ip }] : [];
      });
      const year = zonedParts(decidedAt, 'Asia/Shanghai').year ?? String(decidedAt.getUTCFullYear());
      const courtApps = await this.#db.judicialApplication.findMany({ where: { courtUnitId: app.courtUnitId }, select: { id: true } });
      const before = await this.#db.judicialRuling.count({ where: { applicationId: { in: courtApps.map((a) => a.id) }, number: { startsWith: `(${year})` } } });
      const number = rulingNumber(year, app.court.name, before + 1);
      const verificationCode = newVerificationCode();
      const key = await this.#seals.key(app.court);
      const rendered = await renderRulingPdf({
        fonts: findCjkFonts(this.#config.agreementFont),
        rulingId,
        courtName: app.court.name,
        number,
        decision: input.decision,
        reasons,
        applicants,
        submittedAt: app.submittedAt ?? decidedAt,
        agreement: {
          caseNumber: kase.caseNumber,
          organisation: agreement.revision.content.organisation || (await this.#judicial.organisationOfCase(app.caseId)),
          sealedAt: doc.sealedAt,
          sha256: doc.sha256,
          clauses: agreement.revision.content.clauses,
        },
        judgeName: judge.displayName,
        decidedAt,
        certificate: {
          caseNumber: kase.caseNumber,
          revisionHash: doc.sha256,
          events: [
            ...applicants.map((a) => ({ signer: a.name, role: '申请人', at: a.confirmedAt, ip: a.ip, method: '短信验证码 + 手写签名（确认申请）' })),
            { signer: judge.displayName, role: '审判员', at: decidedAt, ip: '—', method: `法院工作人员账号登录（${DECISION_WORDS[input.decision]}）` },
          ],
          timelineHash: kase.chainHash,
          verificationCode,
          verifyUrl: verifyUrl(this.#config, verificationCode),
          document: { title: '民事裁定书', hashLabel: '调解协议书文件哈希', number },
        },
        seal: { name: key.signerName, location: app.court.name, contactInfo: this.#config.publicUrl },
      });
      const sealed = await sealPdf(rendered, key, decidedAt);
      const sha256 = sha256Hex(sealed);
      await writeDurably(this.dir, final, sealed);
      const events = [
        ...applicants.map((a) => ({ name: a.name, role: '申请人', at: a.confirmedAt.toISOString(), method: 'sms_otp+handwritten' })),
        { name: judge.displayName, role: '审判员', at: decidedAt.toISOString(), method: `staff_login+${input.decision}` },
      ];
      await transaction(this.#db, async (tx) => {
        await lockCase(tx, app.caseId);
        const moved = await tx.judicialApplication.updateMany({
          where: { id: applicationId, status: 'submitted', sealingDocId: rulingId },
          data: { status: input.decision, decidedAt, decisionReasons: reasons || null, updatedAt: decidedAt },
        });
        if (moved.count !== 1) throw decided('submitted');
        await tx.judicialRuling.create({
          data: {
            id: rulingId,
            applicationId,
            caseId: app.caseId,
            decision: input.decision,
            number,
            sha256,
            size: sealed.length,
            verificationCode,
            events: JSON.stringify(events),
            sealedAt: decidedAt,
          },
        });
        await appendTimeline(tx, {
          caseId: app.caseId,
          type: 'judicial.decided',
          actor: `user:${judge.userId}`,
          at: decidedAt,
          data: { applicationId, rulingId, decision: input.decision, number, sha256, size: sealed.length, courtUnitId: app.courtUnitId },
        });
      });
      committed = true;
      this.#log.info('judicial ruling sealed', { applicationId, rulingId, decision: input.decision, sha256 });
    } finally {
      if (!committed) {
        await fs.rm(final, { force: true }).catch((err: unknown) => this.#log.warn('could not remove an unsealed ruling file', { final, err }));
        await transaction(this.#db, async (tx) => {
          await lockCase(tx, app.caseId);
          await tx.judicialApplication.updateMany({ where: { id: applicationId, sealingDocId: rulingId, status: 'submitted' }, data: { sealingDocId: null } });
        }).catch((err: unknown) => this.#log.warn('could not release the ruling claim', { applicationId, err }));
      }
    }
    this.#judicial.hub.publish(app.caseId);
    const view = await this.#judicial.view(applicationId);
    await this.#judicial.smsParties(
      app.caseId,
      (caseNumber) =>
        `【云调解】${app.court.name}已就案号${caseNumber}的司法确认申请作出民事裁定（${view.ruling?.number ?? ''}，${DECISION_WORDS[input.decision]}），可凭验证码${view.ruling?.verificationCode ?? ''}在线核验。`,
      'judicial_decided',
    );
    return view;
  }

  async rulingFile(applicationId: string): Promise<{ path: string; sha256: string; number: string; size: number }> {
    const r = await this.#db.judicialRuling.findUnique({ where: { applicationId } });
    if (!r) throw fail('judicial_no_ruling', 'No ruling has been made on this application yet');
    return { path: rulingFilePath(this.#config.dataDir, r.id), sha256: r.sha256, number: r.number, size: r.size };
  }

  /**
   * At startup, a single node only (in a cluster another node may be sealing now): the files of
   * rulings that never committed (a crash between the file and the row) are removed and their
   * claims released, so the judge can decide again.
   */
  async recover(): Promise<void> {
    if (this.#config.cluster) return;
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(this.dir)) {
      const id = name.slice(0, name.indexOf('.'));
      if (await this.#db.judicialRuling.findUnique({ where: { id }, select: { id: true } })) continue;
      await fs.rm(path.join(this.dir, name), { force: true });
      this.#log.warn('ruling recovery removed an incomplete file', { name });
    }
    for (const a of await this.#db.judicialApplication.findMany({ where: { status: 'submitted', sealingDocId: { not: null } } })) {
      await this.#db.judicialApplication.updateMany({ where: { id: a.id, sealingDocId: a.sealingDocId, status: 'submitted' }, data: { sealingDocId: null } });
      this.#log.warn('ruling recovery released an unfinished decision', { applicationId: a.id });
    }
  }
}
