import { department, level, unitKind, type DisputeType, type Grade } from '../protocol/caseLoop.ts';
import { z } from 'zod';
import type { StaffPrincipal } from '../auth/principals.ts';
import { defaultRuleSet, parseRuleSet, resolveRule, type RuleSet } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { latestOrSeed, uniqueAs } from '../db/failures.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, fail, fieldFail, notFound, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { RoutingSuggestion, UnitInfo } from '../protocol/cases.ts';
import { toUnitInfo } from './views.ts';

/*
 * Case-loop configuration stored in the database: the routing/time-limit rule set (versioned,
 * the highest version is in force; version 1 is `defaultRuleSet`, written on first use),
 * system settings (follow-up days), and the units cases are routed to.
 *
 * The yellow-light share lives in the rule set (`yellowShare`, validated by parseRuleSet);
 * PUT /api/admin/settings can change it, which writes a new rule-set version.
 */

export const settingsDefaults = {
  /** A follow-up (回访) is due this many days after closing. */
  followUpDays: 15,
  /** A party's no-login follow-up link is valid this many days. */
  followUpLinkDays: 30,
} as const;

const settingValues = {
  followUpDays: z.number().int().min(1).max(90),
  followUpLinkDays: z.number().int().min(1).max(90),
};
type SettingKey = keyof typeof settingValues;

export const settingsUpdate = z
  .object({
    followUpDays: settingValues.followUpDays.optional(),
    followUpLinkDays: settingValues.followUpLinkDays.optional(),
    yellowShare: z.number().gt(0).lt(1).optional(),
  })
  .strict();
export type SettingsUpdate = z.input<typeof settingsUpdate>;

export interface LoopSettings {
  followUpDays: number;
  followUpLinkDays: number;
  yellowShare: number;
  ruleSetVersion: number;
}

export interface RuleSetRecord {
  version: number;
  ruleSet: RuleSet;
  createdAt: string;
  createdById: string | null;
}

export const unitCreateRequest = z
  .object({
    name: z.string().trim().min(1, 'Name is required').max(100),
    kind: unitKind,
    level,
    department: department.optional(),
  })
  .strict()
  .refine((u) => (u.kind === 'department') === (u.department !== undefined), {
    message: 'A department unit names its department; other units do not',
    path: ['department'],
  });

export const unitUpdateRequest = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const userUnitRequest = z.object({ unitId: z.string().min(1).max(64).nullable() }).strict();

type Tx = Db | Prisma.TransactionClient;

export class SettingsService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { db: Db; clock: Clock; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** The rule set in force. Writes `defaultRuleSet` as version 1 on first use (outside any transaction). */
  async activeRuleSet(): Promise<RuleSetRecord> {
    const row = await latestOrSeed(
      () => this.#db.routingRuleSet.findFirst({ orderBy: { version: 'desc' } }),
      () => this.#db.routingRuleSet.create({ data: { version: 1, ruleSet: JSON.stringify(defaultRuleSet), createdAt: this.#clock.now(), createdById: null } }),
      'the routing rule set',
    );
    return toRecord(row);
  }

  /** Validates with parseRuleSet (400 with per-field details) and stores it as the next version. */
  async putRuleSet(input: unknown, principal: StaffPrincipal): Promise<RuleSetRecord> {
    const ruleSet = parseRuleSet(input);
    const current = await this.activeRuleSet();
    const record = await this.#writeVersion(current.version + 1, ruleSet, principal);
    this.#log.info('routing rule set changed', { version: record.version, by: principal.userId });
    return record;
  }

  /** The version number is the key: of two concurrent writers of the same version, the second is refused. */
  async #writeVersion(version: number, ruleSet: RuleSet, principal: StaffPrincipal, tx: Tx = this.#db): Promise<RuleSetRecord> {
    const changedMeanwhile = () => fail('rules_changed_meanwhile', 'The rule set was changed by someone else meanwhile; reload and try again');
    const exists = await tx.routingRuleSet.findUnique({ where: { version }, select: { version: true } });
    if (exists) throw changedMeanwhile();
    const row = await uniqueAs(
      tx.routingRuleSet.create({ data: { version, ruleSet: JSON.stringify(ruleSet), createdAt: this.#clock.now(), createdById: principal.userId } }),
      changedMeanwhile,
    );
    return toRecord(row);
  }

  async settings(): Promise<LoopSettings> {
    const rows = await this.#db.systemSetting.findMany();
    const out: Record<SettingKey, number> = { ...settingsDefaults };
    for (const row of rows) {
      if (!Object.hasOwn(settingValues, row.key)) continue;
      const key = row.key as SettingKey;
      const parsed = settingValues[key].safeParse(safeJson(row.value));
      if (parsed.success) out[key] = parsed.data;
      else this.#log.warn('ignoring invalid stored setting', { key });
    }
    const rules = await this.activeRuleSet();
    return { ...out, yellowShare: rules.ruleSet.yellowShare, ruleSetVersion: rules.version };
  }

  async putSettings(input: unknown, principal: StaffPrincipal): Promise<LoopSettings> {
    const parsed = settingsUpdate.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid settings', zodDetails(parsed.error));
    const now = this.#clock.now();
    const { yellowShare, ...values } = parsed.data;
    const current = await this.activeRuleSet();
    await transaction(this.#db, async (tx) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        await tx.systemSetting.upsert({
          where: { key },
          create: { key, value: JSON.stringify(value), updatedAt: now },
          update: { value: JSON.stringify(value), updatedAt: now },
        });
      }
      if (yellowShare !== undefined && current.ruleSet.yellowShare !== yellowShare) {
        await this.#writeVersion(current.version + 1, parseRuleSet({ ...current.ruleSet, yellowShare }), principal, tx);
      }
    });
    this.#log.info('settings changed', { keys: Object.keys(parsed.data), by: principal.userId });
    return this.settings();
  }

  /** The rule's suggestion for a case and grade, with the units that fit it. */
  async suggestRoute(disputeType: DisputeType, grade: Grade): Promise<RoutingSuggestion> {
    const { version, ruleSet } = await this.activeRuleSet();
    const rule = resolveRule(ruleSet, disputeType, grade);
    const units = await this.#db.unit.findMany({
      where: { active: true, level: rule.level, kind: rule.unitKind, ...(rule.department ? { department: rule.department } : {}) },
      orderBy: { name: 'asc' },
    });
    return {
      disputeType,
      grade,
      level: rule.level,
      unitKind: rule.unitKind,
      department: rule.department ?? null,
      timeLimitDays: rule.timeLimitDays,
      source: rule.source,
      ruleSetVersion: version,
      units: units.map(toUnitInfo),
    };
  }

  // ---- units

  async listUnits(filter: { kind?: string | undefined; level?: string | undefined; includeInactive?: boolean } = {}): Promise<UnitInfo[]> {
    const rows = await this.#db.unit.findMany({
      where: {
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.level ? { level: filter.level } : {}),
        ...(filter.includeInactive ? {} : { active: true }),
      },
      orderBy: [{ level: 'asc' }, { name: 'asc' }],
    });
    return rows.map(toUnitInfo);
  }

  async createUnit(input: unknown, principal: StaffPrincipal): Promise<UnitInfo> {
    const parsed = unitCreateRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid unit', zodDetails(parsed.error));
    const u = parsed.data;
    const taken = () => fail('unit_name_taken', `A unit named '${u.name}' already exists`, { name: u.name });
    const existing = await this.#db.unit.findUnique({ where: { name: u.name }, select: { id: true } });
    if (existing) throw taken();
    const row = await uniqueAs(
      this.#db.unit.create({
        data: { id: newId(), name: u.name, kind: u.kind, level: u.level, department: u.department ?? null, createdAt: this.#clock.now() },
      }),
      taken,
    );
    this.#log.info('unit created', { unitId: row.id, by: principal.userId });
    return toUnitInfo(row);
  }

  async updateUnit(unitId: string, input: unknown, principal: StaffPrincipal): Promise<UnitInfo> {
    const parsed = unitUpdateRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid unit', zodDetails(parsed.error));
    const unit = await this.#db.unit.findUnique({ where: { id: unitId } });
    if (!unit) throw notFound('Unit');
    const name = parsed.data.name;
    const taken = () => fail('unit_name_taken', `A unit named '${name}' already exists`, { name: name ?? '' });
    if (name !== undefined && name !== unit.name) {
      const clash = await this.#db.unit.findUnique({ where: { name }, select: { id: true } });
      if (clash) throw taken();
    }
    const row = await uniqueAs(
      this.#db.unit.update({
        where: { id: unitId },
        data: { ...(name !== undefined ? { name } : {}), ...(parsed.data.active !== undefined ? { active: parsed.data.active } : {}) },
      }),
      taken,
    );
    this.#log.info('unit updated', { unitId, by: principal.userId });
    return toUnitInfo(row);
  }

  /** Puts a staff member in a unit (or none). Officials see whistles addressed to their unit. */
  async setUserUnit(userId: string, input: unknown, principal: StaffPrincipal): Promise<{ userId: string; unitId: string | null }> {
    const parsed = userUnitRequest.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid input', zodDetails(parsed.error));
    const user = await this.#db.user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
    if (!user) throw notFound('User');
    const { unitId } = parsed.data;
    if (unitId !== null) {
      const unit = await this.#db.unit.findUnique({ where: { id: unitId }, select: { id: true, kind: true } });
      if (!unit) throw badRequest('Invalid input', { unitId: 'No such unit' });
      // A judge decides for their court: only a court's own unit makes them one of its judges.
      if (user.role === 'judge' && unit.kind !== 'court') throw fieldFail('unitId', 'judicial_not_a_court', 'A judge belongs to a court');
    }
    await this.#db.user.update({ where: { id: userId }, data: { unitId } });
    this.#log.info('user unit set', { userId, unitId, by: principal.userId });
    return { userId, unitId };
  }

  /** Staff for pickers (assign a mediator, …): no password hashes, no sessions. */
  async listStaff(
    role?: string,
  ): Promise<Array<{ id: string; username: string; displayName: string; role: string; department: string | null; unitId: string | null }>> {
    const rows = await this.#db.user.findMany({
      where: { disabled: false, ...(role ? { role } : {}) },
      select: { id: true, username: true, displayName: true, role: true, department: true, unitId: true },
      orderBy: [{ role: 'asc' }, { displayName: 'asc' }],
    });
    return rows;
  }
}

function toRecord(row: { version: number; ruleSet: string; createdAt: Date; createdById: string | null }): RuleSetRecord {
  return { version: row.version, ruleSet: parseRuleSet(safeJson(row.ruleSet)), createdAt: row.createdAt.toISOString(), createdById: row.createdById };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
