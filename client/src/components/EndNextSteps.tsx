import type { InvitationPreview } from '@protocol/api.ts';
import type { EndReason } from '../services/media/sessionState.ts';
import { useRoomT } from '../i18n/roomWording.tsx';

/** What an invited participant knows about their case: shown in the waiting room and at the end. */
export interface PartyContext {
  caseNumber: string;
  caseTitle: string;
  contact: InvitationPreview['contact'];
}

/** After the session: what happens with the agreement, and whom to call. */
export function EndNextSteps({ reason, context }: { reason: EndReason; context: PartyContext }) {
  const t = useRoomT();
  const finished = reason === 'ended' || reason === 'session_closed';
  const { contact } = context;
  return (
    <div className="end-next" data-testid="end-next-steps">
      {finished && (
        <>
          <h2 className="end-next__title">{t('room.end.next.title')}</h2>
          <ul className="end-next__list">
            <li>{t('room.end.next.agreement')}</li>
            <li>{t('room.end.next.noAgreement')}</li>
          </ul>
        </>
      )}
      <h2 className="end-next__title">{t('room.end.contact.title')}</h2>
      <ul className="end-next__contact" data-testid="end-contact">
        <li>{t('room.end.contact.mediator', { name: contact.mediatorName })}</li>
        <li>{t('room.end.contact.centre', { name: contact.centreName })}</li>
        {contact.centrePhone && (
          <li>
            {t('room.end.contact.phone')}
            <a href={`tel:${contact.centrePhone.replace(/[^\d+]/g, '')}`}>{contact.centrePhone}</a>
          </li>
        )}
      </ul>
    </div>
  );
}
