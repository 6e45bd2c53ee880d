import { useCallback, useState, type FormEvent } from 'react';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/api.ts';
import { fieldText } from './fieldText.ts';

/**
 * Inline field errors from an ApiError's `details` (field path → message), plus a message for the form.
 * Server messages are English; known ones are put in plain words, others shown as the server wrote them.
 */
export function useApiFieldErrors() {
  const t = useT();
  const [details, setDetails] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);

  const reset = useCallback(() => {
    setDetails({});
    setMessage(null);
  }, []);

  const take = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        setDetails(error.details ?? {});
        if (error.details && Object.keys(error.details).length > 0) setMessage(t('cl.form.fix'));
        else if (error.code === 'conflict' || error.code === 'forbidden' || error.code === 'not_found') setMessage(localMessage(error.message) ?? errorText(t, error));
        else setMessage(errorText(t, error));
      } else {
        setMessage(errorText(t, error));
      }
    },
    [t],
  );

  const field = (path: string): string | undefined => {
    const m = details[path];
    return m === undefined ? undefined : fieldText(t, path, m);
  };

  /** Errors for fields the form does not show (so nothing is silently dropped). */
  const others = (shown: string[]): string[] =>
    Object.entries(details)
      .filter(([p]) => !shown.includes(p))
      .map(([p, m]) => `${p}: ${fieldText(t, p, m)}`);

  return { reset, take, field, others, message, setMessage };
}

/**
 * A form that sends one API call: `submit` clears the errors, runs `send` while `busy`, and shows
 * a failure under its fields (or as the form's message).
 */
export function useApiSubmit(send: () => Promise<void>) {
  const errors = useApiFieldErrors();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    errors.reset();
    try {
      await send();
    } catch (e) {
      errors.take(e);
    } finally {
      setBusy(false);
    }
  };

  return { busy, errors, submit };
}

/** Server messages carry the Chinese in parentheses: "Cannot close a case … (案件…，不能…)". */
function localMessage(message: string): string | null {
  const m = /[（(]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$/.exec(message);
  return m?.[1] ?? null;
}
