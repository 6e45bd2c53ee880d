import { satisfaction as satisfactionSchema } from '../protocol/caseLoop.ts';
import { z } from 'zod';
import { computeStats, isoInZone, utcOffsetLabel, matchesFilter, toCsv, zh, type CaseRow, type CsvColumn, type StatsFilter } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { badRequest, zodDetails } from '../errors.ts';
import { caseLoopLabels } from '../protocol/caseLoopLabels.ts';
import type { CaseSource, StatsResponse } from '../protocol/cases.ts';
import { maskName, maskPhone } from './masking.ts';
import type { SettingsService } from './SettingsService.ts';
import { disputeTypeOf, lightOf, parseDateInput, stateOf } from './views.ts';

/*
 * Supervisor dashboard numbers, straight from the database through the pure `computeStats`
 * (lights computed at the clock's now), and the CSV export through `toCsv`. The period filters
 * on the case's creation time (intake cohort); a date-only `to` includes that whole day.
 * The CSV carries masked data only: no titles or descriptions (free text may hold names and
 * numbers), party names masked, phones masked.
 */

const dateParam = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'Enter a date (YYYY-MM-DD) or an ISO date-time' });
export const statsQuery = z
  .object({
    from: dateParam.optional(),
    to: dateParam.optional(),
    unitId: z.string().min(1).max(64).optional(),
  })
  .strip();

export type { StatsResponse };

interface ExportRow extends CaseRow {
  caseNumber: string;
  source: string;
  grade: string | null;
  level: string | null;
  unitName: string | null;
  deadlineAt: Date | null;
  parties: Array<{ side: string; name: string; phone: string }>;
}

export class StatsService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #settings: SettingsService;
  readonly #timeZone: string;
  readonly #recordingBytes: () => Promise<number>;

  /**
   * `timeZone`: the centre's (CENTRE_TIME_ZONE); the CSV writes times in it, with their offset.
   * `recordingBytes`: the kept recordings' files (server/recording), shown on the dashboard.
   */
  constructor(deps: { db: Db; clock: Clock; settings: SettingsService; timeZone: string; recordingBytes?: () => Promise<number> }) {
    this.#db = deps.db;
    this.#recordingBytes = deps.recordingBytes ?? (() => Promise.resolve(0));
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#timeZone = deps.timeZone;
  }

  #filter(query: unknown): { filter: StatsFilter; echo: StatsResponse['filter'] } {
    const parsed = statsQuery.safeParse(query);
    if (!parsed.success) throw badRequest('Invalid filter', zodDetails(parsed.error));
    const { from, to, unitId } = parsed.data;
    const fromAt = from !== undefined ? parseDateInput(from) : undefined;
    // A date-only `to` includes that day: the half-open period ends at the next day's start.
    const toAt = to !== undefined ? (/^\d{4}-\d{2}-\d{2}$/.test(to) ? new Date(parseDateInput(to, true).getTime() + 1) : parseDateInput(to)) : undefined;
    return {
      filter: { from: fromAt, to: toAt, unitId },
      echo: { from: fromAt?.toISOString() ?? null, to: toAt?.toISOString() ?? null, unitId: unitId ?? null },
    };
  }

  async #rows(): Promise<{ rows: ExportRow[]; units: Map<string, string> }> {
    const { ruleSet } = await this.#settings.activeRuleSet();
    const ctx = { now: this.#clock.now(), yellowShare: ruleSet.yellowShare };
    const cases = await this.#db.case.findMany({
      include: { unit: { select: { name: true } }, parties: { orderBy: { position: 'asc' }, select: { side: true, name: true, phone: true } } },
      orderBy: [{ createdAt: 'asc' }, { caseNumber: 'asc' }],
    });
    const units = new Map<string, string>();
    const rows = cases.map((c): ExportRow => {
      const light = lightOf(c, ctx);
      if (c.unitId && c.unit) units.set(c.unitId, c.unit.name);
      return {
        caseNumber: c.caseNumber,
        disputeType: disputeTypeOf(c),
        unitId: c.unitId,
        state: stateOf(c),
        // null: not routed yet, no time limit runs (未计时, as in the lists).
        light,
        createdAt: c.createdAt,
        closedAt: c.closedAt,
        settled: c.settled,
        satisfaction: satisfactionSchema.safeParse(c.lastSatisfaction).data ?? null,
        source: c.source,
        grade: c.grade,
        level: c.level,
        unitName: c.unit?.name ?? null,
        deadlineAt: c.deadlineAt,
        parties: c.parties,
      };
    });
    return { rows, units };
  }

  async stats(query: unknown): Promise<StatsResponse> {
    const { filter, echo } = this.#filter(query);
    const [{ rows, units }, recordingBytes] = await Promise.all([this.#rows(), this.#recordingBytes()]);
    const stats = computeStats(rows, filter);
    const unitNames: Record<string, string> = {};
    for (const id of Object.keys(stats.byUnit)) unitNames[id] = id === '' ? '未分流' : (units.get(id) ?? id);
    return { ...stats, filter: echo, generatedAt: this.#clock.now().toISOString(), unitNames, untimed: stats.byLight.none, recordingBytes };
  }

  async exportCsv(query: unknown): Promise<string> {
    const { filter } = this.#filter(query);
    const { rows } = await this.#rows();
    const selected = rows.filter((r) => matchesFilter(r, filter));
    const zone = this.#timeZone;
    const local = (d: Date | string | number | null | undefined) => (d === null || d === undefined ? '' : isoInZone(new Date(d), zone));
    // The zone and its offset now in the header; each cell carries its own offset (exact across DST).
    const inZone = (header: string) => `${header}（${zone} ${utcOffsetLabel(this.#clock.now(), zone)}）`;
    const columns: CsvColumn<ExportRow>[] = [
      { header: '案件编号', key: 'caseNumber' },
      { header: '纠纷类型', value: (r) => zh.disputeTypes[r.disputeType] },
      { header: '来源', value: (r) => caseLoopLabels['zh-CN'].source[r.source as CaseSource] ?? r.source },
      { header: '状态', value: (r) => zh.states[r.state] },
      { header: '等级', value: (r) => (r.grade ? ((zh.grades as Record<string, string>)[r.grade] ?? r.grade) : '') },
      { header: '层级', value: (r) => (r.level ? ((zh.levels as Record<string, string>)[r.level] ?? r.level) : '') },
      { header: '承办单位', value: (r) => r.unitName ?? '' },
      { header: '灯色', value: (r) => (r.light === null ? '未计时' : zh.lights[r.light]) },
      { header: inZone('登记时间'), value: (r) => local(r.createdAt) },
      { header: inZone('办理期限'), value: (r) => local(r.deadlineAt) },
      { header: inZone('结案时间'), value: (r) => local(r.closedAt) },
      { header: '调解结果', value: (r) => (r.settled === true ? '调解成功' : r.settled === false ? '调解不成' : '') },
      { header: '回访满意度', value: (r) => (r.satisfaction ? zh.satisfaction[r.satisfaction] : '') },
      {
        header: '当事人（脱敏）',
        value: (r) => r.parties.map((p) => `${maskName(p.name)}(${p.side === 'applicant' ? '申请人' : '被申请人'},${maskPhone(p.phone)})`).join('; '),
      },
    ];
    return toCsv(selected, columns);
  }
}
