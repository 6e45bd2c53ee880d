import { zonedParts } from '../caseloop/zonedTime.ts';
import { badRequest, zodDetails } from '../errors.ts';
import { periodQuery, type PeriodInfo, type PeriodKind } from '../protocol/assessment.ts';

/*
 * Assessment periods in the city's time zone: a month, a quarter, or custom dates (both days
 * included). Each is the half-open interval [first local midnight, next local midnight).
 */

function offsetMs(at: number, timeZone: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zonedParts(new Date(at), timeZone).offset);
  if (!m) return 0;
  const v = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return m[1] === '-' ? -v : v;
}

/** The instant of local midnight starting the given day (month may overflow: 13 → next January). */
export function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  let at = wall - offsetMs(wall, timeZone);
  // Across an offset change the offset at the result may differ from the guess's; once more settles it.
  at = wall - offsetMs(at, timeZone);
  return new Date(at);
}

/** The local calendar date of an instant as a day number (days since 1970-01-01), for day differences. */
export function localDayNumber(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86_400_000;
}

export interface Period extends PeriodInfo {
  fromMs: number;
  toMs: number;
}

function make(kind: PeriodKind, label: string, from: Date, to: Date, timeZone: string): Period {
  return { kind, label, from: from.toISOString(), to: to.toISOString(), timeZone, fromMs: from.getTime(), toMs: to.getTime() };
}

export function monthPeriod(year: number, month: number, timeZone: string): Period {
  const label = `${year}-${String(month).padStart(2, '0')}`;
  return make('month', label, localMidnight(year, month, 1, timeZone), localMidnight(year, month + 1, 1, timeZone), timeZone);
}

export function quarterPeriod(year: number, q: number, timeZone: string): Period {
  const first = (q - 1) * 3 + 1;
  return make('quarter', `${year}-Q${q}`, localMidnight(year, first, 1, timeZone), localMidnight(year, first + 3, 1, timeZone), timeZone);
}

const ymd = (s: string) => s.split('-').map(Number) as [number, number, number];

/** Validates the query (400 with field details) and returns the period and its trend: the periods before it, oldest first, ending with it. */
export function periodOf(query: unknown, timeZone: string): { period: Period; trend: Period[] } {
  const parsed = periodQuery.safeParse(query);
  if (!parsed.success) throw badRequest('Invalid period', zodDetails(parsed.error));
  const p = parsed.data;
  if (p.period === 'month') {
    const [y, m] = p.month.split('-').map(Number) as [number, number];
    const trend = Array.from({ length: 6 }, (_, i) => {
      const back = m - 5 + i;
      const yy = y + Math.floor((back - 1) / 12);
      return monthPeriod(yy, ((((back - 1) % 12) + 12) % 12) + 1, timeZone);
    });
    return { period: monthPeriod(y, m, timeZone), trend };
  }
  if (p.period === 'quarter') {
    const [y, q] = [Number(p.quarter.slice(0, 4)), Number(p.quarter.slice(6))];
    const trend = Array.from({ length: 4 }, (_, i) => {
      const back = q - 3 + i;
      const yy = y + Math.floor((back - 1) / 4);
      return quarterPeriod(yy, ((((back - 1) % 4) + 4) % 4) + 1, timeZone);
    });
    return { period: quarterPeriod(y, q, timeZone), trend };
  }
  const [fy, fm, fd] = ymd(p.from);
  const [ty, tm, td] = ymd(p.to);
  const from = localMidnight(fy, fm, fd, timeZone);
  const to = localMidnight(ty, tm, td + 1, timeZone);
  const period = make('custom', `${p.from}~${p.to}`, from, to, timeZone);
  // The trend of a custom period: the calendar months it touches, clipped to it (at most 24).
  const trend: Period[] = [];
  for (let y = fy, m = fm; (y < ty || (y === ty && m <= tm)) && trend.length < 24; m === 12 ? ((y += 1), (m = 1)) : (m += 1)) {
    const whole = monthPeriod(y, m, timeZone);
    const f = new Date(Math.max(whole.fromMs, period.fromMs));
    const t = new Date(Math.min(whole.toMs, period.toMs));
    trend.push(make('custom', whole.label, f, t, timeZone));
  }
  return { period, trend };
}
