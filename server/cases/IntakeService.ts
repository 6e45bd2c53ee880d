import { lockCaseIntake } from './caseNumbers.ts';
import { randomBytes } from 'node:crypto';
import { countRateLimitRefusal } from '../metrics/rateLimit.ts';
import { hashPassword, verifyPassword, type ScryptParams } from '../auth/passwords.ts';
import { memoryWindows } from '../limits/MemoryWindow.ts';
import { type SlidingWindow, type SlidingWindows } from '../limits/SlidingWindow.ts';
import { WorkGate } from '../limits/WorkGate.ts';
import { zh } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, fail, tooManyRequests, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import {
  publicCaseRequest,
  publicQueryRequest,
  type PublicCaseProgress,
  type PublicCaseReceipt,
  type PublicEventKind,
  type PublicQueryCodeSms,
} from '../protocol/cases.ts';
import { insertCase, type LocateCase } from './CaseService.ts';
import { maskPhone } from './masking.ts';
import type { SettingsService } from './SettingsService.ts';
import { listTimeline } from './timeline.ts';
import { disputeTypeOf, lightOf, stateOf } from './views.ts';

/*
 * The public side of intake: a citizen reports a dispute without logging in and gets a case
 * number and a query code; with both they can follow progress. The query code is shown once and
 * stored only as a scrypt hash (like a password: a leaked database does not reveal codes, and
 * guessing offline is slow). Reports are rate-limited per IP; failed queries too, and a wrong
 * code answers exactly like an unknown case number.
 */

/** 32 symbols without 0/O/1/I; 8 of them = 40 bits. Shown as XXXX-XXXX; dashes, spaces and case are ignored. */
const QUERY_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const QUERY_CODE_LENGTH = 8;
/** Lighter than staff passwords (it is checked on every query), still ~50 ms per guess. */
const QUERY_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };

export function newQueryCode(): string {
  const bytes = randomBytes(QUERY_CODE_LENGTH);
  const chars = [...bytes].map((b) => QUERY_ALPHABET[b & 31]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

export function normalizeQueryCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

const NO_MATCH = 'No case matches this case number and query code (案件编号或查询码不正确)';

/** Timeline entries a citizen may see, with their public label. Nothing else leaves (no names, notes, reasons). */
/** The milestones a citizen sees, with the Chinese words kept on the wire for logs and old clients. */
const publicEventZh: Record<PublicEventKind, string> = {
  reported: '已上报',
  registered: '已登记受理',
  accepted: '已受理',
  routed: '已分级分流',
  assigned: '已指派调解员',
  reassigned: '已更换调解员',
  mediation_started: '开始调解',
  session_held: '召开云调解',
  department_joined: '相关部门已报到参与调解',
  escalated: '已提级办理',
  agreement_sealed: '调解协议已签署',
  closed_settled: '调解成功，已结案',
  closed_unsettled: '调解未成，已结案并告知其他解决途径',
  followed_up: '已回访',
  reopened: '重新办理',
};

const publicEventOf: Record<string, (data: Record<string, unknown>) => PublicEventKind> = {
  'case.created': (data) => (data.state === 'registered' ? 'registered' : 'reported'),
  'case.register': () => 'accepted',
  'case.take_on': () => 'assigned',
  'case.grade_and_route': () => 'routed',
  'case.assign': () => 'assigned',
  'case.reassign': () => 'reassigned',
  'case.start_mediation': () => 'mediation_started',
  'session.started': () => 'session_held',
  'whistle.accepted': () => 'department_joined',
  'case.escalate': () => 'escalated',
  'agreement.sealed': () => 'agreement_sealed',
  'case.close_settled': () => 'closed_settled',
  'case.close_unsettled': () => 'closed_unsettled',
  'case.record_follow_up': () => 'followed_up',
  'case.reopen': () => 'reopened',
};

function publicEvent(type: string, data: Record<string, unknown>, at: string): PublicCaseProgress['events'][number] | undefined {
  const kind = Object.hasOwn(publicEventOf, type) ? publicEventOf[type]!(data) : undefined;
  if (!kind) return undefined;
  const unitName = kind === 'routed' && typeof data.unitName === 'string' ? data.unitName : undefined;
  const label = unitName ? `${publicEventZh[kind]}（承办单位：${unitName}）` : publicEventZh[kind];
  return { type, kind, label, ...(unitName ? { unitName } : {}), at };
}

export class IntakeService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #settings: SettingsService;
  readonly #reports: SlidingWindow;
  readonly #failedQueries: SlidingWindow;
  readonly #maxReports: number;
  readonly #dummyHash: Promise<string>;
  readonly #passwordWork: WorkGate;
  readonly #sms: SmsSender;
  readonly #publicUrl: string;
  readonly #smsPerCase: SlidingWindow;
  readonly #locate: LocateCase | undefined;

  constructor(deps: {
    db: Db;
    clock: Clock;
    log: Logger;
    settings: SettingsService;
    /** Sends the query code to the reporter (the same pluggable sender as the signing codes). */
    sms: SmsSender;
    /** Base of the /query link in that message. */
    publicUrl: string;
    /** Public reports per IP per window (default 5 per hour). */
    maxReportsPerIp?: number;
    reportWindowMs?: number;
    /** Failed queries per IP per window (default 10 per 10 minutes). */
    maxFailedQueriesPerIp?: number;
    queryWindowMs?: number;
    /** The process's gate for password hashing (shared with logins). */
    passwordWork?: WorkGate;
    /** Where the limits count (default: in this process; cluster mode: Redis, shared by every node). */
    windows?: SlidingWindows;
    /** Resolves the reporter's point (or grid code) to a grid. */
    locate?: LocateCase;
  }) {
    this.#locate = deps.locate;
    this.#passwordWork = deps.passwordWork ?? new WorkGate(2, 32);
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#settings = deps.settings;
    this.#sms = deps.sms;
    this.#publicUrl = deps.publicUrl;
    const windows = deps.windows ?? memoryWindows(deps.clock);
    this.#smsPerCase = windows({ name: 'query-code-sms-case', max: 3, windowMs: 3_600_000 });
    this.#maxReports = deps.maxReportsPerIp ?? 5;
    this.#reports = windows({ name: 'public-report-ip', max: this.#maxReports, windowMs: deps.reportWindowMs ?? 3_600_000 });
    this.#failedQueries = windows({ name: 'public-query-ip', max: deps.maxFailedQueriesPerIp ?? 10, windowMs: deps.queryWindowMs ?? 600_000 });
    this.#dummyHash = hashPassword('dummy-' + newId(), QUERY_SCRYPT);
    this.#dummyHash.catch(() => undefined);
  }

  /** POST /api/public/cases: a `reported` case, source `online`, no creator. */
  async report(input: unknown, ip: string): Promise<PublicCaseReceipt> {
    // Counted before any work, in one step with the check, so a concurrent burst cannot outrun it.
    const wait = await this.#reports.take(ip);
    if (wait > 0) {
      this.#log.warn('public report rate limited', { ip });
      countRateLimitRefusal('public reports per address');
      const minutes = Math.ceil(wait / 60_000);
      throw tooManyRequests(`Too many reports from this address; try again in ${minutes} minute(s)`, wait, {
        reason: 'public_rate_limited',
        params: { minutes },
      });
    }
    const parsed = publicCaseRequest.safeParse(input);
    if (!parsed.success) {
      await this.#reports.forgive(ip);
      throw badRequest('Invalid input', zodDetails(parsed.error));
    }
    const { location, ...data } = parsed.data;
    const queryCode = newQueryCode();
    const queryCodeHash = await this.#passwordWork
      .run(() => hashPassword(normalizeQueryCode(queryCode), QUERY_SCRYPT))
      .catch(async (error: unknown) => {
        await this.#reports.forgive(ip); // refused as busy: nothing was reported
        throw error;
      });
    const now = this.#clock.now();
    const { id, caseNumber } = await transaction(this.#db, async (tx) => {
      await lockCaseIntake(tx, this.#clock);
      const where = this.#locate ? await this.#locate({ ...data, location }, tx) : {};
      return insertCase(
        tx,
        this.#clock,
        {
          ...data,
          ...where,
          title: data.title || zh.disputeTypes[data.disputeType],
          source: 'online',
          state: 'reported',
          createdById: null,
          leadMediatorId: null,
          queryCodeHash,
        },
        'public',
      );
    });
    this.#log.info('public report', { caseId: id });
    return { caseNumber, queryCode, createdAt: now.toISOString() };
  }

  /** The case for case number + query code, or not_found; failures count against the IP. */
  async #verified(input: unknown, ip: string) {
    // Counted as a failure before the code is checked (in one step with the check); a match takes it back.
    const wait = await this.#failedQueries.take(ip);
    if (wait > 0) {
      countRateLimitRefusal('public failed queries per address');
      const minutes = Math.ceil(wait / 60_000);
      throw tooManyRequests(`Too many failed queries; try again in ${minutes} minute(s)`, wait, { reason: 'public_rate_limited', params: { minutes } });
    }
    const parsed = publicQueryRequest.safeParse(input);
    if (!parsed.success) {
      await this.#failedQueries.forgive(ip);
      throw badRequest('Invalid input', zodDetails(parsed.error));
    }
    const caseNumber = parsed.data.caseNumber.toUpperCase();
    const code = normalizeQueryCode(parsed.data.queryCode);
    const c = await this.#db.case.findUnique({
      where: { caseNumber },
      include: { unit: { select: { name: true } }, parties: { orderBy: { position: 'asc' }, take: 1, select: { phone: true } } },
    });
    // Always one scrypt, so timing does not tell whether the case exists.
    const stored = c?.queryCodeHash ?? (await this.#dummyHash);
    const ok = await this.#passwordWork
      .run(() => verifyPassword(code, stored))
      .catch(async (error: unknown) => {
        await this.#failedQueries.forgive(ip); // refused as busy: not a guess
        throw error;
      });
    if (!c || !c.queryCodeHash || !ok) throw fail('query_no_match', NO_MATCH);
    await this.#failedQueries.forgive(ip);
    return { c, queryCode: `${code.slice(0, 4)}-${code.slice(4)}` };
  }

  /**
   * POST /api/public/cases/sms: the case number and query code by SMS to the reporter's phone (the
   * first party's, given on the form), through the same sender as the signing codes. Proving the
   * code is required; at most a few messages per case per hour.
   */
  async sendQueryCode(input: unknown, ip: string): Promise<PublicQueryCodeSms> {
    const { c, queryCode } = await this.#verified(input, ip);
    const phone = c.parties[0]?.phone ?? '';
    if (phone === '') throw fail('query_code_no_phone', 'No phone number was given for the reporter');
    // Counted in one step with the check, so parallel requests cannot send more than the limit.
    const wait = await this.#smsPerCase.take(c.caseNumber);
    if (wait > 0) {
      countRateLimitRefusal('public query code SMS per case');
      const minutes = Math.ceil(wait / 60_000);
      throw tooManyRequests(`This case's code was sent several times already; try again in ${minutes} minute(s)`, wait, {
        reason: 'public_rate_limited',
        params: { minutes },
      });
    }
    await this.#sms.send({
      phone,
      purpose: 'query_code',
      text: `【云调解】您的纠纷申请已登记。案件编号 ${c.caseNumber}，查询码 ${queryCode}。凭编号和查询码可在 ${this.#publicUrl}/query 查询办理进度，请妥善保存，勿告知他人。`,
    });
    this.#log.info('query code sent by SMS', { caseNumber: c.caseNumber });
    return { sentTo: maskPhone(phone) };
  }

  /** Progress for case number + query code. Unknown number and wrong code look the same. */
  async query(input: unknown, ip: string): Promise<PublicCaseProgress> {
    const { c } = await this.#verified(input, ip);
    // No reset on success: one valid code must not buy fresh guesses at other cases.
    const { ruleSet } = await this.#settings.activeRuleSet();
    const state = stateOf(c);
    const light = lightOf(c, { now: this.#clock.now(), yellowShare: ruleSet.yellowShare });
    const entries = await listTimeline(this.#db, c.id);
    const events: PublicCaseProgress['events'] = [];
    for (const e of entries) {
      const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
      const event = publicEvent(e.type, data, e.at);
      if (event) events.push(event);
    }
    const disputeType = disputeTypeOf(c);
    return {
      caseNumber: c.caseNumber,
      disputeType,
      disputeTypeLabel: zh.disputeTypes[disputeType],
      state,
      stateLabel: zh.states[state],
      light,
      lightLabel: light ? zh.lights[light] : null,
      reportedAt: c.createdAt.toISOString(),
      unitName: c.unit?.name ?? null,
      deadlineAt: c.deadlineAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      events,
    };
  }
}
