import { useCallback, useState } from 'react';
import type { ZodError } from 'zod';
import type { FieldProblem } from '@protocol/errors.ts';
import { useT } from '../i18n/index.ts';
import { fieldErrorText } from '../i18n/labels.ts';

/** zod issues in the API's `details` shape: dotted path → first message. */
export function zodDetails(error: ZodError): Record<string, string> {
  const details: Record<string, string> = {};
  for (const issue of error.issues) details[issue.path.map(String).join('.') || '(root)'] ??= issue.message;
  return details;
}

/** Field errors keyed by dotted path (`parties.0.phone`), from zod or from the API `details`. */
export function useFieldErrors() {
  const t = useT();
  const [raw, setRaw] = useState<Record<string, unknown>>({});
  const [problems, setProblems] = useState<Record<string, FieldProblem>>({});

  /** The fields an API error or a zod check named; `fields` adds the server's reason for some. */
  const fromDetails = useCallback((details: Record<string, string> | undefined, fields?: Record<string, FieldProblem>) => {
    setRaw({ ...details, ...fields });
    setProblems(fields ?? {});
  }, []);
  const fromZod = useCallback((error: ZodError) => fromDetails(zodDetails(error)), [fromDetails]);
  const clear = useCallback((path?: string) => {
    setRaw((previous) => {
      if (path === undefined) return {};
      if (!(path in previous)) return previous;
      const next = { ...previous };
      delete next[path];
      return next;
    });
  }, []);

  const get = (path: string): string | undefined => (path in raw ? fieldErrorText(t, path, problems[path]) : undefined);

  return { get, fromDetails, fromZod, clear, any: Object.keys(raw).length > 0, paths: Object.keys(raw) };
}
