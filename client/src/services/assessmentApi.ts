import type { AssessmentReport, AssessmentSubject, CountIndicator, DrillCase, PeriodKind, WeightSet, WeightSetRecord } from '@protocol/assessment.ts';
import { apiFetch } from './api.ts';
import { filenameOf, putJson, rawFetch, saveBlob } from './caseloopApi.ts';

/* The performance assessment's API (server/assessment/http.ts). */

export interface AssessmentQuery {
  period: PeriodKind;
  month?: string;
  quarter?: string;
  from?: string;
  to?: string;
  unitId?: string;
}

const qs = (params: Record<string, string | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
};

/** Only the fields of the chosen period kind go on the wire. */
function periodParams(q: AssessmentQuery): Record<string, string | undefined> {
  const base = { period: q.period, unitId: q.unitId };
  if (q.period === 'month') return { ...base, month: q.month };
  if (q.period === 'quarter') return { ...base, quarter: q.quarter };
  return { ...base, from: q.from, to: q.to };
}

export const assessmentApi = {
  report: (q: AssessmentQuery) => apiFetch<AssessmentReport>(`/assessment${qs(periodParams(q))}`),
  cases: (q: AssessmentQuery, subject: AssessmentSubject, id: string, indicator: CountIndicator) =>
    apiFetch<DrillCase[]>(`/assessment/cases${qs({ ...periodParams(q), subject, id, indicator })}`),
  async exportCsv(q: AssessmentQuery, subject: AssessmentSubject): Promise<void> {
    const res = await rawFetch(`/assessment/export.csv${qs({ ...periodParams(q), subject })}`, { method: 'GET', headers: { Accept: 'text/csv' } });
    saveBlob(await res.blob(), filenameOf(res, 'assessment.csv'));
  },
  async exportPdf(q: AssessmentQuery): Promise<void> {
    const res = await rawFetch(`/assessment/report.pdf${qs(periodParams(q))}`, { method: 'GET', headers: { Accept: 'application/pdf' } });
    saveBlob(await res.blob(), filenameOf(res, 'assessment.pdf'));
  },
  weights: () => apiFetch<WeightSetRecord>('/admin/assessment-weights'),
  putWeights: (w: WeightSet) => putJson<WeightSetRecord>('/admin/assessment-weights', w),
};
