import type { ReactNode } from 'react';
import { AlertIcon } from './Icons.tsx';

export function Spinner({ label }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner__ring" aria-hidden="true" />
      {label && <span className="spinner__label">{label}</span>}
    </div>
  );
}

export function Alert({ tone = 'error', children }: { tone?: 'error' | 'info' | 'warning' | 'success'; children: ReactNode }) {
  return (
    <div className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {tone !== 'success' && <AlertIcon size={20} className="alert__icon" />}
      <div className="alert__body">{children}</div>
    </div>
  );
}

/** A centred card for whole-page messages (link invalid, session ended, …). */
export function MessageCard({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card message-card">
      <h1 className="message-card__title">{title}</h1>
      {children && <div className="message-card__body">{children}</div>}
      {actions && <div className="message-card__actions">{actions}</div>}
    </section>
  );
}
