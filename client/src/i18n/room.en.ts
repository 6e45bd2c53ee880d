import type { roomZhCN } from './room.zh-CN.ts';

/** English for room.zh-CN.ts. */
export const roomEn: Record<keyof typeof roomZhCN, string> = {
  'room.dialog.close': 'Close',
  'room.invite.open': 'Invite',
  'room.invite.title': 'Invite to this mediation',
  'room.invite.hint': 'You stay in the call. Create a link, then copy and send it, or let them scan the code with their phone.',
  'room.confirm.leave.title': 'Leave the mediation room?',
  'room.confirm.leave.party': 'You can join again later with the same link.',
  'room.confirm.leave.mediator':
    'The session pauses while you are away; the others see "The mediator is reconnecting". To finish, use "End mediation" instead.',
  'room.confirm.leave.ok': 'Leave',
  'room.confirm.remove.title': 'Remove {name} from the room?',
  'room.confirm.remove.body': "{name}'s invitation link stops working at once; they cannot come back to this session.",
  'room.confirm.remove.ok': 'Remove',
  'room.confirm.end.body': 'Everyone leaves the room and the session ends. Signing the agreement can continue from the case page.',
  'room.confirm.end.ok': 'End mediation',
  'room.end.next.title': 'What happens next',
  'room.end.next.agreement':
    'If an agreement was reached, the mediator sends a signing link to your phone; after signing, the same link lets you download the sealed agreement.',
  'room.end.next.noAgreement': 'If no agreement was reached this time, the mediator will contact you about the next step.',
  'room.end.contact.title': 'Questions? Contact',
  'room.end.contact.mediator': 'Mediator: {name}',
  'room.end.contact.centre': 'Mediation body: {name}',
  'room.end.contact.phone': 'Phone: ',
  'room.lobbyAlert.one': '{name} is in the waiting room',
  'room.lobbyAlert.many': '{n} people are waiting; press "Admit"',
  'room.stage.waiting': '{n} waiting',
  'room.state.caucusParty': 'Private session: the other side cannot hear you',
  'room.people.toggle': 'People',
  'room.people.title': 'In the room ({n})',
  'room.people.me': 'me',
  'room.people.hiddenInCaucus': 'The other side is talking privately with the mediator and is not shown for now.',
  'room.lobby.mediator': 'Mediator',
  'room.lobby.case': 'Case',
};
