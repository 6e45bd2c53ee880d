import type { AssessmentRow } from '@protocol/assessment.ts';
import { hasKey, type Translate } from '../../i18n/index.ts';
import { loopLabel } from '../caseloop/labels.ts';

/* Display helpers of the assessment page. */

export const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
export const one = (v: number | null): string => (v === null ? '—' : v.toFixed(1));

/** A unit's kind (委员会 / 中心 / 部门) or a person's role. */
export function kindText(t: Translate, row: Pick<AssessmentRow, 'subject' | 'kind'>): string {
  if (row.subject === 'unit') return loopLabel(t, 'unitKind', row.kind);
  const key = `as.role.${row.kind}`;
  return hasKey(key) ? t(key) : row.kind;
}

/** A unit's level, or a person's unit. */
export function detailText(t: Translate, row: Pick<AssessmentRow, 'subject' | 'detail'>): string {
  if (row.detail === null) return '';
  return row.subject === 'unit' ? loopLabel(t, 'level', row.detail) : row.detail;
}
