import { useState } from 'react';
import type { CaseDetail, PartyContact } from '@protocol/cases.ts';
import { useT } from '../../i18n/index.ts';
import { errorText, sideLabel } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { Alert } from '../Feedback.tsx';

/** Full phone numbers, one party at a time, for the lead mediator or a supervisor; each reveal is on the timeline. */
export function ContactsCard({ detail }: { detail: CaseDetail }) {
  const t = useT();
  const [shown, setShown] = useState<Record<string, PartyContact>>({});
  const [error, setError] = useState<string | null>(null);

  const reveal = async (partyId: string) => {
    setError(null);
    try {
      const contact = await loopApi.revealContact(detail.id, partyId);
      setShown((s) => ({ ...s, [partyId]: contact }));
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <section className="card" aria-labelledby="contacts-title" data-testid="contacts-card">
      <h2 className="card__title" id="contacts-title">
        {t('cl.contact.title')}
      </h2>
      <p className="muted card__hint">{t('cl.contact.hint')}</p>
      <ul className="contact-list">
        {detail.parties.map((p) => {
          const c = shown[p.id];
          return (
            <li key={p.id}>
              <span className={`party-chip__side party-chip__side--${p.side}`}>{sideLabel(t, p.side)}</span>
              <span>{p.name}</span>
              {c ? (
                <a href={`tel:${c.phone}`} className="contact-list__phone" data-testid="contact-phone">
                  {c.phone}
                </a>
              ) : (
                <>
                  <span className="muted">{p.phoneMasked}</span>
                  <button type="button" className="btn btn--text btn--sm" onClick={() => void reveal(p.id)} data-testid="reveal-phone">
                    {t('cl.contact.reveal')}
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
      {error && <Alert>{error}</Alert>}
    </section>
  );
}
