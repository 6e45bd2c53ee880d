import { useState } from 'react';
import type { MediationSessionInfo, SessionChatEntry } from '@protocol/api.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText, formatDateTime, participantLabel } from '../i18n/labels.ts';
import { apiFetch } from '../services/api.ts';
import '../styles/chat-log.css';

/** 调解记录（文字）: each session's saved room chat, one collapsible section per session, loaded on opening (shown when the case's `can['session.chat']`). */
export function SessionChatLog({ sessions }: { sessions: MediationSessionInfo[] }) {
  const t = useT();
  if (sessions.length === 0) return null;
  return (
    <section className="card chat-log" aria-labelledby="chat-log-title" data-testid="chat-log">
      <h2 className="card__title" id="chat-log-title">
        {t('chatlog.title')}
      </h2>
      <p className="muted chat-log__hint">{t('chatlog.hint')}</p>
      {sessions.map((s) => (
        <SessionChat key={s.id} session={s} />
      ))}
    </section>
  );
}

function SessionChat({ session }: { session: MediationSessionInfo }) {
  const t = useT();
  const language = useLanguage();
  const [messages, setMessages] = useState<SessionChatEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    setError(null);
    apiFetch<SessionChatEntry[]>(`/sessions/${encodeURIComponent(session.id)}/chat`).then(setMessages, (e: unknown) => setError(errorText(t, e)));
  };
  return (
    <details
      className="chat-log__session"
      data-testid="chat-log-session"
      data-session-id={session.id}
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && messages === null) load();
      }}
    >
      <summary>
        {t('chatlog.session', { start: formatDateTime(session.startedAt, language) })}
        {session.status === 'open' && <span className="tag">{t('chatlog.open')}</span>}
        {messages && <span className="muted">{t('chatlog.count', { n: messages.length })}</span>}
      </summary>
      {error && <p className="alert alert--error">{error}</p>}
      {!messages && !error && <p className="muted">{t('chatlog.loading')}</p>}
      {messages && messages.length === 0 && <p className="muted">{t('chatlog.empty')}</p>}
      {messages && messages.length > 0 && (
        <ol className="chat-log__list">
          {messages.map((m) => (
            <li key={m.id} className={`chat-log__msg chat-log__msg--${m.scope}`} data-testid="chat-log-message" data-scope={m.scope}>
              <div className="chat-log__meta">
                <time dateTime={m.at}>{formatDateTime(m.at, language)}</time>
                <strong>{m.fromName}</strong>
                <span className="muted">{participantLabel(t, { role: m.fromRole, side: m.fromSide })}</span>
                {m.scope !== 'all' && <span className={`chat-log__scope chat-log__scope--${m.scope}`}>{t(`chatlog.scope.${m.scope}`)}</span>}
                {m.toName && <span className="muted">{t('chatlog.to', { name: m.toName })}</span>}
              </div>
              <p className="chat-log__text">{m.text}</p>
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
