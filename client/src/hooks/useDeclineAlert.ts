import { useEffect, useRef, useState } from 'react';
import type { RecordingDeclineInfo } from '@protocol/recording.ts';

const SHOW_MS = 10_000;

/**
 * For the mediator: the newest person to decline the recording notice, for a toast, when it
 * happens while they watch (not declines from before they came). Null once dismissed or timed out.
 */
export function useDeclineAlert(declined: RecordingDeclineInfo[] | undefined, enabled: boolean): [RecordingDeclineInfo | null, () => void] {
  const [alert, setAlert] = useState<RecordingDeclineInfo | null>(null);
  const seen = useRef<Set<string> | null>(null);
  const keys = (declined ?? []).map((d) => `${d.displayName}|${d.at}`);
  const joined = keys.join('\n');

  useEffect(() => {
    if (!enabled || !declined) return;
    const previous = seen.current;
    seen.current = new Set(keys);
    if (previous === null) return;
    const fresh = declined.find((d) => !previous.has(`${d.displayName}|${d.at}`));
    if (fresh) setAlert(fresh);
  }, [joined, enabled]);

  useEffect(() => {
    if (!alert) return;
    const timer = window.setTimeout(() => setAlert((a) => (a === alert ? null : a)), SHOW_MS);
    return () => window.clearTimeout(timer);
  }, [alert]);

  return [alert, () => setAlert(null)];
}
