import { z } from 'zod';
import { staffSessionEndReasons } from '../auth/staffSessionEndReasons.ts';

const id = z.string().min(1).max(64);

/**
 * What one node tells the others (or itself): one schema per message name. A request on any
 * node that must reach a live room, a socket or a listener held by another node goes through
 * here; every node checks what it receives against the schema before acting on it.
 */
export const clusterMessages = {
  /** The session was ended in the database: whoever owns its room closes it. */
  'session.ended': z.object({ sessionId: id }),
  /** The invitation was revoked: whoever holds its sockets removes them. */
  'invitation.revoked': z.object({ invitationId: id }),
  /** Staff logins were revoked: their sockets are disconnected wherever they are. */
  'staff.loginsRevoked': z.object({ userId: id, staffSessionIds: z.array(id).max(1000), reason: z.enum(staffSessionEndReasons) }),
  /** The agreement or the record of the case changed: the sockets following the case are sent its views. */
  'agreement.changed': z.object({ caseId: id }),
} as const;

export type ClusterMessageName = keyof typeof clusterMessages;
export type ClusterMessage<N extends ClusterMessageName> = z.infer<(typeof clusterMessages)[N]>;
export const clusterMessageNames = Object.keys(clusterMessages) as ClusterMessageName[];
