import { useState, type FormEvent } from 'react';
import type { ChatMessageInfo, PeerInfo } from '@protocol/signalling.ts';
import { useT } from '../i18n/index.ts';

interface Props {
  messages: ChatMessageInfo[];
  selfId: string | null;
  isMediator: boolean;
  /** People this participant may write to privately (mediators: everyone visible; others: mediators). */
  recipients: PeerInfo[];
  onSend: (text: string, to?: string) => void;
}

/** Text chat: to everyone in the same space, or privately between mediator and one participant. */
export function ChatPanel({ messages, selfId, isMediator, recipients, onSend }: Props) {
  const t = useT();
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = text.trim();
    if (!value) return;
    onSend(value, to || undefined);
    setText('');
  };
  return (
    <section className="panel chat" data-testid="chat">
      <h2 className="panel__title">{t('room.chat.title')}</h2>
      <ol className="chat__list">
        {messages.length === 0 && <li className="muted">{t('room.chat.empty')}</li>}
        {messages.map((m) => (
          <li key={m.id} className={`chat__msg${m.fromPeerId === selfId ? ' chat__msg--mine' : ''}`} data-scope={m.scope}>
            <span className="chat__from">
              {m.fromName}
              {m.scope !== 'all' && <em className="chat__scope">{t(m.scope === 'private' ? 'room.chat.private' : 'room.chat.caucus')}</em>}
            </span>
            <span className="chat__text">{m.text}</span>
          </li>
        ))}
      </ol>
      <form className="chat__form" onSubmit={submit}>
        {recipients.length > 0 && (
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="to" data-testid="chat-to">
            <option value="">{t('room.chat.toAll')}</option>
            {recipients.map((p) => (
              <option key={p.id} value={p.id}>
                {isMediator ? t('room.chat.to', { name: p.displayName }) : t('room.chat.toMediator')}
              </option>
            ))}
          </select>
        )}
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('room.chat.placeholder')} maxLength={1000} data-testid="chat-input" />
        <button type="submit" className="btn btn--primary" data-testid="chat-send">
          {t('room.chat.send')}
        </button>
      </form>
    </section>
  );
}
