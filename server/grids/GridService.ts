import { lockCaseIntake } from '../cases/caseNumbers.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { CaseGuard } from '../access/CaseGuard.ts';
import type { CaseService } from '../cases/CaseService.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { closedStates } from '../protocol/caseLoop.ts';
import type { CaseSummary } from '../protocol/cases.ts';
import {
  gridLevels,
  patrolFrequency,
  type GeoPoint,
  type GridCaseCounts,
  type GridFeature,
  type GridImportIssue,
  type GridImportResult,
  type GridLevel,
  type GridMapResponse,
  type GridResolution,
} from '../protocol/grids.ts';
import { replaceGridSet } from './replaceGridSet.ts';
import { gridAt, resolveUngriddedCases } from './resolveUngridded.ts';
import { validateGridImport } from './validateImport.ts';

/*
 * The city's grids (网格): import of the GeoJSON set, the map's data, and where a case is. An import
 * is the whole set of the city: every code in the file is created or updated, every code not in it
 * is removed, and the centres' points are those of the file; all in one transaction, after the
 * whole file has been validated, so a refused file changes nothing. Cases keep their grid code when
 * a grid is removed (the map no longer shows them); cases with a point and no grid are resolved
 * again against the new set, in the same transaction.
 */

/** Where a case is: what intake stores from a picked grid code and/or a point. */
export interface CaseLocation {
  grid?: string | undefined;
  district?: string | undefined;
  town?: string | undefined;
  community?: string | undefined;
  longitude?: number | null;
  latitude?: number | null;
}

type GridRow = { code: string; name: string; level: string; parentCode: string | null };

const emptyCounts = (): GridCaseCounts => ({ open: 0, red: 0, yellow: 0 });

function refusal(issues: GridImportIssue[]) {
  const first = issues[0]!;
  const details = Object.fromEntries(issues.map((i) => [i.index < 0 ? 'file' : `features.${i.index}`, `${i.problem}: ${i.message}`]));
  return fail(
    'grid_import_invalid',
    `The grid file was refused: ${issues.length} problem(s), first at feature ${first.index}`,
    { index: first.index, code: first.code ?? '', problem: first.problem, field: first.field ?? '', more: issues.length - 1 },
    details,
  );
}

export class GridService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #cases: CaseService;
  readonly #access: CaseGuard;
  readonly #tileUrl: string | null;

  constructor(deps: { db: Db; clock: Clock; log: Logger; cases: CaseService; access: CaseGuard; tileUrl: string | null }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#cases = deps.cases;
    this.#access = deps.access;
    this.#tileUrl = deps.tileUrl;
  }

  /** POST /api/admin/grids/import: validates the whole file, then replaces the set in one transaction. */
  async import(file: unknown, by: StaffPrincipal): Promise<GridImportResult> {
    const [workers, units] = await Promise.all([
      this.#db.user.findMany({ where: { role: 'gridworker', disabled: false }, select: { id: true, username: true } }),
      this.#db.unit.findMany({ select: { id: true, name: true } }),
    ]);
    const checked = validateGridImport(file, {
      gridWorkers: new Map(workers.map((w) => [w.username, w.id])),
      units: new Map(units.map((u) => [u.name, u.id])),
    });
    if (!checked.ok) {
      this.#log.info('grid import refused', { by: by.userId, problems: checked.issues.length, first: checked.issues[0] });
      throw refusal(checked.issues);
    }
    const now = this.#clock.now();
    const { removed, casesResolved } = await transaction(
      this.#db,
      async (tx) => {
        await lockCaseIntake(tx, this.#clock);
        return { removed: await replaceGridSet(tx, now, checked), casesResolved: await resolveUngriddedCases(tx, now) };
      },
      { maxWait: 10_000, timeout: 120_000 },
    );
    const areas = Object.fromEntries(gridLevels.map((l) => [l, checked.areas.filter((a) => a.level === l).length])) as Record<GridLevel, number>;
    this.#log.info('grids imported', { by: by.userId, ...areas, centres: checked.centres.length, removed, casesResolved });
    return { areas, centres: checked.centres.length, removed, casesResolved, importedAt: now.toISOString() };
  }

  /** The open cases the caller may read, each with its grid. */
  async #readableOpen(principal: StaffPrincipal): Promise<CaseSummary[]> {
    const all = await this.#cases.list(principal);
    const open = all.filter((c) => !closedStates.includes(c.state));
    return this.#access.readable(principal, open, (c) => c.id);
  }

  /** GET /api/grids: every grid with its figures over the caller's readable open cases, and the centres. */
  async map(principal: StaffPrincipal): Promise<GridMapResponse> {
    const [areas, centres, open] = await Promise.all([
      this.#db.grid.findMany({ select: { code: true, name: true, level: true, parentCode: true } }),
      this.#db.unit.findMany({
        where: { longitude: { not: null }, latitude: { not: null }, active: true },
        select: { id: true, name: true, level: true, longitude: true, latitude: true },
      }),
      this.#readableOpen(principal),
    ]);
    const grids = await this.#db.grid.findMany({
      where: { level: 'grid' },
      include: { worker: { select: { id: true, displayName: true } } },
      orderBy: { code: 'asc' },
    });
    const byCode = new Map<string, GridRow>(areas.map((a) => [a.code, a]));
    const nameOf = (code: string | null | undefined) => (code ? (byCode.get(code)?.name ?? null) : null);
    const counts = new Map<string, GridCaseCounts>();
    let openWithoutGrid = 0;
    for (const c of open) {
      if (c.grid === null || byCode.get(c.grid)?.level !== 'grid') {
        openWithoutGrid++;
        continue;
      }
      const n = counts.get(c.grid) ?? emptyCounts();
      counts.set(c.grid, n);
      n.open++;
      if (c.light === 'red') n.red++;
      if (c.light === 'yellow') n.yellow++;
    }
    const features: GridFeature[] = grids.map((g) => {
      const community = byCode.get(g.parentCode ?? '');
      const town = byCode.get(community?.parentCode ?? '');
      return {
        type: 'Feature',
        id: g.code,
        properties: {
          code: g.code,
          name: g.name,
          community: community?.name ?? null,
          town: town?.name ?? null,
          county: nameOf(town?.parentCode),
          patrolFrequency: patrolFrequency.catch('low').parse(g.patrolFrequency),
          worker: g.worker,
          counts: counts.get(g.code) ?? emptyCounts(),
          mine: g.workerId === principal.userId,
        },
        geometry: JSON.parse(g.geometry ?? 'null') as GridFeature['geometry'],
      };
    });
    return {
      grids: { type: 'FeatureCollection', features },
      centres: centres.map((u) => ({ unitId: u.id, name: u.name, level: u.level, lng: u.longitude!, lat: u.latitude! })),
      tileUrl: this.#tileUrl,
      openWithoutGrid,
    };
  }

  /** GET /api/grids/:code/cases: the grid's cases the caller may read (open and closed), work-queue order. */
  async cases(code: string, principal: StaffPrincipal): Promise<CaseSummary[]> {
    const grid = await this.#db.grid.findUnique({ where: { code }, select: { level: true } });
    if (!grid || grid.level !== 'grid') throw notFound('Grid');
    const all = await this.#cases.list(principal);
    return this.#access.readable(
      principal,
      all.filter((c) => c.grid === code),
      (c) => c.id,
    );
  }

  /** The grid whose polygon holds the point (bounding boxes first), or null. */
  async resolve(point: GeoPoint, db: Db | Prisma.TransactionClient = this.#db): Promise<GridResolution> {
    return { grid: await gridAt(db, point.lng, point.lat) };
  }

  /**
   * Where a new case is: a point resolves to its grid (a point outside every grid is kept, without
   * a grid); otherwise the grid code given. A known grid fills in the community, town and county
   * names the form left empty. Unknown codes are kept as typed (older intake wrote free text).
   */
  async locate(
    input: {
      grid?: string | undefined;
      location?: GeoPoint | undefined;
      district?: string | undefined;
      town?: string | undefined;
      community?: string | undefined;
    },
    db: Db | Prisma.TransactionClient = this.#db,
  ): Promise<CaseLocation> {
    const out: CaseLocation = {};
    let code = input.grid;
    if (input.location) {
      out.longitude = input.location.lng;
      out.latitude = input.location.lat;
      const found = (await this.resolve(input.location, db)).grid;
      if (found) code = found.code;
    }
    if (code === undefined || code === '') return out;
    out.grid = code;
    const chain = await this.#ancestors(code, db);
    if (chain.grid?.level === 'grid') {
      out.community = input.community || chain.community?.name;
      out.town = input.town || chain.town?.name;
      out.district = input.district || chain.county?.name;
    }
    return out;
  }

  async #ancestors(code: string, db: Db | Prisma.TransactionClient): Promise<Partial<Record<GridLevel, GridRow>>> {
    const out: Partial<Record<GridLevel, GridRow>> = {};
    let next: string | null = code;
    for (let depth = 0; next !== null && depth < gridLevels.length; depth++) {
      const row: GridRow | null = await db.grid.findUnique({ where: { code: next }, select: { code: true, name: true, level: true, parentCode: true } });
      if (!row) break;
      out[row.level as GridLevel] = row;
      next = row.parentCode;
    }
    return out;
  }
}
