import type { StaffPrincipal } from '../auth/principals.ts';
import type { CaseGuard } from '../access/CaseGuard.ts';
import { levelRank } from '../caseloop/rules.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { badRequest, forbidden, zodDetails } from '../errors.ts';
import { assessmentQuery, drillQuery, type AssessmentRow, type AssessmentReport, type DrillCase, type WeightSetRecord } from '../protocol/assessment.ts';
import { level as levelSchema } from '../protocol/caseLoop.ts';
import type { SettingsService } from '../cases/SettingsService.ts';
import { stateOf } from '../cases/views.ts';
import { figures, members, type AssessedCase, type AssessedFollowUp, type AssessedWhistle, type FigureContext } from './figures.ts';
import { periodOf, type Period } from './periods.ts';
import type { WeightStore } from './weights.ts';

/*
 * Performance assessment (绩效考核) of units and people over a period, from the case rows, the
 * follow-ups and the whistles (server/assessment/figures.ts says what counts). Scope: an admin, or a
 * supervisor without a unit, sees every unit; a supervisor with a unit sees the units their case
 * scope covers (server/access/caseAccess.ts: their own and those at a lower or equal level), the
 * people of those units, and the cases routed to them or not routed yet. Asking for a unit or a
 * person outside it is refused (403).
 */

const assessedRoles = ['mediator', 'gridworker', 'official'] as const;

interface Scope {
  units: Array<{ id: string; name: string; kind: string; level: string }>;
  persons: Array<{ id: string; name: string; role: string; unitName: string | null }>;
  cases: AssessedCase[];
  followUps: AssessedFollowUp[];
  whistles: AssessedWhistle[];
}

export interface AssessmentQuery {
  period: Period;
  trend: Period[];
}

export class AssessmentService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #settings: SettingsService;
  readonly #access: CaseGuard;
  readonly #weights: WeightStore;
  readonly #timeZone: string;

  constructor(deps: { db: Db; clock: Clock; settings: SettingsService; access: CaseGuard; weights: WeightStore; timeZone: string }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#access = deps.access;
    this.#weights = deps.weights;
    this.#timeZone = deps.timeZone;
  }

  get timeZone(): string {
    return this.#timeZone;
  }

  weights(): Promise<WeightSetRecord> {
    return this.#weights.active();
  }

  putWeights(input: unknown, principal: StaffPrincipal): Promise<WeightSetRecord> {
    return this.#weights.put(input, principal);
  }

  #query(query: unknown): { period: Period; trend: Period[]; unitId: string | undefined } {
    const parsed = assessmentQuery.safeParse(query);
    if (!parsed.success) throw badRequest('Invalid assessment query', zodDetails(parsed.error));
    const { unitId, ...rest } = parsed.data;
    return { ...periodOf(rest, this.#timeZone), unitId };
  }

  async #scope(principal: StaffPrincipal, unitId: string | undefined): Promise<Scope> {
    const actor = await this.#access.actor(principal);
    const allUnits = await this.#db.unit.findMany({
      where: { active: true },
      orderBy: { name: 'asc' },
      select: { id: true, name: true, kind: true, level: true },
    });
    const everything = actor.role === 'admin' || actor.unitId === null;
    const inScope = (u: { id: string; level: string }) => {
      if (everything || u.id === actor.unitId) return true;
      const l = levelSchema.safeParse(u.level).data;
      return actor.unitLevel !== null && l !== undefined && levelRank(l) <= levelRank(actor.unitLevel);
    };
    let units = allUnits.filter(inScope);
    if (unitId !== undefined) {
      if (!units.some((u) => u.id === unitId)) throw forbidden('That unit is outside your scope');
      units = units.filter((u) => u.id === unitId);
    }
    const unitIds = new Set(units.map((u) => u.id));
    const wholeCity = everything && unitId === undefined;
    const users = await this.#db.user.findMany({
      where: { role: { in: [...assessedRoles] }, disabled: false },
      orderBy: { displayName: 'asc' },
      select: { id: true, displayName: true, role: true, unitId: true, unit: { select: { name: true } } },
    });
    const persons = users
      .filter((u) => (u.unitId !== null ? unitIds.has(u.unitId) : wholeCity))
      .map((u) => ({ id: u.id, name: u.displayName, role: u.role, unitName: u.unit?.name ?? null }));

    const rows = await this.#db.case.findMany({
      select: {
        id: true,
        unitId: true,
        leadMediatorId: true,
        createdById: true,
        createdAt: true,
        startedAt: true,
        deadlineAt: true,
        closedAt: true,
        settled: true,
      },
    });
    const cases: AssessedCase[] = rows
      .filter((c) => (c.unitId === null ? unitId === undefined : unitIds.has(c.unitId)))
      .map((c) => ({
        id: c.id,
        unitId: c.unitId,
        leadId: c.leadMediatorId,
        createdById: c.createdById,
        createdAt: c.createdAt,
        startedAt: c.startedAt,
        deadlineAt: c.deadlineAt,
        closedAt: c.closedAt,
        settled: c.settled,
      }));
    const caseIds = new Set(cases.map((c) => c.id));
    const followUps = (await this.#db.followUp.findMany({ select: { caseId: true, createdAt: true, satisfaction: true } }))
      .filter((f) => caseIds.has(f.caseId))
      .map((f) => ({ caseId: f.caseId, at: f.createdAt, satisfaction: f.satisfaction }));
    const whistles = (
      await this.#db.whistleRequest.findMany({
        select: { caseId: true, unitId: true, status: true, requestedAt: true, acceptedAt: true, acceptedById: true, closedAt: true, closedById: true },
      })
    )
      .filter((w) => unitIds.has(w.unitId))
      .map((w) => {
        const declined = w.status === 'declined';
        return {
          caseId: w.caseId,
          unitId: w.unitId,
          requestedAt: w.requestedAt,
          answeredAt: w.acceptedAt ?? (declined ? w.closedAt : null),
          answeredById: w.acceptedById ?? (declined ? w.closedById : null),
        };
      });
    return { units, persons, cases, followUps, whistles };
  }

  async #context(): Promise<FigureContext & { record: WeightSetRecord }> {
    const [record, rules] = await Promise.all([this.#weights.active(), this.#settings.activeRuleSet()]);
    return { now: this.#clock.now(), yellowShare: rules.ruleSet.yellowShare, timeZone: this.#timeZone, weights: record.weightSet, record };
  }

  /** The cases and whistles one row counts. */
  #subjectData(scope: Scope, subject: 'unit' | 'person', id: string) {
    if (subject === 'unit') {
      return { cases: scope.cases.filter((c) => c.unitId === id), whistles: scope.whistles.filter((w) => w.unitId === id) };
    }
    const person = scope.persons.find((p) => p.id === id);
    const reporter = person?.role === 'gridworker';
    return {
      cases: scope.cases.filter((c) => c.leadId === id || (reporter && c.createdById === id)),
      whistles: scope.whistles.filter((w) => w.answeredById === id),
    };
  }

  async report(query: unknown, principal: StaffPrincipal): Promise<AssessmentReport> {
    const q = this.#query(query);
    const [scope, ctx] = await Promise.all([this.#scope(principal, q.unitId), this.#context()]);
    const row = (subject: 'unit' | 'person', id: string, name: string, kind: string, detail: string | null): AssessmentRow => {
      const d = this.#subjectData(scope, subject, id);
      return { subject, id, name, kind, detail, rank: null, figures: figures(d.cases, scope.followUps, d.whistles, q.period, ctx) };
    };
    const { minClosed } = ctx.weights.limits;
    const units = ranked(
      scope.units.map((u) => row('unit', u.id, u.name, u.kind, u.level)),
      minClosed,
    );
    const persons = ranked(
      scope.persons.map((p) => row('person', p.id, p.name, p.role, p.unitName)),
      minClosed,
    );
    const total = figures(scope.cases, scope.followUps, scope.whistles, q.period, ctx);
    const trend = q.trend.map((p) => {
      const f = figures(scope.cases, scope.followUps, scope.whistles, p, ctx);
      return {
        label: p.label,
        from: p.from,
        to: p.to,
        received: f.received,
        closed: f.closed,
        onTimeRate: f.indicators.onTimeRate,
        satisfactionRate: f.indicators.satisfactionRate,
        score: f.score,
      };
    });
    const { fromMs: _f, toMs: _t, ...period } = q.period;
    return { period, generatedAt: ctx.now.toISOString(), weights: ctx.record, units, persons, trend, total };
  }

  /** The cases behind one number of one row. */
  async drill(query: unknown, principal: StaffPrincipal): Promise<DrillCase[]> {
    const q = this.#query(query);
    const parsed = drillQuery.safeParse(query);
    if (!parsed.success) throw badRequest('Invalid drill-down', zodDetails(parsed.error));
    const { subject, id, indicator } = parsed.data;
    const [scope, ctx] = await Promise.all([this.#scope(principal, q.unitId), this.#context()]);
    const known = subject === 'unit' ? scope.units.some((u) => u.id === id) : scope.persons.some((p) => p.id === id);
    if (!known) throw forbidden('That unit or person is outside your scope');
    const d = this.#subjectData(scope, subject, id);
    const ids = [...new Set(members(d.cases, scope.followUps, d.whistles, q.period, ctx)[indicator])];
    const rows = await this.#db.case.findMany({
      where: { id: { in: ids } },
      orderBy: { caseNumber: 'asc' },
      select: {
        id: true,
        caseNumber: true,
        title: true,
        state: true,
        createdAt: true,
        deadlineAt: true,
        closedAt: true,
        unit: { select: { name: true } },
        leadMediator: { select: { displayName: true } },
      },
    });
    return rows.map((c) => ({
      id: c.id,
      caseNumber: c.caseNumber,
      title: c.title,
      state: stateOf(c),
      unitName: c.unit?.name ?? null,
      leadName: c.leadMediator?.displayName ?? null,
      createdAt: c.createdAt.toISOString(),
      deadlineAt: c.deadlineAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
    }));
  }
}

/** Ranked rows (a score, at least `minClosed` closed) first, then the other scored ones, then those without a score. */
function tier(r: AssessmentRow, minClosed: number): number {
  if (r.figures.score === null) return 2;
  return r.figures.closed >= minClosed ? 0 : 1;
}

/** Highest score first within each tier, then by name; equal scores share a rank; only tier 0 is ranked. */
export function ranked(rows: AssessmentRow[], minClosed: number): AssessmentRow[] {
  const sorted = [...rows].sort(
    (a, b) => tier(a, minClosed) - tier(b, minClosed) || (b.figures.score ?? 0) - (a.figures.score ?? 0) || a.name.localeCompare(b.name, 'zh-CN'),
  );
  let prev: number | null = null;
  let rank = 0;
  return sorted.map((r, i) => {
    const s = r.figures.score;
    if (s === null || tier(r, minClosed) !== 0) return r;
    if (prev === null || Math.abs(s - prev) > 1e-9) rank = i + 1;
    prev = s;
    return { ...r, rank };
  });
}
