import type { Socket } from 'socket.io';
import { recordRefusal } from '../audit/refusals.ts';
import { requestSchemas, type RequestName, type RequestResult } from '../protocol/signalling.ts';
import { actorOf, newRequestContext, runInRequestContext, type Actor, type AuditSink, type RequestContext } from '../requestContext.ts';
import type { Participant } from './participant.ts';

/** What the observer reports to metrics (server/metrics); every hook is optional. */
export interface SignallingMetricsHooks {
  /** One socket request answered: its name (`other` for unknown names), how long it took, the error code if refused. */
  request(name: RequestName | 'other', seconds: number, errorCode: string | null): void;
}

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
 * it itself), and metrics count requests, errors and durations by request name.
 */
export function createSignallingObserver(deps: { audit: AuditSink | null; metrics?: SignallingMetricsHooks }): SignallingObserver {
  const contextFor = (socket: Socket) => {
    const userAgent = socket.handshake.headers['user-agent'];
    return newRequestContext({
      ip: socket.handshake.address || null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      audit: deps.audit,
      actor: participantActor((socket.data as { participant?: Participant }).participant),
    });
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
        const started = process.hrtime.bigint();
        packet[2] = (result: RequestResult<unknown>) => {
          const errorCode = result.ok ? null : result.error.code;
          deps.metrics?.request(name, Number(process.hrtime.bigint() - started) / 1e9, errorCode);
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
    handshakeContext: contextFor,
    async handshakeRefused(context, code, message) {
      if (code === 'forbidden' && !context.refusalRecorded) await recordRefusal({ what: 'socket handshake', reason: message }, context);
    },
  };
}
