/*
 * Database rows → API views for the case loop. Lights are computed here, from the injected
 * clock's `now`, on every read (never stored). Phones and ID numbers leave only masked.
 */
import {
  closedStates,
  disputeTypes,
  type CaseState,
  type Department,
  type DisputeType,
  type Grade,
  type Level,
  type Light,
  type Satisfaction,
  type UnitKind,
} from '../protocol/caseLoop.ts';
import { availableActions, computeLight, isCaseState, sortForWorkQueue, zh, type ActorRole } from '../caseloop/index.ts';
import type { Prisma } from '../db/client.ts';
import {
  caseSources,
  type CaseCan,
  type CaseDetail,
  type CaseSource,
  type CaseSummary,
  type PartyDetail,
  type PartySummary,
  type UnitInfo,
  type UnitRef,
} from '../protocol/cases.ts';
import type { PartySide } from '../protocol/roles.ts';
import { maskIdNumber, maskPhone } from './masking.ts';

export const caseInclude = {
  parties: { orderBy: { position: 'asc' } },
  mediations: { where: { status: 'open', kind: 'mediation' }, select: { id: true }, orderBy: { startedAt: 'desc' }, take: 1 },
  leadMediator: { select: { id: true, displayName: true } },
  unit: true,
  supervisionNotes: { where: { answeredAt: null }, select: { dueAt: true } },
} as const satisfies Prisma.CaseInclude;

export type CaseWithRelations = Prisma.CaseGetPayload<{ include: typeof caseInclude }>;

export interface ViewContext {
  now: Date;
  yellowShare: number;
}

type UnitRow = { id: string; name: string; kind: string; level: string; department: string | null; active: boolean };

export function toUnitRef(u: UnitRow): UnitRef {
  return { id: u.id, name: u.name, kind: u.kind as UnitKind, level: u.level as Level };
}

export function toUnitInfo(u: UnitRow): UnitInfo {
  return { ...toUnitRef(u), department: (u.department as Department | null) ?? null, active: u.active };
}

export function stateOf(row: { state: string }): CaseState {
  if (!isCaseState(row.state)) throw new Error(`unknown case state in database: ${row.state}`);
  return row.state;
}

export const isClosedState = (s: CaseState): boolean => closedStates.includes(s);

export function disputeTypeOf(row: { disputeType: string }): DisputeType {
  return (disputeTypes as readonly string[]).includes(row.disputeType) ? (row.disputeType as DisputeType) : 'other';
}

/**
 * null while no time limit runs (the case is not routed yet); 'done' once closed;
 * otherwise green / yellow / red at `now`.
 */
export function lightOf(c: { state: string; startedAt: Date | null; deadlineAt: Date | null; closedAt: Date | null }, ctx: ViewContext): Light | null {
  const state = stateOf(c);
  const closed = isClosedState(state);
  if (!c.startedAt || !c.deadlineAt) return closed ? 'done' : null;
  return computeLight({
    startedAt: c.startedAt,
    deadlineAt: c.deadlineAt,
    closedAt: closed ? (c.closedAt ?? ctx.now) : null,
    now: ctx.now,
    yellowShare: ctx.yellowShare,
  });
}

function partySummary(p: { id: string; side: string; name: string; phone: string }): PartySummary {
  return { id: p.id, side: p.side as PartySide, name: p.name, phoneMasked: maskPhone(p.phone) };
}

function partyDetail(p: { id: string; side: string; name: string; phone: string; idNumber: string | null }): PartyDetail {
  return { ...partySummary(p), idNumberMasked: p.idNumber ? maskIdNumber(p.idNumber) : null };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toSummary(c: CaseWithRelations, ctx: ViewContext): CaseSummary {
  const state = stateOf(c);
  const nowMs = ctx.now.getTime();
  return {
    id: c.id,
    caseNumber: c.caseNumber,
    disputeType: disputeTypeOf(c),
    title: c.title,
    createdAt: c.createdAt.toISOString(),
    parties: c.parties.map(partySummary),
    activeSessionId: c.mediations[0]?.id ?? null,
    state,
    stateLabel: zh.states[state],
    grid: c.grid,
    source: (caseSources as readonly string[]).includes(c.source) ? (c.source as CaseSource) : 'other',
    grade: (c.grade as Grade | null) ?? null,
    level: (c.level as Level | null) ?? null,
    unit: c.unit ? toUnitRef(c.unit) : null,
    leadMediator: c.leadMediator ? { id: c.leadMediator.id, displayName: c.leadMediator.displayName } : null,
    timeLimitDays: c.timeLimitDays,
    startedAt: iso(c.startedAt),
    deadlineAt: iso(c.deadlineAt),
    closedAt: iso(c.closedAt),
    light: lightOf(c, ctx),
    followUpDueAt: iso(c.followUpDueAt),
    followUpOverdue: (state === 'closed_settled' || state === 'closed_unsettled') && c.followUpDueAt !== null && c.followUpDueAt.getTime() < nowMs,
    supervision: {
      open: c.supervisionNotes.length,
      overdue: c.supervisionNotes.filter((n) => n.dueAt.getTime() < nowMs).length,
    },
  };
}

/** `userId`: the viewer; taking a registered case on is offered only to the mediator who registered it. */
export function toDetail(c: CaseWithRelations, ctx: ViewContext, role: ActorRole | undefined, can: CaseCan, userId?: string): CaseDetail {
  const summary = toSummary(c, ctx);
  return {
    ...summary,
    description: c.description,
    district: c.district,
    town: c.town,
    community: c.community,
    grid: c.grid,
    parties: c.parties.map(partyDetail),
    settled: c.settled,
    agreementId: c.agreementId,
    lastSatisfaction: (c.lastSatisfaction as Satisfaction | null) ?? null,
    // start_mediation happens by starting a session, not through the actions endpoint.
    availableActions: role
      ? availableActions(summary.state, role).filter((a) => a !== 'start_mediation' && (a !== 'take_on' || c.leadMediatorId === userId))
      : [],
    can,
  };
}

/**
 * The order of every case list — red pinned to the top:
 * red (most overdue first), yellow, green (each by deadline), then cases with no time limit
 * running yet (awaiting triage, newest first), then closed ones (most recently closed first).
 */
export function sortCases<T extends { state: CaseState; startedAt: string | null; deadlineAt: string | null; closedAt: string | null; createdAt: string }>(
  cases: readonly T[],
  ctx: ViewContext,
): T[] {
  const timed: Array<T & { startedAt: string; deadlineAt: string }> = [];
  const untimed: T[] = [];
  const closedUntimed: T[] = [];
  for (const c of cases) {
    if (c.startedAt !== null && c.deadlineAt !== null) timed.push(c as T & { startedAt: string; deadlineAt: string });
    else if (isClosedState(c.state)) closedUntimed.push(c);
    else untimed.push(c);
  }
  const sorted = sortForWorkQueue(
    timed.map((c) => ({
      c,
      startedAt: c.startedAt,
      deadlineAt: c.deadlineAt,
      closedAt: isClosedState(c.state) ? (c.closedAt ?? ctx.now) : null,
      yellowShare: ctx.yellowShare,
    })),
    ctx.now,
  );
  const open = sorted.filter((s) => s.closedAt === null).map((s) => s.c);
  const done = sorted.filter((s) => s.closedAt !== null).map((s) => s.c);
  const newestFirst = (a: T, b: T) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);
  return [...open, ...untimed.sort(newestFirst), ...done, ...closedUntimed.sort(newestFirst)];
}

/* ---- dates ---- */

const CST_OFFSET_MS = 8 * 3600_000;

/** 'YYYY-MM-DD' → that day's start (or end) in China time; an ISO date-time is taken as is. */
export function parseDateInput(s: string, endOfDay = false): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const start = Date.parse(`${s}T00:00:00.000Z`) - CST_OFFSET_MS;
    return new Date(endOfDay ? start + 24 * 3600_000 - 1 : start);
  }
  return new Date(s);
}

/** Start of the China-time calendar day containing `d`. */
export function startOfCstDay(d: Date): Date {
  const shifted = d.getTime() + CST_OFFSET_MS;
  return new Date(shifted - (shifted % (24 * 3600_000)) - CST_OFFSET_MS);
}
