import { createHash } from 'node:crypto';
import type { Db, Prisma } from '../db/client.ts';
import { newId } from '../ids.ts';
import type { TimelineEntryInfo, TimelineVerification } from '../protocol/api.ts';

/*
 * Append-only, hash-chained case history. Each entry's hash covers its content and the previous
 * entry's hash, so editing or removing an entry breaks the chain from there on. (Removing the
 * newest entries leaves a shorter valid chain; that needs an external anchor to detect.)
 */

export const GENESIS_HASH = '0'.repeat(64);

export type TimelineType =
  | 'case.created'
  | 'session.started'
  | 'session.ended'
  | 'session.joined'
  | 'session.left'
  | 'invitation.created'
  | 'invitation.revoked';

export interface AppendTimelineInput {
  caseId: string;
  type: TimelineType;
  /** Who did it: `user:<id>`, `invitation:<id>` or `system`. Never a name or phone number. */
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

/** Appends one entry. Call inside the transaction that made the change it records. */
export async function appendTimeline(tx: Prisma.TransactionClient, input: AppendTimelineInput): Promise<{ seq: number; hash: string }> {
  const last = await tx.timelineEntry.findFirst({
    where: { caseId: input.caseId },
    orderBy: { seq: 'desc' },
    select: { seq: true, hash: true },
  });
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Round-trip through canonical JSON so what is hashed is exactly what is stored.
  const dataJson = canonicalJson(input.data);
  const data: unknown = JSON.parse(dataJson);
  const at = new Date(input.at.getTime());
  const hash = entryHash({ caseId: input.caseId, seq, type: input.type, actor: input.actor, data, at, prevHash });
  await tx.timelineEntry.create({
    data: { id: newId(), caseId: input.caseId, seq, type: input.type, actor: input.actor, data: dataJson, at, prevHash, hash },
  });
  return { seq, hash };
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

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** Recomputes the chain of a case from the stored rows. */
export async function verifyChain(db: Db | Prisma.TransactionClient, caseId: string): Promise<ChainVerification> {
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
  return { ok: true, entries: rows.length };
}
