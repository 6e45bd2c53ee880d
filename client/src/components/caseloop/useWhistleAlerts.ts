import { useEffect, useRef, useState } from 'react';
import type { PendingWhistles, WhistleInfo } from '@protocol/cases.ts';
import { loopApi } from '../../services/caseloopApi.ts';

/** How often an official's console asks for open whistle requests (and at once when the tab comes back). */
export const WHISTLE_POLL_MS = 20_000;

const lastSeen: { at: string | null | undefined } = { at: undefined };

/**
 * An official's open whistle requests, polled: the count for the header badge, and `fresh`, a
 * request newer than any seen since the console opened (for the notification). Requests already
 * open when the console opens are counted, not announced.
 */
export function useWhistleAlerts(enabled: boolean): { count: number; fresh: WhistleInfo | null; dismiss: () => void } {
  const [pending, setPending] = useState<PendingWhistles>({ count: 0, newest: null });
  const [fresh, setFresh] = useState<WhistleInfo | null>(null);
  // Each page mounts its own header: what was already seen outlives the page (for this tab).
  const seen = useRef(lastSeen);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    const poll = () => {
      loopApi.pendingWhistles().then(
        (p) => {
          if (cancelled) return;
          setPending(p);
          const newest = p.newest;
          if (seen.current.at === undefined) seen.current.at = newest?.requestedAt ?? null;
          else if (newest && (seen.current.at === null || newest.requestedAt > seen.current.at)) {
            seen.current.at = newest.requestedAt;
            setFresh(newest);
          }
        },
        () => undefined,
      );
    };
    poll();
    const timer = window.setInterval(poll, WHISTLE_POLL_MS);
    const onVisible = () => document.visibilityState === 'visible' && poll();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [enabled]);

  return { count: pending.count, fresh, dismiss: () => setFresh(null) };
}
