import type { StaffPrincipal } from '../auth/principals.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { ComposeState, RecordingInfo, RecordingTrackInfo } from '../protocol/recording.ts';
import { composeStates } from '../protocol/recording.ts';
import { fileIn, recordingFolder, sizeOf } from './files.ts';

type TrackRow = {
  id: string;
  displayName: string;
  role: string;
  side: string | null;
  kind: string;
  source: string;
  codec: string;
  startedAt: Date;
  endedAt: Date | null;
  bytes: number | null;
  sha256: string | null;
  gaps: string;
};

const kinds = ['audio', 'video'] as const;
const sources = ['mic', 'webcam', 'screen'] as const;
const gapReasons = ['recorder_restarted', 'paused'] as const;

function oneOf<T extends string>(list: readonly T[], v: string, fallback: T): T {
  return (list as readonly string[]).includes(v) ? (v as T) : fallback;
}

function gapsOf(json: string): RecordingTrackInfo['gaps'] {
  try {
    const v: unknown = JSON.parse(json);
    if (!Array.isArray(v)) return [];
    return v.flatMap((g: { from?: unknown; to?: unknown; reason?: unknown }) =>
      typeof g?.from === 'string' && typeof g.to === 'string'
        ? [{ from: g.from, to: g.to, reason: oneOf(gapReasons, String(g.reason), 'recorder_restarted') }]
        : [],
    );
  } catch {
    return [];
  }
}

function trackInfo(t: TrackRow): RecordingTrackInfo {
  return {
    id: t.id,
    displayName: t.displayName,
    role: t.role,
    side: t.side,
    kind: oneOf(kinds, t.kind, 'audio'),
    source: oneOf(sources, t.source, 'mic'),
    codec: t.codec,
    startedAt: t.startedAt.toISOString(),
    endedAt: t.endedAt?.toISOString() ?? null,
    bytes: t.bytes,
    sha256: t.sha256,
    gaps: gapsOf(t.gaps),
  };
}

export interface RecordingFile {
  path: string;
  /** The download's file name. */
  name: string;
  contentType: string;
  caseId: string;
  recordingId: string;
  trackId: string | null;
}

/**
 * The recordings of a case as staff see them (list, files for playback and download), the
 * timeline entries every playback and download leaves, and re-queueing a composition. Who may
 * is the routes' object rule `recording.review` / `recording.compose` (server/access/caseAccess.ts).
 */
export class RecordingLibrary {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #dir: string;
  readonly #deleteAfter: (endedAt: Date) => Date;
  readonly #onQueued: () => void;

  constructor(deps: { db: Db; clock: Clock; recordingDir: string; deleteAfter: (endedAt: Date) => Date; onQueued: () => void }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#dir = deps.recordingDir;
    this.#deleteAfter = deps.deleteAfter;
    this.#onQueued = deps.onQueued;
  }

  async listForCase(caseId: string): Promise<RecordingInfo[]> {
    const rows = await this.#db.recording.findMany({
      where: { caseId },
      include: { tracks: { orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] } },
      orderBy: { startedAt: 'desc' },
    });
    return rows.map((r) => {
      const tracks = r.tracks.map(trackInfo);
      const live = r.deletedAt === null;
      return {
        id: r.id,
        sessionId: r.sessionId,
        startedAt: r.startedAt.toISOString(),
        endedAt: r.endedAt?.toISOString() ?? null,
        compose: {
          state: oneOf<ComposeState>(composeStates, r.composeState, 'none'),
          progress: r.composeProgress,
          bytes: r.composedBytes,
          sha256: r.composedSha256,
        },
        tracks,
        totalBytes: live ? tracks.reduce((n, t) => n + (t.bytes ?? 0), 0) + (r.composedBytes ?? 0) : 0,
        deleteAfter: r.endedAt ? this.#deleteAfter(r.endedAt).toISOString() : null,
        deletedAt: r.deletedAt?.toISOString() ?? null,
      };
    });
  }

  /** The composed file, or one track file, of a recording whose files are still there (404 otherwise). */
  async file(recordingId: string, trackId: string | null): Promise<RecordingFile> {
    const r = await this.#db.recording.findUnique({
      where: { id: recordingId },
      select: { id: true, caseId: true, startedAt: true, deletedAt: true, composedPath: true, composeState: true },
    });
    if (!r) throw notFound('Recording');
    if (r.deletedAt) throw new AppError('not_found', 'The files of this recording were deleted (retention)');
    const folder = recordingFolder(this.#dir, r.id);
    const day = r.startedAt.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    let file: RecordingFile;
    if (trackId === null) {
      if (r.composeState !== 'done' || !r.composedPath) throw new AppError('not_found', 'Not composed yet');
      file = {
        path: fileIn(folder, r.composedPath),
        name: `recording-${day}.webm`,
        contentType: 'video/webm',
        caseId: r.caseId,
        recordingId: r.id,
        trackId: null,
      };
    } else {
      const t = await this.#db.recordingTrack.findFirst({ where: { id: trackId, recordingId }, select: { id: true, path: true, kind: true } });
      if (!t) throw notFound('Track');
      const ext = t.path.endsWith('.mkv') ? 'mkv' : 'webm';
      const contentType = ext === 'mkv' ? 'video/x-matroska' : t.kind === 'audio' ? 'audio/webm' : 'video/webm';
      file = {
        path: fileIn(folder, t.path),
        name: `recording-${day}-${t.kind}-${t.id}.${ext}`,
        contentType,
        caseId: r.caseId,
        recordingId: r.id,
        trackId: t.id,
      };
    }
    if ((await sizeOf(file.path)) === null) throw new AppError('not_found', 'Recording file not found');
    return file;
  }

  /** `recording.played` (the first request of a playback) or `recording.downloaded`, by whom. */
  async noteAccess(file: RecordingFile, what: 'played' | 'downloaded', by: StaffPrincipal): Promise<void> {
    await transaction(this.#db, (tx) =>
      appendTimeline(tx, {
        caseId: file.caseId,
        type: what === 'played' ? 'recording.played' : 'recording.downloaded',
        actor: `user:${by.userId}`,
        at: this.#clock.now(),
        data: { recordingId: file.recordingId, ...(file.trackId ? { trackId: file.trackId } : {}), by: `user:${by.userId}` },
      }),
    );
  }

  /** Queues the composition again (failed, or never queued), for a session that has ended. */
  async requeue(recordingId: string): Promise<void> {
    const q = await this.#db.recording.updateMany({
      where: { id: recordingId, state: 'stopped', deletedAt: null, composeState: { in: ['failed', 'none'] } },
      data: { composeState: 'queued', composeProgress: 0, composeError: null },
    });
    if (q.count !== 1) throw conflict('Only a failed (or never queued) composition of an ended, kept recording can be queued');
    this.#onQueued();
  }

  /** Bytes of the recordings' files still kept (track files and composed files), for the dashboard. */
  async totalBytes(): Promise<number> {
    const [tracks, composed, open] = await Promise.all([
      this.#db.recordingTrack.aggregate({ _sum: { bytes: true }, where: { recording: { deletedAt: null } } }),
      this.#db.recording.aggregate({ _sum: { composedBytes: true }, where: { deletedAt: null } }),
      // Tracks still being written have no size on the row yet: their files are measured.
      this.#db.recordingTrack.findMany({ where: { bytes: null, recording: { deletedAt: null } }, select: { recordingId: true, path: true } }),
    ]);
    let total = (tracks._sum.bytes ?? 0) + (composed._sum.composedBytes ?? 0);
    for (const t of open) {
      try {
        total += (await sizeOf(fileIn(recordingFolder(this.#dir, t.recordingId), t.path))) ?? 0;
      } catch {
        // a path outside the folder counts nothing
      }
    }
    return total;
  }
}
