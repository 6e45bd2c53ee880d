import { toCsv, type CsvColumn } from '../caseloop/stats.ts';
import { caseLoopLabels } from '../protocol/caseLoopLabels.ts';
import { countIndicators, scoredIndicators, type AssessmentReport, type AssessmentRow, type AssessmentSubject } from '../protocol/assessment.ts';
import { assessmentLabels, scoreFormula } from '../protocol/assessmentLabels.ts';

/*
 * The ranking as CSV (UTF-8 with BOM so Excel opens the Chinese), one row per unit or person, in
 * rank order: every count, the averages, each normalised indicator (as a share 0–1, unrounded so a
 * spreadsheet can recompute the score), the score and its formula.
 */

const zh = assessmentLabels['zh-CN'];

export function kindLabel(subject: AssessmentSubject, kind: string): string {
  if (subject === 'unit') return (caseLoopLabels['zh-CN'].unitKind as Record<string, string>)[kind] ?? kind;
  return ({ mediator: '调解员', gridworker: '网格员', official: '部门干部' } as Record<string, string>)[kind] ?? kind;
}

export function detailLabel(row: AssessmentRow): string {
  if (row.detail === null) return '';
  return row.subject === 'unit' ? ((caseLoopLabels['zh-CN'].level as Record<string, string>)[row.detail] ?? row.detail) : row.detail;
}

export function assessmentCsv(report: AssessmentReport, subject: AssessmentSubject): string {
  const rows = subject === 'unit' ? report.units : report.persons;
  const w = report.weights.weightSet.weights;
  const columns: CsvColumn<AssessmentRow>[] = [
    { header: zh.misc.rank, value: (r) => r.rank },
    { header: zh.misc.name, key: 'name' },
    { header: zh.misc.kind, value: (r) => kindLabel(r.subject, r.kind) },
    { header: zh.misc.detail, value: detailLabel },
    ...countIndicators.map((k): CsvColumn<AssessmentRow> => ({ header: zh.count[k], value: (r) => r.figures[k] })),
    { header: zh.misc.running, value: (r) => r.figures.running },
    { header: zh.misc.avgHandlingDays, value: (r) => r.figures.avgHandlingDays },
    { header: zh.misc.avgWhistleHours, value: (r) => r.figures.avgWhistleHours },
    ...scoredIndicators.map((k): CsvColumn<AssessmentRow> => ({ header: zh.scored[k], value: (r) => r.figures.indicators[k] })),
    { header: zh.misc.score, value: (r) => r.figures.score },
    { header: zh.misc.formula, value: (r) => scoreFormula(w, r.figures.indicators, r.figures.score, zh) },
  ];
  return toCsv(rows, columns);
}
