import { useEffect, useRef, useState } from 'react';
import type { RecordingDeclineInfo } from '@protocol/recording.ts';

const SHOW_MS = 10_000;
const keyOf = (d: RecordingDeclineInfo) => `${d.displayName}|${d.at}`;

/**
 * For the mediator: the newest person to decline the recording notice, for a toast, when it
 * happens while they watch (not declines from before they came). Null once dismissed or timed out.
 */
export function useDeclineAlert(declined: RecordingDeclineInfo[] | undefined, enabled: boolean): [RecordingDeclineInfo | null, () => void] {
  const [alert, setAlert] = useState<RecordingDeclineInfo | null>(null);
  const seen = useRef<Set<string> | null>(null);
  // The effect runs when the list's content changes, not on every new array of the same declines.
  const snapshot = declined ? JSON.stringify(declined) : null;

  useEffect(() => {
    if (!enabled || snapshot === null) return;
    const list = JSON.parse(snapshot) as RecordingDeclineInfo[];
    const previous = seen.current;
    seen.current = new Set(list.map(keyOf));
    if (previous === null) return;
    const fresh = list.find((d) => !previous.has(keyOf(d)));
    if (fresh) setAlert(fresh);
  }, [snapshot, enabled]);

  useEffect(() => {
    if (!alert) return;
    const timer = window.setTimeout(() => setAlert((a) => (a === alert ? null : a)), SHOW_MS);
    return () => window.clearTimeout(timer);
  }, [alert]);

  return [alert, () => setAlert(null)];
}
