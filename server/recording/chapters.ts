import type { Db } from '../db/client.ts';
import type { ComposeChapter } from './composePlan.ts';

/** Chapter titles in the composed file (both languages: the file is read by people using either). */
export const chapterTitles = {
  caucus: '背对背 Caucus',
  paused: '录制暂停 Recording paused',
} as const;

const pairs = {
  caucus: { open: 'caucus.started', close: 'caucus.ended' },
  paused: { open: 'recording.paused', close: 'recording.resumed' },
} as const;

/**
 * The session's caucus periods and pauses, from the case timeline (entries whose data names the
 * session or the recording), as chapters. A period still open at the end runs to `end`.
 */
export async function sessionChapters(db: Db, r: { id: string; caseId: string; sessionId: string }, end: Date): Promise<ComposeChapter[]> {
  const types = Object.values(pairs).flatMap((p) => [p.open, p.close]);
  const rows = await db.timelineEntry.findMany({
    where: { caseId: r.caseId, type: { in: types } },
    orderBy: { seq: 'asc' },
    select: { type: true, data: true, at: true },
  });
  const out: ComposeChapter[] = [];
  for (const [kind, pair] of Object.entries(pairs) as Array<[keyof typeof pairs, (typeof pairs)[keyof typeof pairs]]>) {
    let openAt: Date | null = null;
    for (const row of rows) {
      const data = parse(row.data);
      if (data.sessionId !== r.sessionId && data.recordingId !== r.id) continue;
      if (row.type === pair.open && openAt === null) openAt = row.at;
      else if (row.type === pair.close && openAt !== null) {
        out.push({ title: chapterTitles[kind], from: openAt, to: row.at });
        openAt = null;
      }
    }
    if (openAt !== null) out.push({ title: chapterTitles[kind], from: openAt, to: end });
  }
  return out.sort((a, b) => a.from.getTime() - b.from.getTime());
}

function parse(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
