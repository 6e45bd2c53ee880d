import { createContext, useCallback, useContext, type ReactNode } from 'react';
import type { SessionKind } from '@protocol/api.ts';
import { useT, type MessageKey, type Translate } from './index.ts';

/*
 * The room says what the session is: in a judicial confirmation hearing the judge, not a
 * mediator, hosts, so the texts that name the mediation or the mediator read from these keys
 * instead. Everything else in the room reads the same.
 */

const hearingWording: Partial<Record<MessageKey, MessageKey>> = {
  'join.invitedTo': 'hearing.room.invitedTo',
  'join.privacy': 'hearing.room.privacy',
  'prejoin.join': 'hearing.room.join',
  'room.status.joined': 'hearing.room.inSession',
  'room.state.main': 'hearing.room.inSession',
  'room.state.paused': 'hearing.room.paused',
  'room.participants': 'hearing.room.participants',
  'room.waiting.party': 'hearing.room.waitingParty',
  'room.lobby.title': 'hearing.room.lobbyTitle',
  'room.lobby.body': 'hearing.room.lobbyBody',
  'room.lobby.mediator': 'hearing.room.host',
  'room.panel.lead': 'hearing.room.host',
  'room.invite.title': 'hearing.room.inviteTitle',
  'room.panel.endAll': 'hearing.room.endAll',
  'room.panel.endConfirm': 'hearing.room.endConfirm',
  'room.confirm.end.body': 'hearing.room.endBody',
  'room.confirm.end.ok': 'hearing.room.endOk',
  'room.confirm.leave.mediator': 'hearing.room.leaveHost',
  'room.end.ended': 'hearing.room.ended',
  'room.end.ended.body': 'hearing.room.endedBody',
  'room.end.next.agreement': 'hearing.room.next',
  'room.end.next.noAgreement': 'hearing.room.nextQuestions',
  'room.end.contact.mediator': 'hearing.room.contactJudge',
  'room.end.contact.centre': 'hearing.room.contactCourt',
  'room.panel.lock': 'hearing.room.lock',
  'rec.control.off': 'hearing.room.recordingOff',
};

const RoomKind = createContext<SessionKind>('mediation');

export function RoomKindProvider({ kind, children }: { kind: SessionKind; children: ReactNode }) {
  return <RoomKind.Provider value={kind}>{children}</RoomKind.Provider>;
}

/** A key in the session's wording (see above). */
export function roomKey(kind: SessionKind, key: MessageKey): MessageKey {
  return kind === 'hearing' ? (hearingWording[key] ?? key) : key;
}

/** useT for the room's components: the texts of the session's kind. */
export function useRoomT(): Translate {
  const t = useT();
  const kind = useContext(RoomKind);
  return useCallback<Translate>((key, params) => t(roomKey(kind, key), params), [t, kind]);
}
