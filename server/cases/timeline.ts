import { createHash } from 'node:crypto';
import type { Db, Prisma } from '../db/client.ts';
import { newId } from '../ids.ts';
import { lockCase } from './caseLock.ts';
import type { TimelineType } from '../protocol/timelineTypes.ts';
import type { TimelineActorInfo, TimelineEntryInfo, TimelineEntryView, TimelineVerification } from '../protocol/api.ts';

/*
 * Append-only, hash-chained case history. Each entry's hash covers its content and the previous
 * entry's hash, so editing or removing an entry breaks the chain from there on.
 *
 * The chain head (last seq and hash) is also stored on the Case row, written in the same
 * transaction as the entry, so deleting the newest entries (which leaves a shorter, internally
 * valid chain) is detected too. What this does NOT stop: someone with write access to the
 * database who rewrites the entries AND the head consistently. Stopping that needs a secret the
 * database does not hold (an HMAC over the head) or an external anchor (periodically exported or
 * sealed head hashes); see server/http/README.md.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** Entry types: the list in server/protocol/timelineTypes.ts (the UI labels each one). */
export type { TimelineType };

export interface AppendTimelineInput {
  caseId: string;
  type: TimelineType;
  /** Who did it: `user:<id>`, `invitation:<id>`, `followup-link:<id>`, `public` or `system`. Never a name or phone number. */
  actor: string;
  /** JSON-serialisable; no phone or ID numbers. */
  data: Record<string, unknown>;
  at: Date;
}

export type TimelineEntryRecord = TimelineEntryInfo;
export type ChainVerification = TimelineVerification;

/** JSON with object keys sorted recursively and no whitespace; `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in timeline data');
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      throw new Error(`unsupported ${typeof value} in timeline data`);
    }
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(e: { caseId: string; seq: number; type: string; actor: string; data: unknown; at: Date; prevHash: string }): string {
  const canonical = canonicalJson({
    caseId: e.caseId,
    seq: e.seq,
    type: e.type,
    actor: e.actor,
    data: e.data,
    at: e.at.toISOString(),
    prevHash: e.prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Appends one entry. Call inside the transaction that made the change it records. The case row is
 * locked before the chain's last entry is read, so concurrent appends queue up and the chain stays
 * one chain (the caller has normally locked it already: server/cases/caseLock.ts).
 */
export async function appendTimeline(tx: Prisma.TransactionClient, input: AppendTimelineInput): Promise<{ seq: number; hash: string }> {
  await lockCase(tx, input.caseId);
  const last = await tx.timelineEntry.findFirst({
    where: { caseId: input.caseId },
    orderBy: { seq: 'desc' },
    select: { seq: true, hash: true },
  });
  const entry = chained(input, last);
  await tx.timelineEntry.create({ data: entry });
  await tx.case.update({ where: { id: input.caseId }, data: { chainSeq: entry.seq, chainHash: entry.hash } });
  return { seq: entry.seq, hash: entry.hash };
}

/**
 * Appends several entries of one case in order, with one read of the chain head and one write of
 * each table (e.g. many people entering a room at once: server/cases/SessionService.ts).
 */
export async function appendTimelineEntries(
  tx: Prisma.TransactionClient,
  caseId: string,
  inputs: ReadonlyArray<Omit<AppendTimelineInput, 'caseId'>>,
): Promise<void> {
  if (inputs.length === 0) return;
  await lockCase(tx, caseId);
  let last: { seq: number; hash: string } | null = await tx.timelineEntry.findFirst({
    where: { caseId },
    orderBy: { seq: 'desc' },
    select: { seq: true, hash: true },
  });
  const entries = inputs.map((input) => (last = chained({ ...input, caseId }, last)));
  await tx.timelineEntry.createMany({ data: entries });
  await tx.case.update({ where: { id: caseId }, data: { chainSeq: last!.seq, chainHash: last!.hash } });
}

/** The row of `input` following `last` (null: the first entry) in its case's chain. */
function chained(input: AppendTimelineInput, last: { seq: number; hash: string } | null) {
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Round-trip through canonical JSON so what is hashed is exactly what is stored.
  const dataJson = canonicalJson(input.data);
  const data: unknown = JSON.parse(dataJson);
  const at = new Date(input.at.getTime());
  const hash = entryHash({ caseId: input.caseId, seq, type: input.type, actor: input.actor, data, at, prevHash });
  return { id: newId(), caseId: input.caseId, seq, type: input.type, actor: input.actor, data: dataJson, at, prevHash, hash };
}

export async function listTimeline(db: Db | Prisma.TransactionClient, caseId: string): Promise<TimelineEntryRecord[]> {
  const rows = await db.timelineEntry.findMany({ where: { caseId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => ({
    seq: r.seq,
    type: r.type,
    actor: r.actor,
    data: safeParse(r.data),
    at: r.at.toISOString(),
    prevHash: r.prevHash,
    hash: r.hash,
  }));
}

/** Display labels for actors that are not a person with a name on record. */
export const actorLabels = {
  public: '群众（网上报事）',
  system: '系统',
  followupLink: '当事人（回访链接）',
  signingLink: '当事人（签署链接）',
  judicialLink: '当事人（司法确认申请链接）',
  unknown: '未知',
} as const;

/**
 * Resolves each entry's `actor` reference to a display name and role for reading. The stored
 * entries (and so the hash chain) are not touched. One query per kind of reference.
 */
export async function resolveActors(db: Db | Prisma.TransactionClient, entries: readonly TimelineEntryRecord[]): Promise<TimelineEntryView[]> {
  const idsOf = (prefix: string) => [...new Set(entries.filter((e) => e.actor.startsWith(prefix)).map((e) => e.actor.slice(prefix.length)))];
  const userIds = idsOf('user:');
  const invitationIds = idsOf('invitation:');
  const signingLinkIds = idsOf('signing-link:');
  const judicialLinkIds = idsOf('judicial-link:');
  const [users, invitations, signingLinks, judicialLinks] = await Promise.all([
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true, role: true } }) : [],
    invitationIds.length ? db.invitation.findMany({ where: { id: { in: invitationIds } }, select: { id: true, displayName: true, role: true } }) : [],
    signingLinkIds.length ? db.agreementSigningLink.findMany({ where: { id: { in: signingLinkIds } }, select: { id: true, partyId: true } }) : [],
    judicialLinkIds.length ? db.judicialApplicationLink.findMany({ where: { id: { in: judicialLinkIds } }, select: { id: true, partyId: true } }) : [],
  ]);
  const partyIds = [...new Set([...signingLinks, ...judicialLinks].map((l) => l.partyId))];
  const parties = partyIds.length ? await db.party.findMany({ where: { id: { in: partyIds } }, select: { id: true, name: true } }) : [];
  const userMap = new Map(users.map((u) => [u.id, u]));
  const invitationMap = new Map(invitations.map((i) => [i.id, i]));
  const partyName = new Map(parties.map((p) => [p.id, p.name]));
  const linkParty = new Map(signingLinks.map((l) => [l.id, partyName.get(l.partyId)]));
  const judicialLinkParty = new Map(judicialLinks.map((l) => [l.id, partyName.get(l.partyId)]));

  const resolve = (actor: string): TimelineActorInfo => {
    const colon = actor.indexOf(':');
    const prefix = colon < 0 ? actor : actor.slice(0, colon);
    const id = colon < 0 ? '' : actor.slice(colon + 1);
    switch (prefix) {
      case 'user': {
        const u = userMap.get(id);
        return u ? { kind: 'user', name: u.displayName, role: u.role } : { kind: 'user', name: actorLabels.unknown, role: null };
      }
      case 'invitation': {
        const i = invitationMap.get(id);
        return i ? { kind: 'invitation', name: i.displayName, role: i.role } : { kind: 'invitation', name: actorLabels.unknown, role: null };
      }
      case 'followup-link':
        return { kind: 'followup-link', name: actorLabels.followupLink, role: 'party' };
      case 'signing-link':
        return { kind: 'signing-link', name: linkParty.get(id) ?? actorLabels.signingLink, role: 'party' };
      // A party's judicial application link (server/judicial): shown as the party's link, like a signing link.
      case 'judicial-link':
        return { kind: 'signing-link', name: judicialLinkParty.get(id) ?? actorLabels.judicialLink, role: 'party' };
      case 'public':
        return { kind: 'public', name: actorLabels.public, role: 'public' };
      case 'system':
        return { kind: 'system', name: actorLabels.system, role: 'system' };
      default:
        return { kind: 'unknown', name: actorLabels.unknown, role: null };
    }
  };
  return entries.map((e) => {
    const a = resolve(e.actor);
    return { ...e, actorName: a.name, actorRole: a.role, actorKind: a.kind };
  });
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** Recomputes the chain of a case from the stored rows and checks it ends at the head stored on the case. */
export async function verifyChain(db: Db | Prisma.TransactionClient, caseId: string): Promise<ChainVerification> {
  const head = await db.case.findUnique({ where: { id: caseId }, select: { chainSeq: true, chainHash: true } });
  const rows = await db.timelineEntry.findMany({ where: { caseId }, orderBy: { seq: 'asc' } });
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return { ok: false, firstBrokenSeq: expectedSeq, reason: `entry ${expectedSeq} is missing (next stored entry is ${row.seq})` };
    }
    if (row.prevHash !== prevHash) {
      return { ok: false, firstBrokenSeq: row.seq, reason: `entry ${row.seq} does not link to the previous entry` };
    }
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch {
      return { ok: false, firstBrokenSeq: row.seq, reason: `entry ${row.seq} has unreadable data` };
    }
    const hash = entryHash({ caseId: row.caseId, seq: row.seq, type: row.type, actor: row.actor, data, at: row.at, prevHash: row.prevHash });
    if (hash !== row.hash) {
      return { ok: false, firstBrokenSeq: row.seq, reason: `entry ${row.seq} was modified (hash mismatch)` };
    }
    prevHash = row.hash;
    expectedSeq += 1;
  }
  if (head) {
    const last = rows.length;
    if (head.chainSeq > last) {
      return { ok: false, firstBrokenSeq: last + 1, reason: `entry ${last + 1} is missing (the case's chain head records ${head.chainSeq} entries)` };
    }
    if (head.chainSeq < last) {
      return {
        ok: false,
        firstBrokenSeq: head.chainSeq + 1,
        reason: `entry ${head.chainSeq + 1} is not in the case's chain head (added behind the server's back)`,
      };
    }
    if (head.chainHash !== prevHash) {
      return { ok: false, firstBrokenSeq: Math.max(last, 1), reason: `entry ${Math.max(last, 1)} does not match the case's chain head` };
    }
  }
  return { ok: true, entries: rows.length };
}
