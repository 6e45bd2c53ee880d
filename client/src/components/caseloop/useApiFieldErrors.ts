import { useCallback, useState, type FormEvent } from 'react';
import type { FieldProblem } from '@protocol/errors.ts';
import { useT } from '../../i18n/index.ts';
import { errorText, fieldErrorText } from '../../i18n/labels.ts';
import { ApiError } from '../../services/api.ts';

/**
 * Inline field errors from an ApiError (the fields named in `details`, each with the reason from
 * `fields` when the server gave one), plus a message for the form; all from the message catalogue.
 */
export function useApiFieldErrors() {
  const t = useT();
  const [details, setDetails] = useState<Record<string, unknown>>({});
  const [problems, setProblems] = useState<Record<string, FieldProblem>>({});
  const [message, setMessage] = useState<string | null>(null);

  const reset = useCallback(() => {
    setDetails({});
    setProblems({});
    setMessage(null);
  }, []);

  const take = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        setDetails({ ...error.details, ...error.fields });
        setProblems(error.fields ?? {});
        if (error.details && Object.keys(error.details).length > 0) setMessage(t('cl.form.fix'));
        else setMessage(errorText(t, error));
      } else {
        setMessage(errorText(t, error));
      }
    },
    [t],
  );

  const field = (path: string): string | undefined => (path in details ? fieldErrorText(t, path, problems[path]) : undefined);

  /** Errors for fields the form does not show (so nothing is silently dropped). */
  const others = (shown: string[]): string[] =>
    Object.entries(details)
      .filter(([p]) => !shown.includes(p))
      .map(([p]) => fieldErrorText(t, p, problems[p]));

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
