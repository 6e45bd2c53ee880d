import { formatBytes } from '../components/RecordingsCard.tsx';
import { useEffect, useState, type FormEvent } from 'react';
import { caseStates, closedStates, type CaseState } from '@protocol/caseLoop.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { LoopCaseTable } from '../components/caseloop/LoopCaseTable.tsx';
import { loopLabel, percent } from '../components/caseloop/labels.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText } from '../i18n/labels.ts';
import { loopApi, type StatsQuery } from '../services/caseloopApi.ts';

/** How often the open dashboard refreshes its numbers and lists. */
const DASHBOARD_REFRESH_MS = 30_000;

/** Open states in the loop's order, then the closed ones. */
const stateOrder: readonly CaseState[] = [...caseStates.filter((s) => !closedStates.includes(s)), ...closedStates];

/** 督办看板: red cases first, then the numbers (from the database), with period and unit filters and CSV export. */
export function DashboardPage() {
  const t = useT();
  const [draft, setDraft] = useState<StatsQuery>({});
  const [query, setQuery] = useState<StatsQuery>({});
  const [exportError, setExportError] = useState<string | null>(null);
  const units = useAsync(() => loopApi.units(), []);
  const stats = useAsync(() => loopApi.stats(query), [query.from, query.to, query.unitId]);
  const red = useAsync(() => loopApi.listCases({ light: 'red', ...(query.unitId ? { unitId: query.unitId } : {}) }), [query.unitId]);
  const yellow = useAsync(() => loopApi.listCases({ light: 'yellow', ...(query.unitId ? { unitId: query.unitId } : {}) }), [query.unitId]);
  // New reports (public form, grid workers) and registered cases waiting for triage: not timed yet, but waiting for the centre.
  const intake = useAsync(async () => [...(await loopApi.listCases({ state: 'reported' })), ...(await loopApi.listCases({ state: 'registered' }))], []);
  // The dashboard stays open on a supervisor's screen: new reports and changed lights appear without a reload.
  const reloads = [stats.reload, red.reload, yellow.reload, intake.reload];
  useEffect(() => {
    const timer = window.setInterval(() => reloads.forEach((r) => r()), DASHBOARD_REFRESH_MS);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, reloads);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ ...draft });
  };
  const exportCsv = async () => {
    setExportError(null);
    try {
      await loopApi.exportCsv(query);
    } catch (e) {
      setExportError(errorText(t, e));
    }
  };
  const s = stats.data;
  const max = (r: Record<string, number>) => Math.max(1, ...Object.values(r));
  const hours = s?.avgHoursToClose ?? null;
  const watch = [...(red.data ?? []), ...(yellow.data ?? [])];

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('cl.dash.title')}</h1>
          <p className="page-head__subtitle">{t('cl.dash.subtitle')}</p>
        </div>
        <button type="button" className="btn btn--secondary" onClick={() => void exportCsv()} data-testid="export-csv">
          {t('cl.dash.export')}
        </button>
      </div>
      {exportError && <Alert>{exportError}</Alert>}

      <form className="card dash-filter" onSubmit={apply} data-testid="dash-filter">
        <FormField label={t('cl.dash.from')}>
          <input type="date" name="from" value={draft.from ?? ''} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </FormField>
        <FormField label={t('cl.dash.to')}>
          <input type="date" name="to" value={draft.to ?? ''} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </FormField>
        <FormField label={t('cl.col.unit')}>
          <select name="unitId" value={draft.unitId ?? ''} onChange={(e) => setDraft({ ...draft, unitId: e.target.value })}>
            <option value="">{t('cl.dash.allUnits')}</option>
            {(units.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </FormField>
        <div className="dash-filter__actions">
          <button type="submit" className="btn btn--primary">
            {t('cl.dash.apply')}
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => {
              setDraft({});
              setQuery({});
            }}
          >
            {t('cl.dash.reset')}
          </button>
        </div>
      </form>

      <section className="card card--flush dash-red" aria-labelledby="dash-red-title" data-testid="dash-watch">
        <div className="card__toolbar">
          <h2 className="card__title" id="dash-red-title">
            {t('cl.dash.watch')}
          </h2>
          <span className="muted">
            {t('cl.light.red')} {red.data?.length ?? 0} · {t('cl.light.yellow')} {yellow.data?.length ?? 0}
          </span>
        </div>
        {watch.length === 0 ? <p className="empty empty--small">{t('cl.dash.noWatch')}</p> : <LoopCaseTable cases={watch} />}
      </section>

      <section className="card card--flush" aria-labelledby="dash-intake-title" data-testid="dash-intake">
        <div className="card__toolbar">
          <h2 className="card__title" id="dash-intake-title">
            {t('cl.dash.intake')}
          </h2>
          <span className="muted">{t('cl.dash.intakeCount', { n: intake.data?.length ?? 0 })}</span>
        </div>
        {(intake.data ?? []).length === 0 ? <p className="empty empty--small">{t('cl.dash.noIntake')}</p> : <LoopCaseTable cases={intake.data ?? []} />}
      </section>

      {stats.loading && !s && <Spinner label={t('common.loading')} />}
      {stats.error !== undefined && <Alert>{errorText(t, stats.error)}</Alert>}
      {s && (
        <>
          <div className="kpis" data-testid="dash-kpis">
            <Kpi label={t('cl.dash.total')} value={String(s.total)} testId="kpi-total" />
            <Kpi label={t('cl.dash.handled')} value={String(s.handled)} testId="kpi-handled" />
            <Kpi
              label={t('cl.dash.settlementRate')}
              value={percent(s.settlementRate)}
              sub={t('cl.dash.ofHandled', { a: s.settled, b: s.handled })}
              testId="kpi-settlement"
            />
            <Kpi
              label={t('cl.dash.satisfactionRate')}
              value={percent(s.satisfactionRate)}
              sub={t('cl.dash.ofFollowed', { a: s.satisfied, b: s.followedUp })}
              testId="kpi-satisfaction"
            />
            <Kpi
              label={t('cl.dash.avgClose')}
              value={
                hours === null ? '—' : hours >= 48 ? t('cl.duration.dayNum', { n: (hours / 24).toFixed(1) }) : t('cl.duration.hourNum', { n: hours.toFixed(1) })
              }
              testId="kpi-avg"
            />
            <Kpi label={t('rec.dash.bytes')} value={formatBytes(s.recordingBytes)} sub={t('rec.dash.bytesSub')} testId="kpi-recording-bytes" />
          </div>
          <div className="dash-grid">
            <Bars
              title={t('cl.dash.byLight')}
              testId="by-light"
              rows={(['red', 'yellow', 'green', 'none', 'done'] as const).map((l) => ({
                key: l,
                label: loopLabel(t, 'light', l),
                n: s.byLight[l] ?? 0,
                tone: l,
              }))}
              max={max(s.byLight)}
              footnote={s.untimed > 0 ? t('cl.dash.untimed', { n: s.untimed }) : undefined}
            />
            <Bars
              title={t('cl.dash.byState')}
              testId="by-state"
              rows={stateOrder.map((k) => ({ key: k, label: loopLabel(t, 'state', k), n: s.byState[k] ?? 0 }))}
              max={max(s.byState)}
            />
            <Bars
              title={t('cl.dash.byType')}
              testId="by-type"
              rows={Object.entries(s.byType).map(([k, n]) => ({ key: k, label: disputeTypeLabel(t, k), n }))}
              max={max(s.byType)}
            />
            <Bars
              title={t('cl.dash.byUnit')}
              testId="by-unit"
              rows={Object.entries(s.byUnit).map(([k, n]) => ({ key: k || 'none', label: k === '' ? t('cl.unrouted') : (s.unitNames[k] ?? k), n }))}
              max={max(s.byUnit)}
            />
          </div>
        </>
      )}
    </AppShell>
  );
}

function Kpi({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId: string }) {
  return (
    <div className="kpi card" data-testid={testId}>
      <span className="kpi__label">{label}</span>
      <strong className="kpi__value">{value}</strong>
      {sub && <span className="kpi__sub muted">{sub}</span>}
    </div>
  );
}

function Bars({
  title,
  rows,
  max,
  footnote,
  testId,
}: {
  title: string;
  rows: Array<{ key: string; label: string; n: number; tone?: string }>;
  max: number;
  footnote?: string | undefined;
  testId: string;
}) {
  return (
    <section className="card bars" data-testid={testId}>
      <h2 className="card__title">{title}</h2>
      <ul className="bars__list">
        {rows.map((r) => (
          <li key={r.key} className="bars__row" data-key={r.key} data-n={r.n}>
            <span className="bars__label">{r.label}</span>
            <span className="bars__track">
              <span className={`bars__fill${r.tone ? ` bars__fill--${r.tone}` : ''}`} style={{ width: `${(r.n / max) * 100}%` }} />
            </span>
            <span className="bars__n">{r.n}</span>
          </li>
        ))}
      </ul>
      {footnote && <p className="muted bars__note">{footnote}</p>}
    </section>
  );
}
