import type {
  CreateInvitationRequest,
  InvitationInfo,
  InvitationPreview,
  LoginRequest,
  LoginResponse,
  MediationSessionInfo,
  StaffUser,
} from '@protocol/api.ts';
import type { ChangePasswordRequest, ChangePasswordResponse, StaffAccount } from '@protocol/accounts.ts';
import type { CaseDetail, CaseSummary, CreateCaseRequest } from '@protocol/cases.ts';
import { ApiError, isWireError } from './ApiError.ts';
import { staffAuth } from './session.ts';

export { ApiError } from './ApiError.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface CallOptions {
  method?: Method;
  body?: unknown;
  /** Bearer token; defaults to the staff login. Pass null to send none. */
  token?: string | null;
  signal?: AbortSignal;
}

/** JSON fetch against /api; throws ApiError with the server's code, message and details. */
export async function apiFetch<T>(path: string, options: CallOptions = {}): Promise<T> {
  const token = options.token === undefined ? staffAuth.token : options.token;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      // Answers depend on the bearer token, which HTTP caches ignore (a cached 410 would outlive a new link).
      cache: 'no-store',
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('network', 'Network request failed');
  }

  const text = await response.text();
  let payload: unknown = undefined;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
  }

  if (!response.ok) {
    // A staff token the server no longer accepts: forget it so the app returns to the login page.
    if (response.status === 401 && options.token === undefined && staffAuth.token) staffAuth.signOut();
    if (isWireError(payload)) throw ApiError.fromWire(response.status, payload);
    const code = response.status >= 500 ? 'unavailable' : 'bad_request';
    throw new ApiError(code, `HTTP ${response.status}`, response.status);
  }
  return payload as T;
}

const enc = encodeURIComponent;

export const api = {
  login: (body: LoginRequest) => apiFetch<LoginResponse>('/auth/login', { method: 'POST', body, token: null }),
  me: () => apiFetch<StaffUser>('/auth/me'),
  logout: () => apiFetch<unknown>('/auth/logout', { method: 'POST', body: {} }),
  changePassword: (body: ChangePasswordRequest) => apiFetch<ChangePasswordResponse>('/auth/password', { method: 'POST', body }),

  listAccounts: () => apiFetch<StaffAccount[]>('/admin/users'),
  setAccountDisabled: (userId: string, disabled: boolean) =>
    apiFetch<StaffAccount>(`/admin/users/${enc(userId)}/disabled`, { method: 'PUT', body: { disabled } }),
  setAccountUnit: (userId: string, unitId: string | null) =>
    apiFetch<{ userId: string; unitId: string | null }>(`/admin/users/${enc(userId)}/unit`, { method: 'PUT', body: { unitId } }),

  listCases: (signal?: AbortSignal) => apiFetch<CaseSummary[]>('/cases', signal ? { signal } : {}),
  createCase: (body: CreateCaseRequest) => apiFetch<CaseDetail>('/cases', { method: 'POST', body }),
  getCase: (caseId: string) => apiFetch<CaseDetail>(`/cases/${enc(caseId)}`),

  listSessions: (caseId: string) => apiFetch<MediationSessionInfo[]>(`/cases/${enc(caseId)}/sessions`),
  startSession: (caseId: string) => apiFetch<MediationSessionInfo>(`/cases/${enc(caseId)}/sessions`, { method: 'POST', body: {} }),
  getSession: (sessionId: string) => apiFetch<MediationSessionInfo>(`/sessions/${enc(sessionId)}`),
  endSession: (sessionId: string) => apiFetch<MediationSessionInfo>(`/sessions/${enc(sessionId)}/end`, { method: 'POST', body: {} }),

  listInvitations: (sessionId: string) => apiFetch<InvitationInfo[]>(`/sessions/${enc(sessionId)}/invitations`),
  createInvitation: (sessionId: string, body: CreateInvitationRequest) =>
    apiFetch<InvitationInfo>(`/sessions/${enc(sessionId)}/invitations`, { method: 'POST', body }),
  revokeInvitation: (invitationId: string) => apiFetch<InvitationInfo>(`/invitations/${enc(invitationId)}/revoke`, { method: 'POST', body: {} }),

  /** What an invitation link leads to; authenticated by the invitation token itself. */
  invitationPreview: (token: string) => apiFetch<InvitationPreview>('/invitation', { token }),
};
