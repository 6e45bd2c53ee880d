import type { StartHearingResponse } from '@protocol/hearing.ts';
import { apiFetch } from './api.ts';

/* The judge's hearing of a judicial confirmation application (server/judicial/hearingHttp.ts). */

export const hearingApi = {
  /** Opens the hearing (or returns the one still open) with a new invitation link per party. */
  start: (applicationId: string) =>
    apiFetch<StartHearingResponse>(`/judicial/applications/${encodeURIComponent(applicationId)}/hearings`, { method: 'POST', body: {} }),
};
