import { randomBytes } from 'node:crypto';
import type { CaseGuard } from '../access/CaseGuard.ts';
import { refused } from '../access/CaseGuard.ts';
import type { AgreementHub } from '../agreement/AgreementHub.ts';
import { organisationOf, sha256Hex, verifyUrl, type AgreementService } from '../agreement/AgreementService.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import { SIDE_LABELS, sideCode } from '../agreement/templates.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { lockCase } from '../cases/caseLock.ts';
import { maskName } from '../cases/masking.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, forbidden, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { RecordingInfo } from '../protocol/recording.ts';
import {
  JUDICIAL_CONSENT_TEXTS,
  JUDICIAL_REQUEST_TEXT,
  liveJudicialStatuses,
  type CaseJudicialInfo,
  type CourtInfo,
  type JudicialApplicationView,
  type JudicialLinkInfo,
  type JudicialPartyView,
  type JudicialQueueItem,
  type JudicialQueueQuery,
  type JudicialReviewView,
  type JudicialStatus,
  type StartJudicialResponse,
} from '../protocol/judicial.ts';

export const JUDICIAL_LINK_PREFIX = 'jl_';
/** A party's link stays readable this long after the period (to follow the decision and fetch the ruling). */
const LINK_AFTER_DEADLINE_MS = 180 * 86_400_000;
const DAY_MS = 86_400_000;

export type ApplicationRow = Prisma.JudicialApplicationGetPayload<{ include: { court: true } }>;

/** The party behind a phone link. */
export interface JudicialParty {
  linkId: string;
  applicationId: string;
  partyId: string;
  caseId: string;
  /** The timeline's actor reference. */
  actor: string;
}

/** Which queue statuses each filter shows. */
const queueStatuses: Record<JudicialQueueQuery['status'], JudicialStatus[]> = {
  open: ['submitted'],
  decided: ['confirmed', 'rejected'],
  all: ['submitted', 'confirmed', 'rejected'],
};

/**
 * Judicial confirmation (司法确认) of a sealed agreement: the application (one live one per case,
 * addressed to a court, within JUDICIAL_APPLICATION_DAYS of the agreement's sealing), the parties'
 * phone links, the views for the case, the party and the judge's queue, and the lapse of an
 * application whose period ended before every party confirmed. The parties' confirmations are
 * JudicialConfirmationService's, the decision and the ruling RulingSealer's.
 */
export class JudicialService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #access: CaseGuard;
  readonly #sms: SmsSender;
  readonly agreements: AgreementService;
  readonly hub: AgreementHub;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; access: CaseGuard; agreements: AgreementService; sms: SmsSender }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#access = deps.access;
    this.#sms = deps.sms;
    this.agreements = deps.agreements;
    this.hub = deps.agreements.hub;
  }

  get periodDays(): number {
    return this.#config.judicial.applicationDays;
  }

  async courts(): Promise<CourtInfo[]> {
    const rows = await this.#db.unit.findMany({ where: { kind: 'court', active: true }, orderBy: { name: 'asc' } });
    return rows.map((u) => ({ id: u.id, name: u.name, level: u.level }));
  }

  async getRow(applicationId: string): Promise<ApplicationRow> {
    const row = await this.#db.judicialApplication.findUnique({ where: { id: applicationId }, include: { court: true } });
    if (!row) throw notFound('Judicial application');
    return row;
  }

  /** The case's sealed agreement and its statutory period (null until sealed). */
  async #sealed(caseId: string) {
    const doc = await this.#db.agreementDocument.findFirst({ where: { caseId }, orderBy: { sealedAt: 'desc' } });
    if (!doc) return null;
    return { doc, effectiveAt: doc.sealedAt, deadlineAt: new Date(doc.sealedAt.getTime() + this.periodDays * DAY_MS) };
  }

  /** A judge acts only on applications addressed to their own court (the case rule lets any court holding one of the case's applications read it). */
  async assertOwnCourt(staff: StaffPrincipal, app: { courtUnitId: string }, action: 'judicial.review' | 'judicial.decide'): Promise<void> {
    if (staff.role === 'admin') return;
    const actor = await this.#access.actor(staff);
    if (staff.role !== 'judge' || actor.unitId !== app.courtUnitId) throw refused(action);
  }

  // ---- starting ------------------------------------------------------------------------------

  async start(caseId: string, staff: StaffPrincipal, courtUnitId: string): Promise<StartJudicialResponse> {
    const court = await this.#db.unit.findUnique({ where: { id: courtUnitId } });
    if (!court || court.kind !== 'court' || !court.active) throw fail('judicial_not_a_court', 'Choose an active court unit');
    const sealed = await this.#sealed(caseId);
    if (!sealed) throw fail('judicial_agreement_not_sealed', 'The agreement has not been sealed yet');
    const now = this.#clock.now();
    if (now.getTime() > sealed.deadlineAt.getTime()) {
      throw fail('judicial_period_over', 'The statutory period to apply is over', { deadline: sealed.deadlineAt.toISOString() });
    }
    const id = newId();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      await this.lapseOverdue(tx, caseId, now);
      const live = await tx.judicialApplication.findFirst({ where: { caseId, status: { in: [...liveJudicialStatuses] } } });
      if (live) throw fail('judicial_application_exists', 'The case already has a live application', { status: live.status });
      await tx.judicialApplication.create({
        data: {
          id,
          caseId,
          agreementId: sealed.doc.agreementId,
          courtUnitId,
          status: 'collecting',
          effectiveAt: sealed.effectiveAt,
          deadlineAt: sealed.deadlineAt,
          createdById: staff.userId,
          createdAt: now,
          updatedAt: now,
        },
      });
      await appendTimeline(tx, {
        caseId,
        type: 'judicial.applied',
        actor: `user:${staff.userId}`,
        at: now,
        data: { applicationId: id, courtUnitId, court: court.name, agreementSha256: sealed.doc.sha256, deadlineAt: sealed.deadlineAt.toISOString() },
      });
    });
    this.#log.info('judicial application started', { applicationId: id, caseId, courtUnitId });
    const links = await this.#newLinks(id, now);
    this.hub.publish(caseId);
    return { application: await this.view(id), links };
  }

  /** New phone links for the collecting application (earlier ones revoked), each also sent by SMS. */
  async createLinks(applicationId: string): Promise<JudicialLinkInfo[]> {
    const app = await this.getRow(applicationId);
    if (app.status !== 'collecting') throw fail('judicial_not_collecting', 'The parties no longer confirm this application', { status: app.status });
    return this.#newLinks(applicationId, this.#clock.now());
  }

  async #newLinks(applicationId: string, now: Date): Promise<JudicialLinkInfo[]> {
    const app = await this.getRow(applicationId);
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: app.caseId }, select: { caseNumber: true } });
    const parties = await this.#db.party.findMany({ where: { caseId: app.caseId }, orderBy: { position: 'asc' } });
    const expiresAt = new Date(app.deadlineAt.getTime() + LINK_AFTER_DEADLINE_MS);
    const out: JudicialLinkInfo[] = [];
    await this.#db.judicialApplicationLink.updateMany({ where: { applicationId, revokedAt: null }, data: { revokedAt: now } });
    for (const p of parties) {
      const token = JUDICIAL_LINK_PREFIX + randomBytes(32).toString('base64url');
      await this.#db.judicialApplicationLink.create({
        data: { id: newId(), applicationId, partyId: p.id, tokenHash: sha256Hex(token), createdAt: now, expiresAt },
      });
      const url = `${this.#config.publicUrl}/judicial#t=${token}`;
      out.push({ partyId: p.id, name: p.name, side: sideCode(p.side), url, expiresAt: expiresAt.toISOString() });
      await this.#sms.send({
        phone: p.phone,
        purpose: 'judicial_application',
        text: `【云调解】案号${kase.caseNumber}的调解协议将向${app.court.name}申请司法确认，请于${shortDate(app.deadlineAt)}前打开链接确认申请：${url}`,
      });
    }
    return out;
  }

  // ---- the party's link ----------------------------------------------------------------------

  async resolveParty(token: string | undefined): Promise<JudicialParty> {
    if (!token || !token.startsWith(JUDICIAL_LINK_PREFIX)) throw fail('judicial_link_invalid', 'A judicial application link is required');
    const link = await this.#db.judicialApplicationLink.findUnique({ where: { tokenHash: sha256Hex(token) } });
    if (!link || link.revokedAt || link.expiresAt.getTime() <= this.#clock.now().getTime()) {
      throw fail('judicial_link_invalid', 'This application link is not valid (expired or revoked)');
    }
    const app = await this.#db.judicialApplication.findUnique({ where: { id: link.applicationId }, select: { caseId: true } });
    if (!app) throw fail('judicial_link_invalid', 'This application link is not valid');
    return { linkId: link.id, applicationId: link.applicationId, partyId: link.partyId, caseId: app.caseId, actor: `judicial-link:${link.id}` };
  }

  async partyView(party: JudicialParty): Promise<JudicialPartyView> {
    await this.lapseIfOver(party.applicationId);
    const application = await this.view(party.applicationId);
    const p = await this.agreements.partyOf(party.partyId);
    const mine = application.parties.find((x) => x.partyId === party.partyId);
    const a = await this.agreements.view(application.agreement.id);
    const now = this.#clock.now().getTime();
    return {
      application,
      agreementContent: { title: a.revision.content.title, facts: a.revision.content.facts, clauses: a.revision.content.clauses },
      me: { partyId: p.id, name: p.name, side: p.sideCode, phoneMasked: p.phoneMasked },
      myConfirmation: { status: mine?.status ?? 'pending', at: mine?.at ?? null },
      canConfirm: application.status === 'collecting' && mine?.status === 'pending' && now <= Date.parse(application.deadlineAt),
      requestTexts: { ...JUDICIAL_REQUEST_TEXT },
      consentTexts: { ...JUDICIAL_CONSENT_TEXTS },
    };
  }

  /** The ruling's reader: staff who read the case, or a party link of this application. */
  async assertRulingReader(token: string | undefined, applicationId: string): Promise<void> {
    const app = await this.getRow(applicationId);
    if (token?.startsWith(JUDICIAL_LINK_PREFIX)) {
      const party = await this.resolveParty(token);
      if (party.applicationId !== applicationId) throw forbidden('This link is for another application');
      return;
    }
    const actor = await this.agreements.resolveActor(token);
    if (actor.kind !== 'staff') throw forbidden('The ruling is for staff who read the case and the parties (their application link)');
    await this.agreements.assertCanRead(actor, app.caseId);
  }

  // ---- lapse ---------------------------------------------------------------------------------

  /** A collecting application past its period lapses (judicial.lapsed); true when it is lapsed now. */
  async lapseIfOver(applicationId: string): Promise<boolean> {
    const app = await this.getRow(applicationId);
    if (app.status === 'lapsed') return true;
    const now = this.#clock.now();
    if (app.status !== 'collecting' || now.getTime() <= app.deadlineAt.getTime()) return false;
    const lapsed = await transaction(this.#db, async (tx) => {
      await lockCase(tx, app.caseId);
      return this.lapseOverdue(tx, app.caseId, now);
    });
    if (lapsed > 0) this.hub.publish(app.caseId);
    return true;
  }

  /** Inside a transaction holding the case lock: every collecting application of the case past its deadline lapses. */
  async lapseOverdue(tx: Prisma.TransactionClient, caseId: string, now: Date): Promise<number> {
    const overdue = await tx.judicialApplication.findMany({ where: { caseId, status: 'collecting', deadlineAt: { lt: now } } });
    for (const app of overdue) {
      await tx.judicialApplication.update({ where: { id: app.id }, data: { status: 'lapsed', updatedAt: now } });
      await appendTimeline(tx, {
        caseId,
        type: 'judicial.lapsed',
        actor: 'system',
        at: now,
        data: { applicationId: app.id, deadlineAt: app.deadlineAt.toISOString() },
      });
      this.#log.info('judicial application lapsed', { applicationId: app.id });
    }
    return overdue.length;
  }

  // ---- views ---------------------------------------------------------------------------------

  async caseInfo(caseId: string): Promise<CaseJudicialInfo> {
    const collecting = await this.#db.judicialApplication.findMany({ where: { caseId, status: 'collecting' }, select: { id: true } });
    for (const a of collecting) await this.lapseIfOver(a.id);
    const rows = await this.#db.judicialApplication.findMany({ where: { caseId }, orderBy: { createdAt: 'desc' }, select: { id: true, status: true } });
    const sealed = await this.#sealed(caseId);
    const now = this.#clock.now().getTime();
    const live = rows.some((r) => (liveJudicialStatuses as readonly string[]).includes(r.status));
    return {
      caseId,
      period: sealed ? { effectiveAt: sealed.effectiveAt.toISOString(), deadlineAt: sealed.deadlineAt.toISOString(), days: this.periodDays } : null,
      canApply: sealed !== null && now <= sealed.deadlineAt.getTime() && !live,
      applications: await Promise.all(rows.map((r) => this.view(r.id))),
    };
  }

  async view(applicationId: string): Promise<JudicialApplicationView> {
    const app = await this.getRow(applicationId);
    const [kase, doc, agreement, parties, confirmations, judge, ruling] = await Promise.all([
      this.#db.case.findUniqueOrThrow({ where: { id: app.caseId }, select: { caseNumber: true } }),
      this.#db.agreementDocument.findUniqueOrThrow({ where: { agreementId: app.agreementId } }),
      this.agreements.view(app.agreementId),
      this.#db.party.findMany({ where: { caseId: app.caseId }, orderBy: { position: 'asc' } }),
      this.#db.judicialApplicationConfirmation.findMany({ where: { applicationId }, select: { partyId: true, at: true } }),
      app.judgeId ? this.#db.user.findUnique({ where: { id: app.judgeId }, select: { id: true, displayName: true } }) : null,
      this.#db.judicialRuling.findUnique({ where: { applicationId } }),
    ]);
    const decided = app.status === 'confirmed' || app.status === 'rejected';
    return {
      id: app.id,
      caseId: app.caseId,
      caseNumber: kase.caseNumber,
      status: app.status as JudicialStatus,
      court: { id: app.court.id, name: app.court.name, level: app.court.level },
      agreement: {
        id: app.agreementId,
        caseNumber: kase.caseNumber,
        title: agreement.revision.content.title,
        sha256: doc.sha256,
        verificationCode: doc.verificationCode,
        sealedAt: doc.sealedAt.toISOString(),
      },
      effectiveAt: app.effectiveAt.toISOString(),
      deadlineAt: app.deadlineAt.toISOString(),
      createdAt: app.createdAt.toISOString(),
      submittedAt: app.submittedAt?.toISOString() ?? null,
      parties: parties.map((p) => {
        const c = confirmations.find((x) => x.partyId === p.id);
        return { partyId: p.id, side: sideCode(p.side), name: maskName(p.name), status: c ? 'confirmed' : 'pending', at: c?.at.toISOString() ?? null };
      }),
      judge: judge ? { id: judge.id, name: judge.displayName } : null,
      decidedAt: app.decidedAt?.toISOString() ?? null,
      decision: decided ? (app.status as 'confirmed' | 'rejected') : null,
      decisionReasons: decided ? app.decisionReasons : null,
      ruling: ruling
        ? {
            id: ruling.id,
            decision: ruling.decision as 'confirmed' | 'rejected',
            number: ruling.number,
            sha256: ruling.sha256,
            size: ruling.size,
            verificationCode: ruling.verificationCode,
            verifyUrl: verifyUrl(this.#config, ruling.verificationCode),
            downloadUrl: `/api/judicial/applications/${app.id}/ruling.pdf`,
            sealedAt: ruling.sealedAt.toISOString(),
          }
        : null,
    };
  }

  /** The judge's queue: their court's applications, oldest submitted first. */
  async queue(staff: StaffPrincipal, filter: JudicialQueueQuery['status']): Promise<JudicialQueueItem[]> {
    const actor = await this.#access.actor(staff);
    if (!actor.unitId) return [];
    const rows = await this.#db.judicialApplication.findMany({
      where: { courtUnitId: actor.unitId, status: { in: queueStatuses[filter] } },
      orderBy: [{ submittedAt: 'asc' }, { id: 'asc' }],
      include: { case: { select: { title: true, disputeType: true } } },
    });
    return Promise.all(rows.map(async (r) => ({ application: await this.view(r.id), caseTitle: r.case.title, disputeType: r.case.disputeType })));
  }

  /** Everything the judge reviews: the application, the sealed agreement, the case's sealed records and its recordings. */
  async review(applicationId: string, staff: StaffPrincipal, recordings: (caseId: string) => Promise<RecordingInfo[]>): Promise<JudicialReviewView> {
    const app = await this.getRow(applicationId);
    await this.assertOwnCourt(staff, app, 'judicial.review');
    const [application, agreement, kase, records, recs] = await Promise.all([
      this.view(applicationId),
      this.agreements.view(app.agreementId),
      this.#db.case.findUniqueOrThrow({ where: { id: app.caseId }, select: { title: true, disputeType: true } }),
      this.#db.mediationRecordDocument.findMany({ where: { caseId: app.caseId }, orderBy: { sealedAt: 'asc' } }),
      recordings(app.caseId),
    ]);
    const sessions = await this.#db.mediationRecord.findMany({ where: { id: { in: records.map((r) => r.recordId) } }, select: { id: true, sessionId: true } });
    return {
      application,
      caseTitle: kase.title,
      disputeType: kase.disputeType,
      agreement,
      agreementPdfUrl: `/api/agreements/${app.agreementId}/document`,
      records: records.map((r) => ({
        id: r.recordId,
        sessionId: sessions.find((x) => x.id === r.recordId)?.sessionId ?? '',
        number: r.number,
        sha256: r.sha256,
        sealedAt: r.sealedAt.toISOString(),
        pdfUrl: `/api/records/${r.recordId}/document`,
        verifyUrl: verifyUrl(this.#config, r.verificationCode),
      })),
      recordings: recs,
      canDecide: app.status === 'submitted' && app.sealingDocId === null,
    };
  }

  /** The organisation that mediated (its name is on the agreement), as the ruling names it. */
  async organisationOfCase(caseId: string): Promise<string> {
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: caseId }, include: { unit: true } });
    return organisationOf(kase.unit, this.#config);
  }

  /** Tells every party of the case by SMS (best effort: the change is committed). */
  async smsParties(caseId: string, text: (caseNumber: string) => string, purpose: string): Promise<void> {
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: caseId }, select: { caseNumber: true, parties: true } });
    for (const p of kase.parties) {
      await this.#sms
        .send({ phone: p.phone, purpose, text: text(kase.caseNumber) })
        .catch((err: unknown) => this.#log.warn('judicial SMS failed', { caseId, err }));
    }
  }

  /** The side words of a party, for the ruling. */
  sideWord(side: string): string {
    return SIDE_LABELS[side] ?? side;
  }
}

/** 2026年4月1日 (Beijing time) for SMS texts. */
export function shortDate(d: Date): string {
  const p = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(d);
  const v = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${v('year')}年${v('month')}月${v('day')}日`;
}
