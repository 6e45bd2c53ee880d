import type {
  AgreementContent,
  AgreementView,
  FreezeRequest,
  OtpResponse,
  PartySignRequest,
  RefuseRequest,
  SigningLinkInfo,
  SigningView,
  StaffSignRequest,
  VerificationResult,
} from '@protocol/agreement.ts';
import type { CaseDetail } from '@protocol/cases.ts';
import { ApiError, isWireError } from './ApiError.ts';

const SIGNING_KEY = 'cm.signingToken';

/**
 * The /sign page's token (signing link or party invitation), kept for the tab only, apart from
 * the /join invitation so one never replaces the other.
 */
export const signingToken = {
  get(): string | null {
    try {
      return sessionStorage.getItem(SIGNING_KEY);
    } catch {
      return null;
    }
  },
  set(token: string): void {
    try {
      sessionStorage.setItem(SIGNING_KEY, token);
    } catch {
      /* storage disabled: the token lives in memory for this page view only */
    }
  },
};

/** JSON call with an explicit bearer token (staff login, invitation or signing link). */
export async function agreementCall<T>(method: 'GET' | 'POST' | 'PUT', path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError('network', 'Network request failed');
  }
  const text = await res.text();
  const payload: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (isWireError(payload)) throw ApiError.fromWire(res.status, payload);
    throw new ApiError('internal', `HTTP ${res.status}`, res.status);
  }
  return payload as T;
}

export const agreementApi = {
  current: (sessionId: string, token: string) => agreementCall<AgreementView>('GET', `/sessions/${sessionId}/agreement`, token),
  create: (sessionId: string, token: string, templateId?: string) =>
    agreementCall<AgreementView>('POST', `/sessions/${sessionId}/agreement`, token, templateId ? { templateId } : {}),
  save: (id: string, token: string, baseRevision: number, content: AgreementContent) =>
    agreementCall<AgreementView>('PUT', `/agreements/${id}/draft`, token, { baseRevision, content }),
  comment: (id: string, token: string, revision: number, clauseIndex: number, text: string) =>
    agreementCall<AgreementView>('POST', `/agreements/${id}/comments`, token, { revision, clauseIndex, text }),
  freeze: (id: string, token: string, body: FreezeRequest) => agreementCall<AgreementView>('POST', `/agreements/${id}/freeze`, token, body),
  links: (id: string, token: string) => agreementCall<SigningLinkInfo[]>('POST', `/agreements/${id}/signing-links`, token),
  staffSign: (id: string, token: string, body: StaffSignRequest) => agreementCall<AgreementView>('POST', `/agreements/${id}/sign`, token, body),
  signingView: (token: string) => agreementCall<SigningView>('GET', '/signing', token),
  otp: (token: string, partyId: string, revisionHash: string) => agreementCall<OtpResponse>('POST', '/signing/otp', token, { partyId, revisionHash }),
  sign: (token: string, body: PartySignRequest) => agreementCall<AgreementView>('POST', '/signing/sign', token, body),
  refuse: (token: string, body: RefuseRequest) => agreementCall<AgreementView>('POST', '/signing/refuse', token, body),
  /** The case's agreements (staff): zero or one today. */
  forCase: (caseId: string, token: string) => agreementCall<AgreementView[]>('GET', `/cases/${caseId}/agreements`, token),
  /** Sealed agreement → case closed_settled (the case's mediator). */
  settle: (id: string, token: string) => agreementCall<CaseDetail>('POST', `/agreements/${id}/settle`, token, {}),
  verifyCode: (code: string) => agreementCall<VerificationResult>('POST', '/verify/code', null, { code }),
  async verifyFile(file: Blob, code?: string): Promise<VerificationResult> {
    const headers: Record<string, string> = { 'Content-Type': 'application/pdf', Accept: 'application/json' };
    if (code) headers['X-Verification-Code'] = code;
    const res = await fetch('/api/verify/file', { method: 'POST', headers, body: file });
    const payload: unknown = await res.json();
    if (!res.ok) throw isWireError(payload) ? ApiError.fromWire(res.status, payload) : new ApiError('internal', 'verify failed');
    return payload as VerificationResult;
  },
  /** Downloads the sealed PDF with the bearer token and hands it to the browser. */
  download: (id: string, token: string, fileName: string) => downloadWithToken(`/api/agreements/${id}/document`, token, fileName),
};

/** Fetches a file with the bearer token and hands it to the browser as a download. */
export async function downloadWithToken(path: string, token: string, fileName: string): Promise<void> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError('internal', `HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
