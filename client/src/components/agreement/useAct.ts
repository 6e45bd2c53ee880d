import { useCallback, useState } from 'react';

/** A local hint (a dictionary key) or a failure from the server, rendered in the current language when shown. */
export type Problem<K extends string> = { key: K } | { error: unknown } | null;

/**
 * One action at a time behind a form's buttons: busy while it runs, its failure kept as the
 * problem to show (cleared when the next action starts). Shared by the signing forms.
 */
export function useAct<K extends string>() {
  const [problem, setProblem] = useState<Problem<K>>(null);
  const [busy, setBusy] = useState(false);
  const act = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
    } catch (e) {
      setProblem({ error: e });
    } finally {
      setBusy(false);
    }
  }, []);
  return { problem, setProblem, busy, act };
}
