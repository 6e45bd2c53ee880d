import { useCallback, useEffect, useState } from 'react';
import type { ConnectivityResult } from '@protocol/connectivity.ts';
import { ConnectivityCheck, type ConnectivityReport } from '../services/ConnectivityCheck.ts';

export type ConnectivityStatus = 'checking' | ConnectivityResult;

/**
 * Runs the pre-join connection check once on mount and again on `retry()`; a check still running
 * when the page moves on (the person joins) is cancelled, and its probe closed.
 */
export function useConnectivityCheck(token: string): { status: ConnectivityStatus; ports: ConnectivityReport['ports']; retry: () => void } {
  const [status, setStatus] = useState<ConnectivityStatus>('checking');
  const [ports, setPorts] = useState<ConnectivityReport['ports']>(undefined);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setStatus('checking');
    new ConnectivityCheck({ token }).run(controller.signal).then(
      (report) => {
        if (controller.signal.aborted) return;
        setStatus(report.result);
        setPorts(report.ports);
      },
      () => {
        if (!controller.signal.aborted) setStatus('unchecked');
      },
    );
    return () => controller.abort();
  }, [token, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { status, ports, retry };
}
