import type { z } from 'zod';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { createCaseRequest, disputeTypes, type CaseDetail, type CaseSummary, type CreateCaseRequest, type DisputeType, type PartySummary } from '../protocol/cases.ts';
import type { TimelineEntryInfo, TimelineVerification } from '../protocol/api.ts';
import type { PartySide } from '../protocol/roles.ts';
import { allocateCaseNumber } from './caseNumbers.ts';
import { maskPhone } from './masking.ts';
import { appendTimeline, listTimeline, verifyChain } from './timeline.ts';

export type CreateCaseInput = z.output<typeof createCaseRequest>;

/** Case statuses: registered, a session has been held, closed (closing is not implemented yet). */
export const caseStatuses = ['pending', 'in_mediation', 'closed'] as const;

export const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export const actorOf = (p: StaffPrincipal) => `user:${p.userId}`;

type PartyRow = { id: string; side: string; name: string; phone: string; position: number };
type CaseRow = {
  id: string;
  caseNumber: string;
  disputeType: string;
  title: string;
  description: string;
  status: string;
  district: string | null;
  town: string | null;
  community: string | null;
  grid: string | null;
  createdAt: Date;
  parties: PartyRow[];
  mediations: { id: string }[];
  leadMediator: { id: string; displayName: string } | null;
};

const caseInclude = {
  parties: { orderBy: { position: 'asc' as const } },
  mediations: { where: { status: 'open' }, select: { id: true }, orderBy: { startedAt: 'desc' as const }, take: 1 },
  leadMediator: { select: { id: true, displayName: true } },
};

function partySummary(p: PartyRow): PartySummary {
  return { id: p.id, side: p.side as PartySide, name: p.name, phoneMasked: maskPhone(p.phone) };
}

function summary(c: CaseRow): CaseSummary {
  return {
    id: c.id,
    caseNumber: c.caseNumber,
    disputeType: (disputeTypes as readonly string[]).includes(c.disputeType) ? (c.disputeType as DisputeType) : 'other',
    title: c.title,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    parties: c.parties.map(partySummary),
    activeSessionId: c.mediations[0]?.id ?? null,
  };
}

function detail(c: CaseRow): CaseDetail {
  return {
    ...summary(c),
    description: c.description,
    district: c.district,
    town: c.town,
    community: c.community,
    grid: c.grid,
    leadMediator: c.leadMediator ? { id: c.leadMediator.id, displayName: c.leadMediator.displayName } : null,
  };
}

export class CaseService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { db: Db; clock: Clock; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** Validates (again) and creates a case with its parties; the creating mediator leads it. */
  async create(input: CreateCaseRequest | CreateCaseInput, principal: StaffPrincipal): Promise<CaseDetail> {
    const data = createCaseRequest.parse(input);
    const now = this.#clock.now();
    const caseId = await this.#db.$transaction(async (tx) => {
      const caseNumber = await allocateCaseNumber(tx, this.#clock);
      const id = newId();
      await tx.case.create({
        data: {
          id,
          caseNumber,
          disputeType: data.disputeType,
          title: data.title,
          description: data.description,
          status: 'pending',
          source: principal.role,
          district: data.district ?? null,
          town: data.town ?? null,
          community: data.community ?? null,
          grid: data.grid ?? null,
          createdById: principal.userId,
          leadMediatorId: principal.role === 'mediator' ? principal.userId : null,
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
        actor: actorOf(principal),
        at: now,
        data: {
          caseNumber,
          disputeType: data.disputeType,
          title: data.title,
          parties: data.parties.map((p) => ({ side: p.side, name: p.name })),
        },
      });
      return id;
    }, TX_OPTIONS);
    this.#log.info('case created', { caseId, by: principal.userId });
    return this.get(caseId);
  }

  /** All cases, newest first. Phones are masked. */
  async list(): Promise<CaseSummary[]> {
    const rows = await this.#db.case.findMany({
      include: caseInclude,
      orderBy: [{ createdAt: 'desc' }, { caseNumber: 'desc' }],
    });
    return rows.map(summary);
  }

  async get(caseId: string): Promise<CaseDetail> {
    const row = await this.#db.case.findUnique({ where: { id: caseId }, include: caseInclude });
    if (!row) throw notFound('Case');
    return detail(row);
  }

  async timeline(caseId: string): Promise<TimelineEntryInfo[]> {
    await this.#exists(caseId);
    return listTimeline(this.#db, caseId);
  }

  async verifyTimeline(caseId: string): Promise<TimelineVerification> {
    await this.#exists(caseId);
    return verifyChain(this.#db, caseId);
  }

  async #exists(caseId: string): Promise<void> {
    const row = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!row) throw notFound('Case');
  }
}
