import type { Db, Prisma } from '../db/client.ts';
import { recordEventKinds, recordEventSources, type RecordEvent, type RecordEventKind } from '../protocol/mediationRecord.ts';

/*
 * The record's automatic events are the case's hash-chained timeline entries of the session, read
 * (never copied into the record): joins and leaves, caucus start and end, the whistle answered,
 * the agreement frozen, recording paused and resumed. Nothing the recorder writes can change or
 * remove them, and the frozen revision's hash covers each entry's own hash.
 *
 * An entry belongs to the session when its data names the session; one that names none (the
 * agreement frozen) when it happened while the session ran.
 */

const kindOfType = new Map<string, RecordEventKind>(recordEventKinds.map((k) => [recordEventSources[k], k]));
const sourceTypes = [...kindOfType.keys()];

export interface SessionSpan {
  id: string;
  caseId: string;
  startedAt: Date;
  endedAt: Date | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const name = (d: Record<string, unknown>): string | null => str(d.displayName);
const none = (): null => null;

/** Who the entry names, per kind (a display name, a department and who answered, the caucus members). */
const whoOf: Record<RecordEventKind, (data: Record<string, unknown>) => string | null> = {
  joined: name,
  left: name,
  caucus_started: (d) =>
    Array.isArray(d.members)
      ? (d.members as Array<{ displayName?: unknown }>)
          .map((m) => str(m.displayName))
          .filter(Boolean)
          .join('、') || null
      : null,
  caucus_ended: none,
  whistle_accepted: (d) => [str(d.unitName), str(d.by)].filter(Boolean).join(' ') || null,
  agreement_frozen: none,
  recording_paused: none,
  recording_resumed: none,
};

/** The session's events, oldest first; with `uptoSeq`, only entries up to that timeline position (a frozen revision's). */
export async function sessionEvents(db: Db | Prisma.TransactionClient, s: SessionSpan, uptoSeq?: number | null): Promise<RecordEvent[]> {
  const rows = await db.timelineEntry.findMany({
    where: { caseId: s.caseId, type: { in: sourceTypes }, ...(uptoSeq != null ? { seq: { lte: uptoSeq } } : {}), at: { gte: s.startedAt } },
    orderBy: { seq: 'asc' },
  });
  const out: RecordEvent[] = [];
  for (const r of rows) {
    const kind = kindOfType.get(r.type)!;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(r.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    const named = typeof data.sessionId === 'string' ? data.sessionId : null;
    const inSession = named !== null ? named === s.id : s.endedAt === null || r.at.getTime() <= s.endedAt.getTime();
    if (!inSession) continue;
    out.push({ seq: r.seq, hash: r.hash, kind, at: r.at.toISOString(), who: whoOf[kind](data) });
  }
  return out;
}

/** The timeline's last position (what a frozen revision's events end at). */
export async function timelineHead(tx: Prisma.TransactionClient, caseId: string): Promise<number> {
  const last = await tx.timelineEntry.findFirst({ where: { caseId }, orderBy: { seq: 'desc' }, select: { seq: true } });
  return last?.seq ?? 0;
}
