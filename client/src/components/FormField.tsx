import { useId, type ReactElement, type ReactNode, cloneElement } from 'react';
import { useT } from '../i18n/index.ts';

interface Props {
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  optional?: string;
  className?: string;
  /** The input/select/textarea; gets id, aria-invalid and aria-describedby. */
  children: ReactElement<Record<string, unknown>>;
}

/** Label + control + inline error, wired for screen readers. */
export function FormField({ label, error, hint, optional, className = '', children }: Props) {
  const t = useT();
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''} ${className}`.trim()}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="field__optional">{t('punct.paren', { text: optional })}</span>}
      </label>
      {cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && !error && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
