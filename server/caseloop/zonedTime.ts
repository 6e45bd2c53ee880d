/**
 * Instants written in a named time zone, ISO 8601 with the zone's offset at that instant
 * (`2026-03-02T09:00:00+08:00`): what a spreadsheet user reads as local time, still exact.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isoInZone(d: Date, timeZone: string): string {
  const parts = formatter(timeZone).formatToParts(d);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // 'GMT+08:00', or plain 'GMT' at offset zero.
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}

/** The zone's offset at `d` as 'UTC+08:00', for column headers and notes. */
export function utcOffsetLabel(d: Date, timeZone: string): string {
  return `UTC${isoInZone(d, timeZone).slice(19)}`;
}
