import type { RecordingState } from '../protocol/recording.ts';

/** A Recording row's state as participants see it: stopped (or no row) is off. */
export function recordingStateOf(row: { state: string } | null | undefined): RecordingState {
  if (row?.state === 'recording' || row?.state === 'paused') return row.state;
  return 'off';
}
