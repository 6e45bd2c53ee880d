import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/index.ts';
import { CheckIcon, CopyIcon } from './Icons.tsx';

export async function copyText(text: string, fallbackInput: HTMLInputElement | null = null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older in-app browsers, or plain http: select the text and use the legacy command.
    if (!fallbackInput) return false;
    fallbackInput.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** A read-only link with a copy button. */
export function CopyField({ value, label }: { value: string; label: string }) {
  const t = useT();
  const inputRef = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);

  return (
    <div className="copy-field">
      <input
        ref={inputRef}
        className="copy-field__input"
        readOnly
        value={value}
        aria-label={label}
        onFocus={(e) => e.currentTarget.select()}
        data-testid="invitation-url"
      />
      <button
        type="button"
        className={`btn btn--sm ${state === 'copied' ? 'btn--success' : 'btn--secondary'}`}
        onClick={() => void copyText(value, inputRef.current).then((ok) => setState(ok ? 'copied' : 'failed'))}
      >
        {state === 'copied' ? <CheckIcon size={18} /> : <CopyIcon size={18} />}
        {state === 'copied' ? t('common.copied') : t('common.copy')}
      </button>
      {state === 'failed' && <p className="field__error copy-field__error">{t('common.copyFailed')}</p>}
    </div>
  );
}
