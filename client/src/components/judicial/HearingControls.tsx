import { useState } from 'react';
import type { StartHearingResponse } from '@protocol/hearing.ts';
import { useT } from '../../i18n/index.ts';
import { errorText, sideLabel } from '../../i18n/labels.ts';
import { Link } from '../../router.tsx';
import { hearingApi } from '../../services/hearingApi.ts';
import { Alert } from '../Feedback.tsx';
import { InvitationLink } from '../InvitationLink.tsx';

/**
 * The judge's "start hearing" for one application: starts the hearing (or finds the one still open),
 * shows each party's invitation link with its QR code, and opens the room, where the judge hosts.
 */
export function HearingControls({ applicationId }: { applicationId: string }) {
  const t = useT();
  const [hearing, setHearing] = useState<StartHearingResponse | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setHearing(await hearingApi.start(applicationId));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="hearing-title" data-testid="hearing-controls">
      <h2 className="card__title" id="hearing-title">
        {t('hearing.title')}
      </h2>
      <p className="subsection__hint">{t('hearing.hint')}</p>
      <div className="form-actions">
        <button
          type="button"
          className={`btn ${hearing ? 'btn--secondary' : 'btn--primary'}`}
          onClick={() => void start()}
          disabled={busy}
          data-testid="hearing-start"
        >
          {busy ? t('hearing.starting') : hearing ? t('hearing.newLinks') : t('hearing.start')}
        </button>
        {hearing && (
          <Link to={`/session/${encodeURIComponent(hearing.session.id)}`} className="btn btn--primary" data-testid="hearing-enter">
            {t('hearing.enter')}
          </Link>
        )}
      </div>
      {error && <Alert>{error}</Alert>}
      {hearing && (
        <div className="subsection" data-testid="hearing-links" data-session-id={hearing.session.id}>
          <Alert tone="success">{t(hearing.reused ? 'hearing.reused' : 'hearing.started')}</Alert>
          <h3 className="subsection__title">{t('hearing.links')}</h3>
          <p className="subsection__hint">{t('hearing.linksHint')}</p>
          <ul className="invite-rows">
            {hearing.invitations.map((invitation) => (
              <li key={invitation.id} className="invite-row" data-testid="hearing-party-link" data-side={invitation.side ?? ''}>
                <div className="invite-row__head">
                  <div className="invite-row__who">
                    {invitation.side && <span className={`party-chip__side party-chip__side--${invitation.side}`}>{sideLabel(t, invitation.side)}</span>}
                    <strong>{invitation.displayName}</strong>
                  </div>
                </div>
                <InvitationLink invitation={invitation} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
