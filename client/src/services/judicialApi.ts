import type {
  CaseJudicialInfo,
  CourtInfo,
  JudicialApplicationView,
  JudicialConfirmRequest,
  JudicialDecisionRequest,
  JudicialOtpResponse,
  JudicialPartyView,
  JudicialQueueItem,
  JudicialReviewView,
  StartJudicialResponse,
} from '@protocol/judicial.ts';
import { agreementCall, downloadWithToken } from './agreement.ts';
import { apiFetch } from './api.ts';
import { SignallingClient } from './SignallingClient.ts';

/* Online judicial confirmation (server/protocol/judicial.ts): the case card, the party's phone page, the judge's pages. */

const enc = encodeURIComponent;
const JUDICIAL_KEY = 'cm.judicialToken';

/** The party page's link token, kept for this tab only (apart from the signing and invitation tokens). */
export const judicialToken = {
  get(): string | null {
    try {
      return sessionStorage.getItem(JUDICIAL_KEY);
    } catch {
      return null;
    }
  },
  set(token: string): void {
    try {
      sessionStorage.setItem(JUDICIAL_KEY, token);
    } catch {
      /* storage disabled: the token lives in memory for this page view only */
    }
  },
};

export const judicialApi = {
  courts: () => apiFetch<CourtInfo[]>('/courts'),
  forCase: (caseId: string) => apiFetch<CaseJudicialInfo>(`/cases/${enc(caseId)}/judicial`),
  start: (caseId: string, courtUnitId: string) => apiFetch<StartJudicialResponse>(`/cases/${enc(caseId)}/judicial`, { method: 'POST', body: { courtUnitId } }),
  links: (applicationId: string) =>
    apiFetch<StartJudicialResponse['links']>(`/judicial/applications/${enc(applicationId)}/links`, { method: 'POST', body: {} }),
  queue: (status: 'open' | 'decided' | 'all') => apiFetch<JudicialQueueItem[]>(`/judicial/queue?status=${status}`),
  review: (applicationId: string) => apiFetch<JudicialReviewView>(`/judicial/applications/${enc(applicationId)}`),
  decide: (applicationId: string, body: JudicialDecisionRequest) =>
    apiFetch<JudicialApplicationView>(`/judicial/applications/${enc(applicationId)}/decision`, { method: 'POST', body }),

  // The party, with their link's token.
  partyView: (token: string) => agreementCall<JudicialPartyView>('GET', '/judicial/apply', token),
  otp: (token: string) => agreementCall<JudicialOtpResponse>('POST', '/judicial/apply/otp', token, {}),
  confirm: (token: string, body: JudicialConfirmRequest) => agreementCall<JudicialPartyView>('POST', '/judicial/apply/confirm', token, body),

  /** The sealed ruling, fetched with the staff login's or the party link's token. */
  downloadRuling: (url: string, token: string, rulingNumber: string) => downloadWithToken(url, token, `民事裁定书-${rulingNumber}.pdf`),
  /** A sealed agreement or record PDF for the judge's review. */
  downloadFile: (url: string, token: string, fileName: string) => downloadWithToken(url, token, fileName),
};

/**
 * The party's page: a signalling socket on the link's token (it only receives this party's
 * view), sent the view on connecting and whenever the application changes. Returns the stop function.
 */
export function watchJudicial(token: string, onView: (view: JudicialPartyView) => void): () => void {
  const socket = new SignallingClient({ kind: 'judicial', token });
  socket.on('judicial.updated', (update) => {
    if (update.kind === 'party') onView(update.view);
  });
  socket.connect().catch(() => undefined);
  return () => socket.close();
}
