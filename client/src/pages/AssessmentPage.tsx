import { useEffect, useState } from 'react';
import {
  assessmentSubjects,
  periodKinds,
  type AssessmentRow,
  type AssessmentSubject,
  type CountIndicator,
  type DrillCase,
  type PeriodKind,
} from '@protocol/assessment.ts';
import { AppShell } from '../components/AppShell.tsx';
import { DrillList } from '../components/assessment/DrillList.tsx';
import { one, pct } from '../components/assessment/format.ts';
import { RankingTable } from '../components/assessment/RankingTable.tsx';
import { TrendChart } from '../components/assessment/TrendChart.tsx';
import { WeightsForm } from '../components/assessment/WeightsForm.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useStore } from '../hooks/useStore.ts';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { assessmentApi, type AssessmentQuery } from '../services/assessmentApi.ts';
import { staffAuth } from '../services/session.ts';
import '../styles/assessment.css';

/** This month and quarter in the browser's calendar (the server counts periods in the city's time zone). */
function today() {
  const d = new Date();
  const y = d.getFullYear();
  const m = d.getMonth() + 1;
  return {
    month: `${y}-${String(m).padStart(2, '0')}`,
    year: String(y),
    q: `Q${Math.ceil(m / 3)}`,
    day: `${y}-${String(m).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`,
  };
}

/** 绩效考核: period picker, unit/person tabs, trend chart, ranking with drill-down, CSV and PDF export, the scoring weights. */
export function AssessmentPage() {
  const t = useT();
  const auth = useStore(staffAuth);
  const now = today();
  const [query, setQuery] = useState<AssessmentQuery>({
    period: 'month',
    month: now.month,
    quarter: `${now.year}-${now.q}`,
    from: `${now.month}-01`,
    to: now.day,
  });
  const [subject, setSubject] = useState<AssessmentSubject>('unit');
  const [drill, setDrill] = useState<{ title: string; cases: DrillCase[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The units of the caller's scope, as the last report over the whole scope listed them.
  const [scopeUnits, setScopeUnits] = useState<Array<{ id: string; name: string }>>([]);
  const report = useAsync(() => assessmentApi.report(query), [query.period, query.month, query.quarter, query.from, query.to, query.unitId]);
  const r = report.data;
  useEffect(() => {
    if (r && !query.unitId) setScopeUnits(r.units.map((u) => ({ id: u.id, name: u.name })));
  }, [r, query.unitId]);

  const set = (patch: Partial<AssessmentQuery>) => {
    setDrill(null);
    setQuery({ ...query, ...patch });
  };
  const run = async (job: () => Promise<void>) => {
    setProblem(null);
    try {
      await job();
    } catch (e) {
      setProblem(errorText(t, e));
    }
  };
  const openDrill = (row: AssessmentRow, indicator: CountIndicator) =>
    void run(async () => {
      const cases = await assessmentApi.cases(query, row.subject, row.id, indicator);
      setDrill({ title: t('as.drillTitle', { name: row.name, indicator: t(`as.count.${indicator}`), n: cases.length }), cases });
      window.requestAnimationFrame(() => document.getElementById('as-drill-title')?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
    });
  const [year, quarter] = (query.quarter ?? `${now.year}-${now.q}`).split('-') as [string, string];
  const years = Array.from({ length: 6 }, (_, i) => String(Number(now.year) - i));
  const rows = r ? (subject === 'unit' ? r.units : r.persons) : [];

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('as.title')}</h1>
          <p className="page-head__subtitle">{t('as.subtitle')}</p>
        </div>
        <div className="as-actions">
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => void run(() => assessmentApi.exportCsv(query, subject))}
            data-testid="assessment-csv"
          >
            {t('as.exportCsv')}
          </button>
          <button type="button" className="btn btn--secondary" onClick={() => void run(() => assessmentApi.exportPdf(query))} data-testid="assessment-pdf">
            {t('as.exportPdf')}
          </button>
        </div>
      </div>
      {problem && <Alert>{problem}</Alert>}

      <div className="card dash-filter as-filter" data-testid="assessment-filter">
        <FormField label={t('as.periodKind')}>
          <select name="period" value={query.period} onChange={(e) => set({ period: e.target.value as PeriodKind })}>
            {periodKinds.map((k) => (
              <option key={k} value={k}>
                {t(`as.period.${k}`)}
              </option>
            ))}
          </select>
        </FormField>
        {query.period === 'month' && (
          <FormField label={t('as.month')}>
            <input type="month" name="month" value={query.month ?? ''} onChange={(e) => e.target.value && set({ month: e.target.value })} />
          </FormField>
        )}
        {query.period === 'quarter' && (
          <>
            <FormField label={t('as.year')}>
              <select name="year" value={year} onChange={(e) => set({ quarter: `${e.target.value}-${quarter}` })}>
                {years.map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField label={t('as.quarter')}>
              <select name="quarter" value={quarter} onChange={(e) => set({ quarter: `${year}-${e.target.value}` })}>
                {['Q1', 'Q2', 'Q3', 'Q4'].map((q) => (
                  <option key={q} value={q}>
                    {q}
                  </option>
                ))}
              </select>
            </FormField>
          </>
        )}
        {query.period === 'custom' && (
          <>
            <FormField label={t('as.from')}>
              <input type="date" name="from" value={query.from ?? ''} onChange={(e) => e.target.value && set({ from: e.target.value })} />
            </FormField>
            <FormField label={t('as.to')}>
              <input type="date" name="to" value={query.to ?? ''} onChange={(e) => e.target.value && set({ to: e.target.value })} />
            </FormField>
          </>
        )}
        <FormField label={t('as.unit')}>
          <select name="unitId" value={query.unitId ?? ''} onChange={(e) => set({ unitId: e.target.value || undefined })}>
            <option value="">{t('as.allUnits')}</option>
            {scopeUnits.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </FormField>
      </div>

      {report.loading && !r && <Spinner label={t('common.loading')} />}
      {report.error !== undefined && <Alert>{errorText(t, report.error)}</Alert>}
      {r && (
        <>
          <div className="kpis as-kpis" data-testid="assessment-kpis">
            <Kpi label={t('as.count.received')} value={String(r.total.received)} />
            <Kpi label={t('as.count.closed')} value={String(r.total.closed)} sub={`${t('as.count.onTime')} ${r.total.onTime}`} />
            <Kpi label={t('as.scored.onTimeRate')} value={pct(r.total.indicators.onTimeRate)} />
            <Kpi label={`${t('as.count.yellow')} / ${t('as.count.red')}`} value={`${r.total.yellow} / ${r.total.red}`} />
            <Kpi label={t('as.scored.successRate')} value={pct(r.total.indicators.successRate)} />
            <Kpi
              label={t('as.scored.satisfactionRate')}
              value={pct(r.total.indicators.satisfactionRate)}
              sub={`${t('as.count.followUps')} ${r.total.followUps}`}
            />
            <Kpi label={t('as.misc.avgHandlingDays')} value={one(r.total.avgHandlingDays)} />
            <Kpi label={t('as.misc.avgWhistleHours')} value={one(r.total.avgWhistleHours)} />
            <Kpi label={t('as.misc.score')} value={one(r.total.score)} />
          </div>

          <section className="card" aria-labelledby="as-trend-title">
            <h2 className="card__title" id="as-trend-title">
              {t('as.trend')}
            </h2>
            <p className="muted as-hint">{t('as.trendHint')}</p>
            <TrendChart points={r.trend} />
          </section>

          <section className="card card--flush" aria-labelledby="as-ranking-title">
            <div className="card__toolbar">
              <h2 className="card__title" id="as-ranking-title">
                {t('as.ranking')} · {r.period.label}
              </h2>
              <div className="as-tabs" role="tablist">
                {assessmentSubjects.map((s) => (
                  <button
                    key={s}
                    type="button"
                    role="tab"
                    aria-selected={subject === s}
                    className={`as-tab${subject === s ? ' as-tab--on' : ''}`}
                    onClick={() => {
                      setDrill(null);
                      setSubject(s);
                    }}
                    data-testid={`assessment-tab-${s}`}
                  >
                    {t(`as.subject.${s}`)}
                  </button>
                ))}
              </div>
            </div>
            {rows.length === 0 ? (
              <p className="empty empty--small">{t('as.noRows')}</p>
            ) : (
              <RankingTable rows={rows} weights={r.weights.weightSet} onDrill={openDrill} />
            )}
            <p className="muted as-rank-rule" data-testid="assessment-rank-rule">
              {t('as.rankRule', { n: r.weights.weightSet.limits.minClosed })}
            </p>
          </section>
          {drill && <DrillList title={drill.title} cases={drill.cases} onClose={() => setDrill(null)} />}

          <WeightsForm record={r.weights} canEdit={auth?.user.role === 'admin'} onSaved={() => report.reload()} />
        </>
      )}
    </AppShell>
  );
}

function Kpi({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="kpi card">
      <span className="kpi__label">{label}</span>
      <strong className="kpi__value">{value}</strong>
      {sub && <span className="kpi__sub muted">{sub}</span>}
    </div>
  );
}
