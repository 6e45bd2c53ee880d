import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../server/db/client.ts';
import { newId } from '../../server/ids.ts';

/*
 * Real track files as the SFU's recorder writes them (one participant, one kind, one stretch;
 * WebM VP8 / Opus), made with ffmpeg from lavfi test sources, and their rows inserted through
 * Prisma: what composition, playback and retention read.
 */

export interface TrackSpec {
  identity: string;
  displayName: string;
  role: string;
  side?: string | null;
  kind: 'audio' | 'video';
  /** Seconds after the recording's start. */
  from: number;
  to: number;
  /** Video size (default 640x480). */
  size?: string;
  /** Audio tone (Hz). */
  tone?: number;
  gaps?: Array<{ from: string; to: string; reason: 'recorder_restarted' | 'paused' }>;
}

export function writeTrackFile(file: string, spec: Pick<TrackSpec, 'kind' | 'from' | 'to' | 'size' | 'tone'>): void {
  const seconds = (spec.to - spec.from).toFixed(3);
  const args =
    spec.kind === 'video'
      ? [
          '-f',
          'lavfi',
          '-i',
          `testsrc=size=${spec.size ?? '640x480'}:rate=15`,
          '-t',
          seconds,
          '-c:v',
          'libvpx',
          '-deadline',
          'realtime',
          '-cpu-used',
          '8',
          '-b:v',
          '300k',
        ]
      : ['-f', 'lavfi', '-i', `sine=frequency=${spec.tone ?? 440}:sample_rate=48000`, '-t', seconds, '-c:a', 'libopus', '-b:a', '32k'];
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, '-f', 'webm', file]);
}

/** A stopped recording of `sessionId` with these tracks (files written), queued for composition. */
export async function insertRecording(
  db: Db,
  recordingDir: string,
  input: { caseId: string; sessionId: string; startedById: string; startedAt: Date; seconds: number; tracks: TrackSpec[]; composeState?: string },
): Promise<{ recordingId: string; folder: string; endedAt: Date; trackIds: string[] }> {
  const recordingId = newId();
  const folder = path.join(recordingDir, recordingId);
  mkdirSync(folder, { recursive: true });
  const at = (s: number) => new Date(input.startedAt.getTime() + s * 1000);
  const endedAt = at(input.seconds);
  await db.recording.create({
    data: {
      id: recordingId,
      sessionId: input.sessionId,
      caseId: input.caseId,
      state: 'stopped',
      startedById: input.startedById,
      startedAt: input.startedAt,
      stateAt: endedAt,
      endedAt,
      composeState: input.composeState ?? 'queued',
    },
  });
  const trackIds: string[] = [];
  for (const [n, t] of input.tracks.entries()) {
    const name = `${n}-${t.kind}.webm`;
    const file = path.join(folder, name);
    writeTrackFile(file, t);
    const bytes = readFileSync(file);
    const id = newId();
    trackIds.push(id);
    await db.recordingTrack.create({
      data: {
        id,
        recordingId,
        identity: t.identity,
        displayName: t.displayName,
        role: t.role,
        side: t.side ?? null,
        kind: t.kind,
        source: t.kind === 'audio' ? 'mic' : 'webcam',
        producerId: newId(),
        codec: t.kind === 'audio' ? 'opus' : 'vp8',
        path: name,
        startedAt: at(t.from),
        endedAt: at(t.to),
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        gaps: JSON.stringify(t.gaps ?? []),
      },
    });
  }
  return { recordingId, folder, endedAt, trackIds };
}

/** ffprobe's JSON of a file: streams, format, chapters. */
export function probe(file: string): {
  streams: Array<{ codec_type: string; codec_name: string }>;
  format: { duration?: string };
  chapters: Array<{ start_time: string; end_time: string; tags?: { title?: string } }>;
} {
  return JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '-show_chapters', file], { encoding: 'utf8' }),
  );
}

/** A three-person session of `seconds`: a mediator throughout, two parties, one of whom reconnects. */
export function threePersonTracks(seconds: number): TrackSpec[] {
  const both = (identity: string, displayName: string, role: string, side: string | null, from: number, to: number, tone: number): TrackSpec[] => [
    { identity, displayName, role, side, kind: 'video', from, to },
    { identity, displayName, role, side, kind: 'audio', from, to, tone },
  ];
  return [
    ...both('user:m', '调解员', 'mediator', null, 0.2, seconds - 0.2, 440),
    ...both('invitation:a', '张三', 'party', 'applicant', 1, seconds * 0.45, 550),
    ...both('invitation:a', '张三', 'party', 'applicant', seconds * 0.55, seconds - 0.5, 550),
    ...both('invitation:b', '某某公司', 'party', 'respondent', 2, seconds - 1, 660),
  ];
}
