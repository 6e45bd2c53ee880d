import type { InvitationInfo } from '@protocol/api.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { formatDateTime } from '../i18n/labels.ts';
import { CopyField } from './CopyField.tsx';

/** A freshly created invitation: the link to copy and its QR code for phones. */
export function InvitationLink({ invitation }: { invitation: InvitationInfo }) {
  const t = useT();
  const language = useLanguage();
  if (!invitation.url) return null;
  const qrSrc = invitation.qrSvg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(invitation.qrSvg)}` : null;
  return (
    <div className="invite-link" data-testid="invitation-link" data-invitation-id={invitation.id}>
      <div className="invite-link__main">
        <CopyField value={invitation.url} label={t('invite.qrAlt', { name: invitation.displayName })} />
        <p className="invite-link__meta">{t('invite.expiresAt', { time: formatDateTime(invitation.expiresAt, language) })}</p>
      </div>
      {qrSrc && (
        <figure className="invite-link__qr">
          <img src={qrSrc} alt={t('invite.qrAlt', { name: invitation.displayName })} width={132} height={132} data-testid="invitation-qr" />
          <figcaption>{t('invite.scan')}</figcaption>
        </figure>
      )}
    </div>
  );
}
