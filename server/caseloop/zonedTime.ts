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

/** The wall-clock fields of `d` in the zone (two-digit month, day, hour 00–23, …) and its offset ('+08:00'). */
export function zonedParts(d: Date, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'offset', string> {
  const parts = formatter(timeZone).formatToParts(d);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // 'GMT+08:00', or plain 'GMT' at offset zero.
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second'), offset };
}

export function isoInZone(d: Date, timeZone: string): string {
  const p = zonedParts(d, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.offset}`;
}

/** The zone's offset at `d` as 'UTC+08:00', for column headers and notes. */
export function utcOffsetLabel(d: Date, timeZone: string): string {
  return `UTC${isoInZone(d, timeZone).slice(19)}`;
}
