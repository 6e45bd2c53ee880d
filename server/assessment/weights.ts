import type { StaffPrincipal } from '../auth/principals.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { latestOrSeed, uniqueAs } from '../db/failures.ts';
import { AppError, fail, zodDetails } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { weightSet, type WeightSet, type WeightSetRecord } from '../protocol/assessment.ts';

/*
 * The scoring weights: rule data an admin edits, versioned like the routing rules (the highest
 * version is in force; version 1 is `defaultWeightSet`, written on first use). Every write is
 * validated by the protocol's `weightSet` (400 with per-field details, nothing stored).
 */

/** Timeliness first (按期办结, 未超期), then outcome and the parties' view, then speed. */
export const defaultWeightSet: WeightSet = parseWeightSet({
  name: '默认考核权重',
  weights: { onTimeRate: 0.3, successRate: 0.2, satisfactionRate: 0.2, followUpRate: 0.1, notOverdueRate: 0.1, speedScore: 0.05, whistleScore: 0.05 },
  limits: { handlingDays: 30, whistleHours: 48 },
});

export function parseWeightSet(input: unknown): WeightSet {
  const result = weightSet.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new AppError('bad_request', `Invalid weights (考核权重无效): ${first ? first.message : 'invalid'}`, zodDetails(result.error));
  }
  return result.data;
}

function toRecord(row: { version: number; weightSet: string; createdAt: Date; createdById: string | null }): WeightSetRecord {
  let json: unknown;
  try {
    json = JSON.parse(row.weightSet);
  } catch {
    json = undefined;
  }
  return { version: row.version, weightSet: parseWeightSet(json), createdAt: row.createdAt.toISOString(), createdById: row.createdById };
}

export class WeightStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { db: Db; clock: Clock; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  async active(): Promise<WeightSetRecord> {
    const row = await latestOrSeed(
      () => this.#db.assessmentWeightSet.findFirst({ orderBy: { version: 'desc' } }),
      () =>
        this.#db.assessmentWeightSet.create({
          data: { version: 1, weightSet: JSON.stringify(defaultWeightSet), createdAt: this.#clock.now(), createdById: null },
        }),
      'the assessment weights',
    );
    return toRecord(row);
  }

  /** Validates, then stores the next version; of two concurrent writers of one version the second is refused. */
  async put(input: unknown, principal: StaffPrincipal): Promise<WeightSetRecord> {
    const set = parseWeightSet(input);
    const current = await this.active();
    const version = current.version + 1;
    const row = await uniqueAs(
      this.#db.assessmentWeightSet.create({ data: { version, weightSet: JSON.stringify(set), createdAt: this.#clock.now(), createdById: principal.userId } }),
      () => fail('rules_changed_meanwhile', 'The weights were changed by someone else meanwhile; reload and try again'),
    );
    this.#log.info('assessment weights changed', { version, by: principal.userId });
    return toRecord(row);
  }
}
