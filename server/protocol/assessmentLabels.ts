import type { AssessmentSubject, CountIndicator, PeriodKind, ScoredIndicator } from './assessment.ts';

/**
 * The assessment's names in both languages, in one place: the client's catalogues spread these under
 * `as.<group>.` keys, the CSV export and the PDF report read the zh-CN table. Complete records over the
 * vocabulary, so a new indicator without its names is a compile error.
 */
export interface AssessmentLabelTables {
  scored: Record<ScoredIndicator, string>;
  count: Record<CountIndicator, string>;
  period: Record<PeriodKind, string>;
  subject: Record<AssessmentSubject, string>;
  /** Other figures and headers. */
  misc: Record<'score' | 'rank' | 'name' | 'avgHandlingDays' | 'avgWhistleHours' | 'running' | 'formula' | 'kind' | 'detail' | 'total', string>;
}

export const assessmentLabels = {
  'zh-CN': {
    scored: {
      onTimeRate: '按期办结率',
      successRate: '调解成功率',
      satisfactionRate: '满意率',
      followUpRate: '回访率',
      notOverdueRate: '未超期率',
      speedScore: '办理时效',
      whistleScore: '吹哨响应',
    },
    count: {
      received: '受理',
      closed: '办结',
      onTime: '按期办结',
      yellow: '黄灯',
      red: '红灯',
      settled: '调解成功',
      followUps: '回访',
      satisfied: '满意',
      whistles: '吹哨响应',
    },
    period: { month: '月度', quarter: '季度', custom: '自定义' },
    subject: { unit: '单位', person: '人员' },
    misc: {
      score: '得分',
      rank: '排名',
      name: '名称',
      avgHandlingDays: '平均办理天数',
      avgWhistleHours: '平均响应小时',
      running: '计时案件',
      formula: '计算公式',
      kind: '类别',
      detail: '层级/单位',
      total: '合计',
    },
  },
  en: {
    scored: {
      onTimeRate: 'On-time rate',
      successRate: 'Success rate',
      satisfactionRate: 'Satisfaction',
      followUpRate: 'Follow-up rate',
      notOverdueRate: 'Not overdue',
      speedScore: 'Speed',
      whistleScore: 'Whistle response',
    },
    count: {
      received: 'Received',
      closed: 'Closed',
      onTime: 'On time',
      yellow: 'Yellow',
      red: 'Red',
      settled: 'Settled',
      followUps: 'Follow-ups',
      satisfied: 'Satisfied',
      whistles: 'Whistles answered',
    },
    period: { month: 'Month', quarter: 'Quarter', custom: 'Custom' },
    subject: { unit: 'Units', person: 'People' },
    misc: {
      score: 'Score',
      rank: 'Rank',
      name: 'Name',
      avgHandlingDays: 'Avg. handling days',
      avgWhistleHours: 'Avg. response hours',
      running: 'Timed cases',
      formula: 'Formula',
      kind: 'Kind',
      detail: 'Level / unit',
      total: 'Total',
    },
  },
} as const satisfies Record<'zh-CN' | 'en', AssessmentLabelTables>;

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
const num = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * The formula written next to a score, with the weights in force and this row's values:
 * "100 × (0.3×按期办结率 92% + 0.2×调解成功率 50%) ÷ 0.5 = 71.5". Indicators without a value (no
 * case closed, nobody followed up, …) are left out of the sum and of the divisor, so only the terms
 * that count are written; "—" when none has a value.
 */
export function scoreFormula(
  weights: Record<ScoredIndicator, number>,
  indicators: Record<ScoredIndicator, number | null>,
  score: number | null,
  labels: Pick<AssessmentLabelTables, 'scored'>,
): string {
  const used = (Object.keys(weights) as ScoredIndicator[]).filter((k) => weights[k] > 0 && indicators[k] !== null);
  if (used.length === 0 || score === null) return '—';
  const terms = used.map((k) => `${num(weights[k])}×${labels.scored[k]} ${pct(indicators[k]!)}`);
  const divisor = used.reduce((acc, k) => acc + weights[k], 0);
  return `100 × (${terms.join(' + ')}) ÷ ${num(divisor)} = ${num(score)}`;
}
