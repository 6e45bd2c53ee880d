import type { TimelineEntryView, TimelineVerification } from '@protocol/api.ts';
import type {
  AttachmentInfo,
  CaseDetail,
  CaseSummary,
  FollowUpInfo,
  FollowUpLinkInfo,
  PartyContact,
  PublicCaseProgress,
  PendingWhistles,
  PublicCaseReceipt,
  PublicQueryCodeSms,
  PublicCaseRequest,
  PublicFollowUpPreview,
  PublicQueryRequest,
  RoutingSuggestion,
  StatsResponse,
  SupervisionNoteInfo,
  UnitInfo,
  WhistleAcceptance,
  WhistleInfo,
} from '@protocol/cases.ts';
import type { CaseAction, Grade } from '@protocol/caseLoop.ts';
import { ApiError, isWireError } from './ApiError.ts';
import { apiFetch } from './api.ts';
import { staffAuth } from './session.ts';

/* The case-loop API: work queue, actions, timeline, supervision, whistles, stats, public pages. */

export interface StaffPick {
  id: string;
  username: string;
  displayName: string;
  role: string;
  department: string | null;
  unitId: string | null;
}

/** GET /api/stats, as the server declares it. */
export type CaseStatsResponse = StatsResponse;

export interface StatsQuery {
  from?: string;
  to?: string;
  unitId?: string;
}

export interface RuleSetRecord {
  version: number;
  ruleSet: unknown;
  createdAt: string;
  createdById: string | null;
}

export interface LoopSettings {
  followUpDays: number;
  followUpLinkDays: number;
  yellowShare: number;
  ruleSetVersion: number;
}

const enc = encodeURIComponent;
const qs = (params: Record<string, string | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
};

/** A request outside the JSON helper (raw bodies, blobs, PUT): same error handling. */
export async function rawFetch(path: string, init: RequestInit & { token?: string | null }): Promise<Response> {
  const token = init.token === undefined ? staffAuth.token : init.token;
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { ...init, headers, cache: 'no-store' });
  } catch {
    throw new ApiError('network', 'Network request failed');
  }
  if (!response.ok) {
    if (response.status === 401 && init.token === undefined && staffAuth.token) staffAuth.signOut();
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (isWireError(payload)) throw ApiError.fromWire(response.status, payload);
    throw new ApiError(response.status >= 500 ? 'unavailable' : 'bad_request', `HTTP ${response.status}`, response.status);
  }
  return response;
}

async function putJson<T>(path: string, body: unknown): Promise<T> {
  const res = await rawFetch(path, { method: 'PUT', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

/** Saves a Blob as a download (CSV export, attachments): fetched with the Bearer token, never a token in a URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function filenameOf(res: Response, fallback: string): string {
  const cd = res.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      /* fall through */
    }
  }
  const plain = /filename="([^"]+)"/i.exec(cd);
  return plain?.[1] ?? fallback;
}

export const loopApi = {
  listCases: (query: { mine?: boolean; light?: string; state?: string; unitId?: string } = {}) =>
    apiFetch<CaseSummary[]>(`/cases${qs({ mine: query.mine ? '1' : undefined, light: query.light, state: query.state, unitId: query.unitId })}`),
  getCase: (caseId: string) => apiFetch<CaseDetail>(`/cases/${enc(caseId)}`),
  act: (caseId: string, action: CaseAction, body: unknown) => apiFetch<CaseDetail>(`/cases/${enc(caseId)}/actions/${action}`, { method: 'POST', body }),
  routingSuggestion: (caseId: string, grade: Grade) => apiFetch<RoutingSuggestion>(`/cases/${enc(caseId)}/routing-suggestion?grade=${enc(grade)}`),
  revealContact: (caseId: string, partyId: string) => apiFetch<PartyContact>(`/cases/${enc(caseId)}/parties/${enc(partyId)}/contact`),
  timeline: (caseId: string) => apiFetch<TimelineEntryView[]>(`/cases/${enc(caseId)}/timeline`),
  verifyTimeline: (caseId: string) => apiFetch<TimelineVerification>(`/cases/${enc(caseId)}/timeline/verify`),
  followUps: (caseId: string) => apiFetch<FollowUpInfo[]>(`/cases/${enc(caseId)}/follow-ups`),
  followUpLink: (caseId: string) => apiFetch<FollowUpLinkInfo>(`/cases/${enc(caseId)}/followup-link`, { method: 'POST', body: {} }),

  attachments: (caseId: string) => apiFetch<AttachmentInfo[]>(`/cases/${enc(caseId)}/attachments`),
  async uploadAttachment(caseId: string, file: File): Promise<AttachmentInfo> {
    const res = await rawFetch(`/cases/${enc(caseId)}/attachments`, {
      method: 'POST',
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-Filename': enc(file.name), Accept: 'application/json' },
      body: file,
    });
    return (await res.json()) as AttachmentInfo;
  },
  async downloadAttachment(caseId: string, attachment: AttachmentInfo): Promise<void> {
    const res = await rawFetch(`/cases/${enc(caseId)}/attachments/${enc(attachment.id)}`, { method: 'GET' });
    saveBlob(await res.blob(), filenameOf(res, attachment.originalName));
  },

  supervisionNotes: (caseId: string) => apiFetch<SupervisionNoteInfo[]>(`/cases/${enc(caseId)}/supervision-notes`),
  addSupervisionNote: (caseId: string, body: { text: string; dueAt: string }) =>
    apiFetch<SupervisionNoteInfo>(`/cases/${enc(caseId)}/supervision-notes`, { method: 'POST', body }),
  answerSupervisionNote: (noteId: string, answer: string) =>
    apiFetch<SupervisionNoteInfo>(`/supervision-notes/${enc(noteId)}/answer`, { method: 'POST', body: { answer } }),
  mySupervisionNotes: (status: 'open' | 'overdue' | 'answered' | 'all' = 'open') => apiFetch<SupervisionNoteInfo[]>(`/supervision-notes?status=${status}`),

  caseWhistles: (caseId: string) => apiFetch<WhistleInfo[]>(`/cases/${enc(caseId)}/whistles`),
  blowWhistle: (caseId: string, body: { unitId: string; need: string }) => apiFetch<WhistleInfo>(`/cases/${enc(caseId)}/whistles`, { method: 'POST', body }),
  whistles: (query: { mine?: boolean; status?: 'open' | 'accepted' | 'cancelled' | 'declined' | 'all' } = {}) =>
    apiFetch<WhistleInfo[]>(`/whistles${qs({ mine: query.mine ? '1' : undefined, status: query.status })}`),
  pendingWhistles: () => apiFetch<PendingWhistles>('/whistles/pending'),
  acceptWhistle: (whistleId: string) => apiFetch<WhistleAcceptance>(`/whistles/${enc(whistleId)}/accept`, { method: 'POST', body: {} }),
  cancelWhistle: (whistleId: string, body: { reason: string }) => apiFetch<WhistleInfo>(`/whistles/${enc(whistleId)}/cancel`, { method: 'POST', body }),
  declineWhistle: (whistleId: string, body: { reason: string }) => apiFetch<WhistleInfo>(`/whistles/${enc(whistleId)}/decline`, { method: 'POST', body }),

  units: (query: { kind?: string; level?: string } = {}) => apiFetch<UnitInfo[]>(`/units${qs(query)}`),
  staff: (role?: string) => apiFetch<StaffPick[]>(`/staff${qs({ role })}`),
  stats: (query: StatsQuery) => apiFetch<CaseStatsResponse>(`/stats${qs({ ...query })}`),
  async exportCsv(query: StatsQuery): Promise<void> {
    const res = await rawFetch(`/stats/export.csv${qs({ ...query })}`, { method: 'GET', headers: { Accept: 'text/csv' } });
    saveBlob(await res.blob(), filenameOf(res, 'cases.csv'));
  },

  routingRules: () => apiFetch<RuleSetRecord>('/admin/routing-rules'),
  putRoutingRules: (ruleSet: unknown) => putJson<RuleSetRecord>('/admin/routing-rules', ruleSet),
  settings: () => apiFetch<LoopSettings>('/admin/settings'),
  putSettings: (body: Partial<Omit<LoopSettings, 'ruleSetVersion'>>) => putJson<LoopSettings>('/admin/settings', body),
};

/** Public pages: no staff token is ever sent. */
export const publicApi = {
  report: (body: PublicCaseRequest) => apiFetch<PublicCaseReceipt>('/public/cases', { method: 'POST', body, token: null }),
  query: (body: PublicQueryRequest) => apiFetch<PublicCaseProgress>('/public/cases/query', { method: 'POST', body, token: null }),
  sendQueryCode: (body: PublicQueryRequest) => apiFetch<PublicQueryCodeSms>('/public/cases/sms', { method: 'POST', body, token: null }),
  followUpPreview: (token: string) => apiFetch<PublicFollowUpPreview>('/public/followup', { token }),
  recordFollowUp: (token: string, body: { satisfaction: string; notes?: string }) => apiFetch<unknown>('/public/followup', { method: 'POST', body, token }),
};
