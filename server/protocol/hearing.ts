import type { InvitationInfo, MediationSessionInfo } from './api.ts';

/**
 * `POST /api/judicial/applications/:applicationId/hearings`: the judge's hearing (听证) of a
 * submitted application, a session of kind `hearing` of the application's case. A new one, or the
 * one still open (`reused`); each time a fresh invitation link (with its QR code) for every party
 * of the case, since a link is shown only when it is made.
 */
export interface StartHearingResponse {
  session: MediationSessionInfo;
  reused: boolean;
  invitations: InvitationInfo[];
}
