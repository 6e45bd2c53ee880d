import type { Express } from 'express';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { HealthResponse, MediaCapabilities, SessionMediaState } from '../protocol/api.ts';
import type { Metrics } from '../metrics/Metrics.ts';
import type { Services } from '../services.ts';
import type { ConnectivityProbes } from '../connectivity/ConnectivityProbes.ts';

/** What the HTTP layer needs from the media layer. All may be sync or async. */
export interface HttpHooks {
  /** Called after a session was ended in the database: close its media room. Errors are logged, not returned. */
  onSessionEnded(sessionId: string): void | Promise<void>;
  /** Called after an invitation was revoked: disconnect whoever joined with it. Errors are logged, not returned. */
  onInvitationRevoked(invitationId: string): void | Promise<void>;
  /**
   * Live media state of a session (called only for sessions that exist). Several nodes: asked of
   * the node holding the room, with the caller's own credentials (`via`), unless already forwarded.
   */
  mediaState(sessionId: string, via?: ForwardedFrom): SessionMediaState | Promise<SessionMediaState>;
  health(): HealthResponse | Promise<HealthResponse>;
  mediaCapabilities(): Promise<MediaCapabilities>;
}

/** The caller's request, for asking another node on their behalf. */
export interface ForwardedFrom {
  authorization: string | undefined;
  /** The request came from another node already: answer from this node, never forward again. */
  forwarded: boolean;
}

/** Header a node puts on a request it forwards to another node. */
export const FORWARDED_HEADER = 'x-cm-forwarded';

export interface HttpDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  services: Services;
  hooks: HttpHooks;
  /** Prometheus metrics: request timing by route, and GET /metrics (with config.metrics.token). */
  metrics?: Metrics;
  /** The pre-join connectivity probes (they need the media workers); without them the probe routes answer 503. */
  connectivity?: ConnectivityProbes;
  /** Called after the API routes (and the /api 404) and before the error handler, e.g. to serve the client. */
  extend?: (app: Express) => void;
}
