import type {
  FreezeRecordRequest,
  RecordConfirmRequest,
  RecordContent,
  RecordObjectRequest,
  RecordOtpResponse,
  RecordStaffSignRequest,
  RecorderCandidate,
  RecordView,
} from '@protocol/mediationRecord.ts';
import { agreementCall, downloadWithToken } from './agreement.ts';

/** The mediation record (调解笔录) of a session: the same calls and tokens as the agreement's. */
export const recordApi = {
  current: (sessionId: string, token: string) => agreementCall<RecordView>('GET', `/sessions/${sessionId}/record`, token),
  recorders: (sessionId: string, token: string) => agreementCall<RecorderCandidate[]>('GET', `/sessions/${sessionId}/record/recorders`, token),
  create: (sessionId: string, token: string, recorderId?: string) =>
    agreementCall<RecordView>('POST', `/sessions/${sessionId}/record`, token, recorderId ? { recorderId } : {}),
  save: (id: string, token: string, baseRevision: number, content: RecordContent) =>
    agreementCall<RecordView>('PUT', `/records/${id}/draft`, token, { baseRevision, content }),
  freeze: (id: string, token: string, body: FreezeRecordRequest) => agreementCall<RecordView>('POST', `/records/${id}/freeze`, token, body),
  otp: (id: string, token: string, revisionHash: string) => agreementCall<RecordOtpResponse>('POST', `/records/${id}/otp`, token, { revisionHash }),
  confirm: (id: string, token: string, body: RecordConfirmRequest) => agreementCall<RecordView>('POST', `/records/${id}/confirm`, token, body),
  sign: (id: string, token: string, body: RecordStaffSignRequest) => agreementCall<RecordView>('POST', `/records/${id}/sign`, token, body),
  object: (id: string, token: string, body: RecordObjectRequest) => agreementCall<RecordView>('POST', `/records/${id}/object`, token, body),
  forCase: (caseId: string, token: string) => agreementCall<RecordView[]>('GET', `/cases/${caseId}/records`, token),
  download: (id: string, token: string, fileName: string) => downloadWithToken(`/api/records/${id}/document`, token, fileName),
};
