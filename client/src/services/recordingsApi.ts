import type { RecordingInfo } from '@protocol/recording.ts';
import { apiFetch } from './api.ts';

/* Session recordings (issue 11): the case's list, the playback cookie, re-queueing a composition. */

const enc = encodeURIComponent;

/** Where the browser fetches a recording's files (the <video> element and download links carry the playback cookie). */
export const recordingUrls = {
  composed: (recordingId: string) => `/api/recordings/${enc(recordingId)}/composed`,
  composedDownload: (recordingId: string) => `/api/recordings/${enc(recordingId)}/composed?download=1`,
  trackDownload: (recordingId: string, trackId: string) => `/api/recordings/${enc(recordingId)}/tracks/${enc(trackId)}?download=1`,
};

export const recordingsApi = {
  list: (caseId: string) => apiFetch<RecordingInfo[]>(`/cases/${enc(caseId)}/recordings`),
  /** Sets the HttpOnly cookie, scoped to this recording's paths, that the media element's range requests carry. */
  allowPlayback: (recordingId: string) => apiFetch<{ expiresInSeconds: number }>(`/recordings/${enc(recordingId)}/playback`, { method: 'POST', body: {} }),
  compose: (recordingId: string) => apiFetch<{ queued: boolean }>(`/recordings/${enc(recordingId)}/compose`, { method: 'POST', body: {} }),
};
