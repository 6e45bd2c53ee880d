import { hasKey, type Translate } from '../../i18n/index.ts';

/** Case-loop enum labels in the current language (falls back to the server's Chinese label, then the raw value). */
export function loopLabel(t: Translate, group: string, value: string | null | undefined, fallback?: string | null): string {
  if (value === null || value === undefined) return fallback ?? '—';
  const key = `cl.${group}.${value}`;
  if (hasKey(key)) return t(key);
  return fallback ?? value;
}

/** 3天5小时 / 5 h / 20 min — for remaining and overdue time. */
export function durationText(t: Translate, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours > 0 ? t('cl.duration.dh', { d: days, h: hours }) : t('cl.duration.d', { d: days });
  if (hours > 0) return t('cl.duration.h', { h: hours });
  return t('cl.duration.m', { m: Math.max(1, minutes) });
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** A date (YYYY-MM-DD) n days from today, in the browser's zone (date inputs). */
export function dateInput(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Where the dispute happened (区县 / 街镇 / 社区 / 网格), each optional; labels `newCase.<field>`. */
export const placeFields = ['district', 'town', 'community', 'grid'] as const;
export type PlaceField = (typeof placeFields)[number];
