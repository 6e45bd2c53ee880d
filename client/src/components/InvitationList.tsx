import { useState } from 'react';
import type { InvitationInfo } from '@protocol/api.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText, formatDateTime, participantLabel } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { Alert } from './Feedback.tsx';

type Status = 'active' | 'revoked' | 'expired';
const statusOf = (i: InvitationInfo): Status => (i.revokedAt ? 'revoked' : Date.parse(i.expiresAt) <= Date.now() ? 'expired' : 'active');

/** Invitations of a session, newest first, each revocable while active. */
export function InvitationList({ invitations, onChanged }: { invitations: InvitationInfo[]; onChanged: (i: InvitationInfo) => void }) {
  const t = useT();
  const language = useLanguage();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const revoke = async (invitation: InvitationInfo) => {
    setBusyId(invitation.id);
    setError(null);
    try {
      const updated = await api.revokeInvitation(invitation.id);
      onChanged({ ...invitation, ...updated, revokedAt: updated?.revokedAt ?? new Date().toISOString() });
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusyId(null);
    }
  };

  if (invitations.length === 0) return <p className="empty empty--small">{t('invite.list.empty')}</p>;
  const sorted = [...invitations].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <>
      {error && <Alert>{error}</Alert>}
      <ul className="invite-list">
        {sorted.map((invitation) => {
          const status = statusOf(invitation);
          return (
            <li
              key={invitation.id}
              className={`invite-list__item invite-list__item--${status}`}
              data-testid="invitation-row"
              data-invitation-id={invitation.id}
            >
              <div className="invite-list__who">
                <strong>{invitation.displayName}</strong>
                <span className="muted">{participantLabel(t, invitation)}</span>
              </div>
              <span className="invite-list__time muted">{formatDateTime(invitation.createdAt, language)}</span>
              <span className={`badge badge--${status === 'active' ? 'good' : 'neutral'}`}>{t(`invite.status.${status}`)}</span>
              <span className="invite-list__action">
                {status === 'active' && (
                  <button type="button" className="btn btn--danger-text btn--sm" onClick={() => void revoke(invitation)} disabled={busyId === invitation.id}>
                    {t('invite.revoke')}
                  </button>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
}
