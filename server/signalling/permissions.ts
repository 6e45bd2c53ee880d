import type { ParticipantRole } from '../protocol/roles.ts';
import type { RequestName } from '../protocol/signalling.ts';

const everyone = ['mediator', 'party', 'official', 'observer'] as const satisfies readonly ParticipantRole[];
const publishers = ['mediator', 'party', 'official'] as const satisfies readonly ParticipantRole[];

/**
 * Which room roles may send each signalling request. Checked in one place (the dispatcher)
 * before validation and before any handler runs; a missing entry is a compile error.
 */
export const requestPermissions: Record<RequestName, readonly ParticipantRole[]> = {
  'room.getRouterRtpCapabilities': everyone,
  'room.join': everyone,
  'room.leave': everyone,
  'transport.create': everyone,
  'transport.connect': everyone,
  'transport.restartIce': everyone,
  'producer.create': publishers,
  'producer.pause': publishers,
  'producer.resume': publishers,
  'producer.close': publishers,
  'consumer.create': everyone,
  'consumer.resume': everyone,
  'consumer.setPreferredLayers': everyone,
};

export function isAllowed(name: RequestName, role: ParticipantRole): boolean {
  return requestPermissions[name].includes(role);
}
