import { useState } from 'react';
import type { InvitationInfo } from '@protocol/api.ts';
import type { PartySummary } from '@protocol/cases.ts';
import { useT } from '../i18n/index.ts';
import { errorText, sideLabel } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { Alert } from './Feedback.tsx';
import { InvitationLink } from './InvitationLink.tsx';

interface Props {
  sessionId: string;
  party: PartySummary;
  onCreated: (invitation: InvitationInfo) => void;
}

/** One party of the case: generate their personal link, then show it with its QR code. */
export function PartyInviteRow({ sessionId, party, onCreated }: Props) {
  const t = useT();
  const [invitation, setInvitation] = useState<InvitationInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const generate = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await api.createInvitation(sessionId, {
        role: 'party',
        displayName: party.name,
        partyId: party.id,
        side: party.side,
      });
      setInvitation(created);
      onCreated(created);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="invite-row" data-testid="party-invite-row" data-party-id={party.id}>
      <div className="invite-row__head">
        <div className="invite-row__who">
          <span className={`party-chip__side party-chip__side--${party.side}`}>{sideLabel(t, party.side)}</span>
          <strong>{party.name}</strong>
          <span className="muted">{party.phoneMasked}</span>
        </div>
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => void generate()} disabled={busy}>
          {busy ? t('invite.generating') : invitation ? t('invite.regenerate') : t('invite.generate')}
        </button>
      </div>
      {error && <Alert>{error}</Alert>}
      {invitation && <InvitationLink invitation={invitation} />}
    </li>
  );
}
