import { randomBytes } from 'node:crypto';
import { FailureLimiter } from '../auth/AuthService.ts';
import { hashPassword, verifyPassword, type ScryptParams } from '../auth/passwords.ts';
import { zh } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { AppError, badRequest, fail, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { publicCaseRequest, publicQueryRequest, type PublicCaseProgress, type PublicCaseReceipt, type PublicEventKind } from '../protocol/cases.ts';
import { insertCase, TX_OPTIONS } from './CaseService.ts';
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
  readonly #reports: FailureLimiter;
  readonly #failedQueries: FailureLimiter;
  readonly #maxReports: number;
  readonly #dummyHash: Promise<string>;

  constructor(deps: {
    db: Db;
    clock: Clock;
    log: Logger;
    settings: SettingsService;
    /** Public reports per IP per window (default 5 per hour). */
    maxReportsPerIp?: number;
    reportWindowMs?: number;
    /** Failed queries per IP per window (default 10 per 10 minutes). */
    maxFailedQueriesPerIp?: number;
    queryWindowMs?: number;
  }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#settings = deps.settings;
    this.#maxReports = deps.maxReportsPerIp ?? 5;
    this.#reports = new FailureLimiter(deps.clock, this.#maxReports, deps.reportWindowMs ?? 3_600_000);
    this.#failedQueries = new FailureLimiter(deps.clock, deps.maxFailedQueriesPerIp ?? 10, deps.queryWindowMs ?? 600_000);
    this.#dummyHash = hashPassword('dummy-' + newId(), QUERY_SCRYPT);
    this.#dummyHash.catch(() => undefined);
  }

  /** POST /api/public/cases: a `reported` case, source `online`, no creator. */
  async report(input: unknown, ip: string): Promise<PublicCaseReceipt> {
    const wait = this.#reports.blockedForMs(ip);
    if (wait > 0) {
      this.#log.warn('public report rate limited', { ip });
      throw fail('public_rate_limited', `Too many reports from this address; try again in ${Math.ceil(wait / 60_000)} minute(s) (提交过于频繁)`, { minutes: Math.ceil(wait / 60_000) });
    }
    const parsed = publicCaseRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid input', zodDetails(parsed.error));
    const data = parsed.data;
    const queryCode = newQueryCode();
    const queryCodeHash = await hashPassword(normalizeQueryCode(queryCode), QUERY_SCRYPT);
    const now = this.#clock.now();
    const { id, caseNumber } = await this.#db.$transaction(
      (tx) =>
        insertCase(
          tx,
          this.#clock,
          {
            ...data,
            title: data.title || `${zh.disputeTypes[data.disputeType]}纠纷`,
            source: 'online',
            state: 'reported',
            createdById: null,
            leadMediatorId: null,
            queryCodeHash,
          },
          'public',
        ),
      TX_OPTIONS,
    );
    this.#reports.fail(ip);
    this.#log.info('public report', { caseId: id });
    return { caseNumber, queryCode, createdAt: now.toISOString() };
  }

  /** Progress for case number + query code. Unknown number and wrong code look the same. */
  async query(input: unknown, ip: string): Promise<PublicCaseProgress> {
    const wait = this.#failedQueries.blockedForMs(ip);
    if (wait > 0) throw fail('public_rate_limited', `Too many failed queries; try again in ${Math.ceil(wait / 60_000)} minute(s) (查询过于频繁)`, { minutes: Math.ceil(wait / 60_000) });
    const parsed = publicQueryRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid input', zodDetails(parsed.error));
    const caseNumber = parsed.data.caseNumber.toUpperCase();
    const code = normalizeQueryCode(parsed.data.queryCode);
    const c = await this.#db.case.findUnique({ where: { caseNumber }, include: { unit: { select: { name: true } } } });
    // Always one scrypt, so timing does not tell whether the case exists.
    const ok = await verifyPassword(code, c?.queryCodeHash ?? (await this.#dummyHash));
    if (!c || !c.queryCodeHash || !ok) {
      this.#failedQueries.fail(ip);
      throw fail('query_no_match', NO_MATCH);
    }
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
