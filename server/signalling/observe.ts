import type { Socket } from 'socket.io';
import { recordRefusal } from '../audit/refusals.ts';
import { requestSchemas, type RequestName, type RequestResult } from '../protocol/signalling.ts';
import { actorOf, newRequestContext, runInRequestContext, type Actor, type AuditSink, type RequestContext } from '../requestContext.ts';
import type { Metrics } from '../metrics/Metrics.ts';
import type { Participant } from './participant.ts';

export interface SignallingObserver {
  /** Called first for every connected socket (fresh or recovered): each request then runs in its own context. */
  attach(socket: Socket): void;
  /** The context a handshake runs in (token verification identifies the actor in it). */
  handshakeContext(socket: Socket): RequestContext;
  /** A handshake was refused with this wire error. */
  handshakeRefused(context: RequestContext, code: string, message: string): Promise<void>;
}

function requestNameOf(request: unknown): RequestName | 'other' {
  const name = typeof request === 'object' && request !== null ? (request as { name?: unknown }).name : undefined;
  return typeof name === 'string' && Object.hasOwn(requestSchemas, name) ? (name as RequestName) : 'other';
}

function participantActor(participant: Participant | undefined): Actor | null {
  if (!participant) return null;
  if (participant.staff) return actorOf(participant.staff);
  return { actor: participant.identity, userId: participant.userId, name: participant.displayName, role: participant.role };
}

/**
 * Socket requests as the operators see them: each runs in a request context (IP, user agent,
 * participant), a `forbidden` answer is recorded as a permission refusal (unless the check did
 * it itself), and metrics count requests and errors by request name and time each join.
 */
export function createSignallingObserver(deps: { audit: AuditSink | null; metrics?: Metrics }): SignallingObserver {
  const metrics = deps.metrics;
  /** When each handshake began (join latency runs from there to the answered room.join). */
  const handshakeStarted = new WeakMap<object, bigint>();
  const contextFor = (socket: Socket) => {
    const userAgent = socket.handshake.headers['user-agent'];
    return newRequestContext({
      ip: socket.handshake.address || null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      audit: deps.audit,
      actor: participantActor((socket.data as { participant?: Participant }).participant),
      countRateLimited: metrics ? (limiter) => metrics.rateLimited.inc({ limiter }) : null,
    });
  };
  const observe = (name: RequestName | 'other', errorCode: string | null, socket: Socket, context: RequestContext) => {
    if (!metrics) return;
    const now = process.hrtime.bigint();
    metrics.socketRequests.inc({ request: name });
    if (errorCode !== null) metrics.socketErrors.inc({ request: name, code: errorCode });
    if (errorCode === 'too_many_requests' && !context.rateLimitCounted) metrics.rateLimited.inc({ limiter: `socket ${name}` });
    const handshake = handshakeStarted.get(socket.handshake);
    if (name === 'room.join' && errorCode === null && handshake !== undefined) {
      metrics.joinDuration.observe(Number(now - handshake) / 1e9);
      handshakeStarted.delete(socket.handshake);
    }
  };

  return {
    attach(socket) {
      socket.use((packet, next) => {
        const [event, request, ack] = packet;
        if (event !== 'request' || typeof ack !== 'function') {
          next();
          return;
        }
        const name = requestNameOf(request);
        const context = contextFor(socket);
        packet[2] = (result: RequestResult<unknown>) => {
          const errorCode = result.ok ? null : result.error.code;
          observe(name, errorCode, socket, context);
          if (errorCode === 'forbidden' && !context.refusalRecorded) {
            const reason = result.ok ? '' : result.error.message;
            void recordRefusal({ what: `socket ${name}`, reason }, context).then(() => ack(result));
            return;
          }
          ack(result);
        };
        runInRequestContext(context, next);
      });
    },
    handshakeContext(socket) {
      handshakeStarted.set(socket.handshake, process.hrtime.bigint());
      return contextFor(socket);
    },
    async handshakeRefused(context, code, message) {
      if (code === 'forbidden' && !context.refusalRecorded) await recordRefusal({ what: 'socket handshake', reason: message }, context);
    },
  };
}
