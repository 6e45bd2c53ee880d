import { useEffect, useRef, useState } from 'react';
import type { TrendPoint } from '@protocol/assessment.ts';
import { useT } from '../../i18n/index.ts';

/**
 * The trend over periods (ECharts, canvas): cases received and closed as bars, the score and the
 * on-time and satisfaction rates (in %) as lines. ECharts is fetched when the chart first shows.
 */
export function TrendChart({ points }: { points: readonly TrendPoint[] }) {
  const t = useT();
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let disposed = false;
    let chart: { setOption(o: unknown): void; resize(): void; dispose(): void } | undefined;
    const onResize = () => chart?.resize();
    const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
    import('./echartsSetup.ts')
      .then(({ echarts }) => {
        if (disposed || !host.current) return;
        chart = echarts.init(host.current, undefined, { renderer: 'canvas' });
        chart.setOption({
          animation: false,
          color: ['#b9dde3', '#1f8fa0', '#0b4f5c', '#1f8f4e', '#d49b00'],
          tooltip: { trigger: 'axis' },
          legend: { top: 0, type: 'scroll' },
          grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
          xAxis: { type: 'category', data: points.map((p) => p.label) },
          yAxis: [
            { type: 'value', name: '', minInterval: 1 },
            { type: 'value', name: '', min: 0, max: 100, splitLine: { show: false } },
          ],
          series: [
            { name: t('as.legend.received'), type: 'bar', data: points.map((p) => p.received) },
            { name: t('as.legend.closed'), type: 'bar', data: points.map((p) => p.closed) },
            {
              name: t('as.legend.score'),
              type: 'line',
              yAxisIndex: 1,
              connectNulls: true,
              data: points.map((p) => (p.score === null ? null : Math.round(p.score * 10) / 10)),
            },
            { name: t('as.legend.onTime'), type: 'line', yAxisIndex: 1, connectNulls: true, data: points.map((p) => pct(p.onTimeRate)) },
            { name: t('as.legend.satisfaction'), type: 'line', yAxisIndex: 1, connectNulls: true, data: points.map((p) => pct(p.satisfactionRate)) },
          ],
        });
        window.addEventListener('resize', onResize);
      })
      .catch(() => setFailed(true));
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [points, t]);

  if (failed) return <p className="muted">—</p>;
  return <div ref={host} className="as-chart" data-testid="assessment-trend-chart" role="img" aria-label={t('as.trend')} />;
}
