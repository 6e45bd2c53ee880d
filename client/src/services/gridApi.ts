import type { CaseSummary } from '@protocol/cases.ts';
import type { GridImportResult, GridMapResponse, GridResolution } from '@protocol/grids.ts';
import { apiFetch } from './api.ts';
import { rawFetch } from './caseloopApi.ts';

const enc = encodeURIComponent;

/** The grid map (server/grids/http.ts). */
export const gridApi = {
  map: () => apiFetch<GridMapResponse>('/grids'),
  cases: (code: string) => apiFetch<CaseSummary[]>(`/grids/${enc(code)}/cases`),
  resolve: (lng: number, lat: number) => apiFetch<GridResolution>(`/grids/resolve?lng=${lng}&lat=${lat}`),
  /** The GeoJSON file as it is (it may be larger than the API's JSON limit). */
  async importFile(file: Blob): Promise<GridImportResult> {
    const res = await rawFetch('/admin/grids/import', {
      method: 'POST',
      headers: { 'Content-Type': 'application/geo+json', Accept: 'application/json' },
      body: file,
    });
    return (await res.json()) as GridImportResult;
  },
};
