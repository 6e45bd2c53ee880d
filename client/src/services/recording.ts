import type { RecordingState, RecordingStateInfo } from '@protocol/recording.ts';

/*
 * The recording as the room shows it (issue 11): pure rules the components and MediaSession share.
 * The server decides who has consented; these only read its state.
 */

/**
 * Where this participant stands with the recording notice, on this side:
 * - none: nothing asked (or nothing answered yet);
 * - asked: the server refused `room.join` until the notice is answered;
 * - answering: the answer is on its way;
 * - given: confirmed in this tab (the room state catches up a moment later).
 */
export type ConsentStep = 'none' | 'asked' | 'answering' | 'given';

/** Is the session being recorded (or paused in a recording)? */
export const isRecordingOn = (state: RecordingState | null | undefined): boolean => state === 'recording' || state === 'paused';

/**
 * Show the notice now? When the server asked for it before letting us in, or when recording is on
 * in the room and the server has no confirmation from us (the mediator turned it on mid-session).
 */
export function noticeNeeded(recording: RecordingStateInfo | null | undefined, step: ConsentStep): boolean {
  if (step === 'asked') return true;
  if (step !== 'none') return false;
  return recording !== null && recording !== undefined && isRecordingOn(recording.state) && !recording.consented;
}

/**
 * "03:07" (minutes and seconds since `since`), "1:02:07" past an hour; "00:00" for a start in
 * the future (clocks differ a little between the server and this device).
 */
export function recordingClock(since: string | null, nowMs: number): string {
  const start = since === null ? NaN : Date.parse(since);
  const total = Number.isFinite(start) ? Math.max(0, Math.floor((nowMs - start) / 1000)) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** The refusal of `room.join` that means "answer the recording notice first". */
export function isConsentRequired(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return (error as { code?: unknown }).code === 'recording_consent_required';
}
