import type { InvitationInfo } from '@protocol/api.ts';
import type { PartySummary } from '@protocol/cases.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { Alert, Spinner } from './Feedback.tsx';
import { InvitationList } from './InvitationList.tsx';
import { OfficialInviteForm } from './OfficialInviteForm.tsx';
import { PartyInviteRow } from './PartyInviteRow.tsx';

/** Inviting people to an open session: per-party links, officials, and the list with revoke. */
export function InvitationPanel({ sessionId, parties }: { sessionId: string; parties: PartySummary[] }) {
  const t = useT();
  const list = useAsync(() => api.listInvitations(sessionId), [sessionId]);

  const upsert = (invitation: InvitationInfo) => {
    const current = list.data ?? [];
    const exists = current.some((i) => i.id === invitation.id);
    list.setData(exists ? current.map((i) => (i.id === invitation.id ? invitation : i)) : [invitation, ...current]);
  };

  return (
    <section className="card" aria-labelledby="invite-title" data-testid="invitation-panel">
      <h2 className="card__title" id="invite-title">
        {t('invite.title')}
      </h2>

      <div className="subsection">
        <h3 className="subsection__title">{t('invite.parties')}</h3>
        <p className="subsection__hint">{t('invite.partiesHint')}</p>
        <ul className="invite-rows">
          {parties.map((party) => (
            <PartyInviteRow key={party.id} sessionId={sessionId} party={party} onCreated={upsert} />
          ))}
        </ul>
      </div>

      <div className="subsection">
        <h3 className="subsection__title">{t('invite.official.title')}</h3>
        <p className="subsection__hint">{t('invite.official.hint')}</p>
        <OfficialInviteForm sessionId={sessionId} onCreated={upsert} />
      </div>

      <div className="subsection">
        <h3 className="subsection__title">{t('invite.list.title')}</h3>
        {list.loading && !list.data && <Spinner />}
        {list.error !== undefined && <Alert>{errorText(t, list.error)}</Alert>}
        {list.data && <InvitationList invitations={list.data} onChanged={upsert} />}
      </div>
    </section>
  );
}
