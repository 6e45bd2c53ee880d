import { z } from 'zod';

/*
 * The recording vocabulary, shared by server and client: a leaf that imports only zod.
 * A session is recorded when its mediator turns recording on; everyone in it must have confirmed
 * the notice (RECORDING_NOTICE) first, and only the media of those who confirmed is recorded.
 */

/** off: never turned on (or the session ended); recording: tracks are being written; paused: turned on, nothing written now. */
export const recordingStates = ['off', 'recording', 'paused'] as const;
export const recordingState = z.enum(recordingStates);
export type RecordingState = z.infer<typeof recordingState>;

/** The session's recording as every participant's room state carries it. */
export interface RecordingStateInfo {
  state: RecordingState;
  /** When the current state began (ISO), null while off. */
  since: string | null;
  /** Whether this participant has confirmed the notice for this session. */
  consented: boolean;
  /** Mediators only (empty for others): who declined the notice, newest first. */
  declined: RecordingDeclineInfo[];
}

export interface RecordingDeclineInfo {
  displayName: string;
  role: string;
  side: string | null;
  at: string;
}

/** The answer to `recording.consent`: accepted lets `room.join` through; declined ends the connection. */
export const recordingConsentRequest = z.object({ accepted: z.boolean() }).strict();

/** Composition of the session's one reviewable file (background job). */
export const composeStates = ['none', 'queued', 'running', 'done', 'failed'] as const;
export type ComposeState = (typeof composeStates)[number];

/** One track file: one participant, one kind, one stretch of publishing. */
export interface RecordingTrackInfo {
  id: string;
  displayName: string;
  role: string;
  side: string | null;
  kind: 'audio' | 'video';
  source: 'mic' | 'webcam' | 'screen';
  codec: string;
  startedAt: string;
  endedAt: string | null;
  bytes: number | null;
  sha256: string | null;
  /** Stretches inside [startedAt, endedAt] with nothing written: a dead recorder, a pause. */
  gaps: Array<{ from: string; to: string; reason: 'recorder_restarted' | 'paused' }>;
}

/** GET /api/cases/:caseId/recordings: one entry per recorded session (mediators and supervisors only). */
export interface RecordingInfo {
  id: string;
  sessionId: string;
  startedAt: string;
  endedAt: string | null;
  compose: { state: ComposeState; progress: number; bytes: number | null; sha256: string | null };
  tracks: RecordingTrackInfo[];
  totalBytes: number;
  /** When retention deletes the files (null while the session is recording). */
  deleteAfter: string | null;
  deletedAt: string | null;
}
