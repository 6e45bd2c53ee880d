import { hostRoles, participantRoles, type ParticipantRole } from '../protocol/roles.ts';
import type { RequestName } from '../protocol/signalling.ts';

/**
 * Who is on a socket: a room role, or `signer`, the signing page's socket outside the room
 * (handshake kind `signing`), which receives its agreement view and may send nothing: no entry lists it.
 */
export type SocketRole = ParticipantRole | 'signer';

const everyone = participantRoles;
/** The room's hosts: the mediator, or the judge in a judicial confirmation hearing. */
const hosts = hostRoles;

/**
 * Which room roles may send each signalling request. Publishing is open to every role here:
 * whether this peer may publish now (observer not granted, official revoked, party's screen
 * not allowed, waiting room) is the Room's rule, checked against the peer's rights.
 * Checked in one place (the dispatcher)
 * before validation and before any handler runs; a missing entry is a compile error.
 */
export const requestPermissions: Record<RequestName, readonly SocketRole[]> = {
  'room.getRouterRtpCapabilities': everyone,
  'room.join': everyone,
  'room.leave': everyone,
  'transport.create': everyone,
  'transport.connect': everyone,
  'transport.restartIce': everyone,
  'transport.close': everyone,
  'channel.open': everyone,
  'producer.create': everyone,
  'producer.pause': everyone,
  'producer.resume': everyone,
  'producer.close': everyone,
  'producer.list': everyone,
  'consumer.create': everyone,
  'consumer.resume': everyone,
  'consumer.setPreferredLayers': everyone,
  'lobby.admit': hosts,
  'lobby.admitAll': hosts,
  'lobby.deny': hosts,
  'lobby.sendBack': hosts,
  'room.setLocked': hosts,
  'caucus.start': hosts,
  'caucus.end': hosts,
  'participant.mute': hosts,
  'participant.askUnmute': hosts,
  'participant.remove': hosts,
  'participant.setRights': hosts,
  'room.end': hosts,
  'chat.send': everyone,
  'hand.set': everyone,
  'recording.start': hosts,
  'recording.pause': hosts,
  'recording.resume': hosts,
  'recording.consent': everyone,
};

/** Requests only hosts may send (the socket test calls each one as a party). */
export const mediatorOnly = (Object.keys(requestPermissions) as RequestName[]).filter((name) => requestPermissions[name] === hosts);

export function isAllowed(name: RequestName, role: SocketRole): boolean {
  return requestPermissions[name].includes(role);
}
