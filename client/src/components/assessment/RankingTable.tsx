import type { AssessmentRow, CountIndicator, ScoredIndicator, WeightSet } from '@protocol/assessment.ts';
import { assessmentLabels, scoreFormula } from '@protocol/assessmentLabels.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { detailText, kindText, one, pct } from './format.ts';

/* The ranking: one row per unit or person, each count a link to the cases behind it, the score with its formula under it. */

const counts: readonly CountIndicator[] = ['received', 'closed', 'onTime', 'yellow', 'red', 'followUps', 'whistles'];
const rates: readonly ScoredIndicator[] = ['onTimeRate', 'successRate', 'satisfactionRate'];

export function RankingTable({
  rows,
  weights,
  onDrill,
}: {
  rows: readonly AssessmentRow[];
  weights: WeightSet;
  onDrill: (row: AssessmentRow, indicator: CountIndicator) => void;
}) {
  const t = useT();
  const language = useLanguage();
  return (
    <div className="as-table-wrap">
      <table className="as-table" data-testid="assessment-ranking">
        <thead>
          <tr>
            <th className="as-num">{t('as.misc.rank')}</th>
            <th>{t('as.misc.name')}</th>
            <th className="as-num">{t('as.misc.score')}</th>
            {counts.map((k) => (
              <th key={k} className="as-num">
                {t(`as.count.${k}`)}
              </th>
            ))}
            {rates.map((k) => (
              <th key={k} className="as-num">
                {t(`as.scored.${k}`)}
              </th>
            ))}
            <th className="as-num">{t('as.misc.avgHandlingDays')}</th>
            <th className="as-num">{t('as.misc.avgWhistleHours')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const f = r.figures;
            return (
              <tr key={r.id} data-id={r.id}>
                <td className="as-num as-rank">{r.rank ?? '—'}</td>
                <td className="as-name">
                  <strong>{r.name}</strong>
                  <span className="muted as-sub">{[kindText(t, r), detailText(t, r)].filter(Boolean).join(' · ')}</span>
                  <span className="as-formula" data-testid="score-formula">
                    {scoreFormula(weights.weights, f.indicators, f.score, assessmentLabels[language])}
                  </span>
                </td>
                <td className="as-num as-score" data-testid="score">
                  {one(f.score)}
                </td>
                {counts.map((k) => (
                  <td key={k} className={`as-num${k === 'red' && f.red > 0 ? ' as-red' : ''}${k === 'yellow' && f.yellow > 0 ? ' as-yellow' : ''}`}>
                    <button
                      type="button"
                      className="as-link"
                      data-indicator={k}
                      onClick={() => onDrill(r, k)}
                      aria-label={`${r.name} ${t(`as.count.${k}`)} ${f[k]}`}
                    >
                      {f[k]}
                    </button>
                  </td>
                ))}
                {rates.map((k) => (
                  <td key={k} className="as-num">
                    {pct(f.indicators[k])}
                  </td>
                ))}
                <td className="as-num">{one(f.avgHandlingDays)}</td>
                <td className="as-num">{one(f.avgWhistleHours)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
