import { caseState, lights, type CaseState } from '../protocol/caseLoop.ts';
import type { z } from 'zod';
import type { StaffPrincipal } from '../auth/principals.ts';
import { applyTransition, parseActionPayload } from '../caseloop/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import {
  createCaseRequest,
  type CaseCan,
  type CaseDetail,
  type CaseSource,
  type CaseSummary,
  type CreateCaseRequest,
  type PartyContact,
} from '../protocol/cases.ts';
import type { TimelineEntryView, TimelineVerification } from '../protocol/api.ts';
import type { PartySide } from '../protocol/roles.ts';
import type { GeoPoint } from '../protocol/grids.ts';
import { allocateCaseNumber, lockCaseIntake } from './caseNumbers.ts';
import { SettingsService } from './SettingsService.ts';
import { takeOnChange } from './takeOn.ts';
import { lockCase } from './caseLock.ts';
import { appendTimeline, listTimeline, resolveActors, verifyChain } from './timeline.ts';
import { accessActionNames } from '../access/caseAccess.ts';
import { caseInclude, sortCases, toDetail, toSummary, type ViewContext } from './views.ts';

export type CreateCaseInput = z.output<typeof createCaseRequest>;

/** Legacy coarse statuses (kept for the existing client): registered, a session has been held, closed. */
export const caseStatuses = ['pending', 'in_mediation', 'closed'] as const;

export const actorOf = (p: StaffPrincipal) => `user:${p.userId}`;

export interface NewCaseData {
  disputeType: string;
  title: string;
  description: string;
  district?: string | undefined;
  town?: string | undefined;
  community?: string | undefined;
  grid?: string | undefined;
  longitude?: number | null | undefined;
  latitude?: number | null | undefined;
  parties: Array<{ side: PartySide; name: string; phone: string; idNumber?: string | undefined }>;
  source: CaseSource;
  state: CaseState;
  createdById: string | null;
  leadMediatorId: string | null;
  queryCodeHash?: string | undefined;
}

/**
 * Inserts a case with its parties and its first timeline entry. Call inside a transaction.
 * The timeline gets names and sides of the parties, never phones or ID numbers.
 */
export async function insertCase(tx: Prisma.TransactionClient, clock: Clock, data: NewCaseData, actor: string): Promise<{ id: string; caseNumber: string }> {
  const now = clock.now();
  const caseNumber = await allocateCaseNumber(tx, clock);
  const id = newId();
  await tx.case.create({
    data: {
      id,
      caseNumber,
      disputeType: data.disputeType,
      title: data.title,
      description: data.description,
      state: data.state,
      source: data.source,
      district: data.district ?? null,
      town: data.town ?? null,
      community: data.community ?? null,
      grid: data.grid ?? null,
      longitude: data.longitude ?? null,
      latitude: data.latitude ?? null,
      createdById: data.createdById,
      leadMediatorId: data.leadMediatorId,
      queryCodeHash: data.queryCodeHash ?? null,
      createdAt: now,
      parties: {
        create: data.parties.map((p, position) => ({
          id: newId(),
          side: p.side,
          name: p.name,
          phone: p.phone,
          idNumber: p.idNumber ?? null,
          position,
        })),
      },
    },
  });
  await appendTimeline(tx, {
    caseId: id,
    type: 'case.created',
    actor,
    at: now,
    data: {
      caseNumber,
      disputeType: data.disputeType,
      title: data.title,
      state: data.state,
      source: data.source,
      parties: data.parties.map((p) => ({ side: p.side, name: p.name })),
    },
  });
  return { id, caseNumber };
}

export interface CaseListFilter {
  /** Only the caller's cases: mediator → led by me; official → led by me or in my unit; gridworker → registered by me. */
  mine?: boolean;
  state?: string | undefined;
  light?: string | undefined;
  unitId?: string | undefined;
}

/**
 * Where a new case is, from its grid code or point (server/grids/GridService.locate); wired in
 * services.ts. Called inside the creating transaction after lockCaseIntake (caseNumbers.ts).
 */
export type LocateCase = (
  input: {
    grid?: string | undefined;
    location?: GeoPoint | undefined;
    district?: string | undefined;
    town?: string | undefined;
    community?: string | undefined;
  },
  db: Prisma.TransactionClient,
) => Promise<Partial<Pick<NewCaseData, 'grid' | 'district' | 'town' | 'community' | 'longitude' | 'latitude'>>>;

/** The caller's `can` map on a case (server/access: role table AND object rule); wired in services.ts. */
export type CanFor = (principal: StaffPrincipal, caseId: string) => Promise<CaseCan>;

function nothingAllowed(): CaseCan {
  return Object.fromEntries(accessActionNames.map((a) => [a, false])) as CaseCan;
}

export class CaseService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #settings: SettingsService;
  readonly #can: CanFor | undefined;
  readonly #locate: LocateCase | undefined;

  constructor(deps: { db: Db; clock: Clock; log: Logger; settings?: SettingsService; can?: CanFor; locate?: LocateCase }) {
    this.#can = deps.can;
    this.#locate = deps.locate;
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#settings = deps.settings ?? new SettingsService({ db: deps.db, clock: deps.clock, log: deps.log });
  }

  /**
   * Staff registration. Validates (again) and creates a case with its parties. A mediator's
   * registration is window intake (受理): the case is registered and, in the same transaction,
   * taken on by that mediator (`take_on`: assigned to them in their unit, time limit running),
   * both on the timeline, so they can mediate and close it. Anyone else's (grid worker, admin)
   * starts `reported` and waits for the centre to register it.
   */
  async create(input: CreateCaseRequest | CreateCaseInput, principal: StaffPrincipal): Promise<CaseDetail> {
    const { location, ...data } = createCaseRequest.parse(input);
    const isMediator = principal.role === 'mediator';
    const rules = isMediator ? await this.#settings.activeRuleSet() : undefined;
    const { id } = await transaction(this.#db, async (tx) => {
      await lockCaseIntake(tx, this.#clock);
      const where = this.#locate ? await this.#locate({ ...data, location }, tx) : {};
      const created = await insertCase(
        tx,
        this.#clock,
        {
          ...data,
          ...where,
          source: data.source ?? (principal.role === 'gridworker' ? 'grid' : 'walk_in'),
          state: isMediator ? 'registered' : 'reported',
          createdById: principal.userId,
          leadMediatorId: isMediator ? principal.userId : null,
        },
        actorOf(principal),
      );
      if (rules) {
        const from: CaseState = 'registered';
        const to = applyTransition(from, 'take_on', principal.role);
        const now = this.#clock.now();
        const p = parseActionPayload('take_on', {});
        const { update, data: entry } = await takeOnChange(tx, data, principal, rules, p, { from, to, now });
        await tx.case.update({ where: { id: created.id }, data: update });
        await appendTimeline(tx, { caseId: created.id, type: 'case.take_on', actor: actorOf(principal), at: now, data: entry });
      }
      return created;
    });
    this.#log.info('case created', { caseId: id, by: principal.userId });
    return this.get(id, principal);
  }

  async viewContext(): Promise<ViewContext> {
    const { ruleSet } = await this.#settings.activeRuleSet();
    return { now: this.#clock.now(), yellowShare: ruleSet.yellowShare };
  }

  /** Cases in work-queue order (red first; see sortCases). Phones are masked. */
  async list(principal?: StaffPrincipal, filter: CaseListFilter = {}): Promise<CaseSummary[]> {
    const where: Prisma.CaseWhereInput = {};
    if (filter.state !== undefined) where.state = caseState.parse(filter.state);
    if (filter.unitId !== undefined) where.unitId = filter.unitId;
    if (filter.mine && principal) {
      if (principal.role === 'mediator') where.leadMediatorId = principal.userId;
      else if (principal.role === 'gridworker') where.createdById = principal.userId;
      else if (principal.role === 'official') {
        const me = await this.#db.user.findUnique({ where: { id: principal.userId }, select: { unitId: true } });
        where.OR = [{ leadMediatorId: principal.userId }, ...(me?.unitId ? [{ unitId: me.unitId }] : [])];
      }
    }
    const ctx = await this.viewContext();
    const rows = await this.#db.case.findMany({ where, include: caseInclude, orderBy: [{ createdAt: 'desc' }, { caseNumber: 'desc' }] });
    let out = rows.map((r) => toSummary(r, ctx));
    if (filter.light !== undefined) {
      const light = filter.light === 'none' ? null : (lights as readonly string[]).includes(filter.light) ? filter.light : undefined;
      if (light === undefined) throw badRequest('Invalid filter', { light: `One of ${lights.join(', ')}, none` });
      out = out.filter((c) => c.light === light);
    }
    return sortCases(out, ctx);
  }

  async get(caseId: string, principal?: StaffPrincipal): Promise<CaseDetail> {
    const row = await this.#db.case.findUnique({ where: { id: caseId }, include: caseInclude });
    if (!row) throw notFound('Case');
    const can = principal && this.#can ? await this.#can(principal, caseId) : nothingAllowed();
    return toDetail(row, await this.viewContext(), principal?.role, can, principal?.userId);
  }

  /** The stored entries, each with its actor resolved to a display name and role (the entries themselves are unchanged). */
  async timeline(caseId: string): Promise<TimelineEntryView[]> {
    await this.#exists(caseId);
    return resolveActors(this.#db, await listTimeline(this.#db, caseId));
  }

  async verifyTimeline(caseId: string): Promise<TimelineVerification> {
    await this.#exists(caseId);
    return verifyChain(this.#db, caseId);
  }

  /**
   * A party's phone number, unmasked, for the case's responsible mediator or its supervisors.
   * Every reveal is written to the timeline (who, which party; never the number).
   */
  async revealContact(caseId: string, partyId: string, principal: StaffPrincipal): Promise<PartyContact> {
    const contact = await transaction(this.#db, async (tx) => {
      // Who may reveal is the route's object rule `contact.reveal` (server/access/caseAccess.ts).
      await lockCase(tx, caseId);
      const party = await tx.party.findUnique({ where: { id: partyId } });
      if (!party || party.caseId !== caseId) throw notFound('Party');
      await appendTimeline(tx, {
        caseId,
        type: 'party.contact_revealed',
        actor: actorOf(principal),
        at: this.#clock.now(),
        data: { partyId, side: party.side, field: 'phone', by: principal.displayName, role: principal.role },
      });
      return { partyId, side: party.side as PartySide, name: party.name, phone: party.phone };
    });
    this.#log.info('party contact revealed', { caseId, partyId, by: principal.userId });
    return contact;
  }

  async #exists(caseId: string): Promise<void> {
    const row = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!row) throw notFound('Case');
  }
}
