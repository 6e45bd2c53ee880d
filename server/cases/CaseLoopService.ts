import type { CaseTimelineData } from '../protocol/caseLoop.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { applyTransition, isCaseAction, parseActionPayload, roleMayPerform } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { routedActions, type CaseDetail, type RoutedAction } from '../protocol/cases.ts';
import { actorOf, type CaseService } from './CaseService.ts';
import type { SettingsService } from './SettingsService.ts';
import { actionHandlers, type ActionHandlers } from './caseActions.ts';
import { lockCase } from './caseLock.ts';
import { assertResponsible } from './responsibility.ts';
import { appendTimeline } from './timeline.ts';
import { stateOf } from './views.ts';

/**
 * The case-loop transitions wired to the database. Every transition runs in one transaction:
 * all checks (role, responsibility, state, payload, referenced rows) come before any write, so a
 * refused move changes nothing; the state update is conditional on the state read (a concurrent
 * move makes it a 409), and the timeline entry is appended in the same transaction.
 */
export class CaseLoopService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #settings: SettingsService;
  readonly #cases: CaseService;

  constructor(deps: { db: Db; clock: Clock; log: Logger; settings: SettingsService; cases: CaseService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#settings = deps.settings;
    this.#cases = deps.cases;
  }

  async act(caseId: string, action: string, input: unknown, principal: StaffPrincipal): Promise<CaseDetail> {
    if (!isCaseAction(action) || !(routedActions as readonly string[]).includes(action)) throw notFound('Action');
    await this.#act(caseId, action as RoutedAction, input, principal);
    this.#log.info('case transition', { caseId, action, by: principal.userId });
    return this.#cases.get(caseId, principal);
  }

  async #act<A extends RoutedAction>(caseId: string, a: A, input: unknown, principal: StaffPrincipal): Promise<void> {
    // Read before the transaction (the rule set is seeded on first use). Every action gets both:
    // three small reads on a human-paced request, rather than a per-action list of needs.
    const [rules, settings] = await Promise.all([this.#settings.activeRuleSet(), this.#settings.settings()]);
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      const c = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      const from = stateOf(c);
      // Role first (a caller without the right learns nothing about the case), then responsibility, then state, then payload.
      if (!roleMayPerform(a, principal.role)) applyTransition(from, a, principal.role);
      await assertResponsible(tx, c, a, principal);
      const to = applyTransition(from, a, principal.role);
      const now = this.#clock.now();
      const handler: ActionHandlers[A] = actionHandlers[a];
      const { update, data } = await handler({ tx, c, principal, from, to, now, rules, settings }, parseActionPayload(a, input));
      const changed = await tx.case.updateMany({ where: { id: c.id, state: from }, data: { ...update, state: to } });
      if (changed.count !== 1) throw fail('case_changed_meanwhile', 'The case was changed by someone else meanwhile; reload and try again');
      const entry: CaseTimelineData<A> = { from, to, ...data };
      await appendTimeline(tx, { caseId: c.id, type: `case.${a}`, actor: actorOf(principal), at: now, data: entry });
    });
  }
}
