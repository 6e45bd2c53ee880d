import { useCallback, useState, type FormEvent } from 'react';
import type { ZodError } from 'zod';
import { zodDetails, type FieldProblem } from '@protocol/errors.ts';
import { useT } from '../i18n/index.ts';
import { errorText, fieldErrorText } from '../i18n/labels.ts';
import { ApiError } from '../services/api.ts';

/**
 * A form's errors, all from the message catalogue: field errors keyed by dotted path
 * (`parties.0.phone`), from a zod check or from the API's `details` (each with the server's reason
 * from `fields` when it gave one), and a message for the form as a whole.
 */
export function useFieldErrors() {
  const t = useT();
  const [raw, setRaw] = useState<Record<string, unknown>>({});
  const [problems, setProblems] = useState<Record<string, FieldProblem>>({});
  const [message, setMessage] = useState<string | null>(null);

  /** The fields an API error or a zod check named; `fields` adds the server's reason for some. */
  const fromDetails = useCallback((details: Record<string, string> | undefined, fields?: Record<string, FieldProblem>) => {
    setRaw({ ...details, ...fields });
    setProblems(fields ?? {});
  }, []);
  const fromZod = useCallback((error: ZodError) => fromDetails(zodDetails(error)), [fromDetails]);
  /** Any failure of a request: its fields under their inputs, and the form's message. */
  const take = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        fromDetails(error.details, error.fields);
        setMessage(error.details && Object.keys(error.details).length > 0 ? t('cl.form.fix') : errorText(t, error));
      } else {
        setMessage(errorText(t, error));
      }
    },
    [t, fromDetails],
  );
  const clear = useCallback((path?: string) => {
    setRaw((previous) => {
      if (path === undefined) return {};
      if (!(path in previous)) return previous;
      const next = { ...previous };
      delete next[path];
      return next;
    });
  }, []);
  const reset = useCallback(() => {
    setRaw({});
    setProblems({});
    setMessage(null);
  }, []);

  const get = (path: string): string | undefined => (path in raw ? fieldErrorText(t, path, problems[path]) : undefined);
  /** Errors for fields the form does not show (so nothing is silently dropped). */
  const others = (shown: string[]): string[] =>
    Object.keys(raw)
      .filter((p) => !shown.includes(p))
      .map((p) => fieldErrorText(t, p, problems[p]));

  return { get, others, fromDetails, fromZod, take, clear, reset, message, setMessage, any: Object.keys(raw).length > 0, paths: Object.keys(raw) };
}

/**
 * A form that sends one API call: `submit` clears the errors, runs `send` while `busy`, and shows
 * a failure under its fields (or as the form's message).
 */
export function useApiSubmit(send: () => Promise<void>) {
  const errors = useFieldErrors();
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
