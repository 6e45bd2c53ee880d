/**
 * Pure aggregation for the supervisor dashboard, and CSV export.
 */
import {
  caseStates,
  closedStates,
  disputeTypes,
  statsLights,
  type CaseState,
  type CaseStats,
  type DisputeType,
  type Light,
  type Satisfaction,
} from '../protocol/caseLoop.ts';
import { toMs, type Instant } from './lights.ts';

/** One case as the dashboard sees it; `light` is computed by the caller at `now`, null while untimed. */
export interface CaseRow {
  disputeType: DisputeType;
  unitId: string | null;
  state: CaseState;
  light: Light | null;
  createdAt: Instant;
  closedAt?: Instant | null | undefined;
  /** Outcome of the (latest) closing: true settled, false unsettled. */
  settled?: boolean | null | undefined;
  /** Result of the latest follow-up (回访), if any. */
  satisfaction?: Satisfaction | null | undefined;
}

export interface StatsFilter {
  /** Cases created at or after this instant. */
  from?: Instant | undefined;
  /** Cases created strictly before this instant (half-open period). */
  to?: Instant | undefined;
  /** Only these units (a single id or several). */
  unitId?: string | readonly string[] | undefined;
  disputeType?: DisputeType | undefined;
}

const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

const isClosed = (s: CaseState) => closedStates.includes(s);

/** Does the row pass the filter? The period applies to createdAt (intake cohort). */
export function matchesFilter(row: CaseRow, filter: StatsFilter = {}): boolean {
  const created = toMs(row.createdAt, 'createdAt');
  if (filter.from !== undefined && created < toMs(filter.from, 'from')) return false;
  if (filter.to !== undefined && created >= toMs(filter.to, 'to')) return false;
  if (filter.disputeType !== undefined && row.disputeType !== filter.disputeType) return false;
  if (filter.unitId !== undefined) {
    const units: readonly string[] = typeof filter.unitId === 'string' ? [filter.unitId] : filter.unitId;
    if (row.unitId === null || !units.includes(row.unitId)) return false;
  }
  return true;
}

export function computeStats(rows: readonly CaseRow[], filter: StatsFilter = {}): CaseStats {
  const byState = zeroes(caseStates);
  const byType = zeroes(disputeTypes);
  const byLight = zeroes(statsLights);
  const byUnit: Record<string, number> = {};
  let total = 0;
  let handled = 0;
  let settled = 0;
  let followedUp = 0;
  let satisfied = 0;
  let closeHoursSum = 0;
  let closeCount = 0;

  for (const row of rows) {
    if (!matchesFilter(row, filter)) continue;
    total += 1;
    byState[row.state] += 1;
    byType[row.disputeType] += 1;
    byLight[row.light ?? 'none'] += 1;
    const unit = row.unitId ?? '';
    byUnit[unit] = (byUnit[unit] ?? 0) + 1;

    if (isClosed(row.state)) {
      handled += 1;
      // The state says it for closed_*; after follow-up the row's `settled` flag does.
      if (row.state === 'closed_settled' || (row.state === 'followed_up' && row.settled === true)) settled += 1;
      if (row.closedAt !== undefined && row.closedAt !== null) {
        closeHoursSum += (toMs(row.closedAt, 'closedAt') - toMs(row.createdAt, 'createdAt')) / 3_600_000;
        closeCount += 1;
      }
    }
    if (row.satisfaction !== undefined && row.satisfaction !== null) {
      followedUp += 1;
      if (row.satisfaction === 'satisfied' || row.satisfaction === 'basically_satisfied') satisfied += 1;
    }
  }

  return {
    total,
    byState,
    byType,
    byUnit,
    byLight,
    handled,
    settled,
    settlementRate: handled === 0 ? null : settled / handled,
    followedUp,
    satisfied,
    satisfactionRate: followedUp === 0 ? null : satisfied / followedUp,
    avgHoursToClose: closeCount === 0 ? null : closeHoursSum / closeCount,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* CSV                                                                                         */
/* ------------------------------------------------------------------------------------------ */

/** A column: a header and either a key of the row or a function of it. */
export type CsvColumn<T> = { header: string; key: keyof T & string } | { header: string; value: (row: T) => unknown };

/** Excel's UTF-8 byte-order mark, so Chinese opens correctly. */
export const BOM = '\uFEFF';

/** Leading characters a spreadsheet may treat as a formula (OWASP CSV injection list). */
const formulaStart = /^[=+\-@\t\r]/;

function cellText(v: unknown): { text: string; fromString: boolean } {
  if (v === null || v === undefined) return { text: '', fromString: false };
  if (v instanceof Date) return { text: Number.isNaN(v.getTime()) ? '' : v.toISOString(), fromString: false };
  if (typeof v === 'number') return { text: Number.isFinite(v) ? String(v) : '', fromString: false };
  if (typeof v === 'boolean' || typeof v === 'bigint') return { text: String(v), fromString: false };
  if (typeof v === 'string') return { text: v, fromString: true };
  return { text: JSON.stringify(v) ?? '', fromString: true };
}

/**
 * One CSV cell. Text starting with = + - @ (or tab / CR) gets a leading single quote
 * so spreadsheets show it as text; numbers are written as is (a number cannot be a
 * formula, and -5 must stay a number). Cells with quotes, commas or line breaks are
 * quoted with inner quotes doubled (RFC 4180).
 */
export function csvCell(v: unknown): string {
  const { text: raw, fromString } = cellText(v);
  const text = fromString && formulaStart.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text: BOM, header row, one row per item, CRLF line ends (RFC 4180). */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) {
    lines.push(columns.map((c) => csvCell('key' in c ? row[c.key] : c.value(row))).join(','));
  }
  return BOM + lines.join('\r\n') + '\r\n';
}
