import type { Logger } from '../logger.ts';
import type { StaffRole } from '../protocol/roles.ts';

/** One refused attempt to act on a case the caller has no relation to (who, what, on which case, through what). */
export interface Refusal {
  userId: string;
  role: StaffRole;
  action: string;
  caseId: string;
  /** The route key (`POST /api/…`) or socket step (`socket handshake`) that asked. */
  via: string;
}

/**
 * Every object-level refusal goes through here. Today it is a structured warning; an audit
 * store plugs in at this one place (pass `sink`), so no refusal can bypass it.
 */
export type RefusalSink = (refusal: Refusal) => void;

export function refusalRecorder(log: Logger, sink?: RefusalSink): RefusalSink {
  return (refusal) => {
    log.warn('access refused', { ...refusal });
    sink?.(refusal);
  };
}
