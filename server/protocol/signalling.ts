import { z } from 'zod';
import type { WireError } from './errors.ts';
import { dtlsParameters, rtpCapabilities, rtpParameters } from './mediaTypes.ts';
import type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters } from './mediaTypes.ts';
import type { ParticipantRole, PartySide } from './roles.ts';

/*
 * The signalling protocol, used by server and client alike.
 * Client → server: socket event `request` with `{ name, data }` and an ack `(RequestResult) => void`.
 * Server → client: socket event `notification` with `{ name, data }`.
 * Every request has a zod schema; the server only ever hands validated data to handlers.
 */

export const mediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKind>;

/** What a producer carries; the UI places it by source, the server limits one producer per source. */
export const mediaSource = z.enum(['mic', 'webcam', 'screen']);
export type MediaSource = z.infer<typeof mediaSource>;

const id = z.string().min(1).max(64);

export const requestSchemas = {
  'room.getRouterRtpCapabilities': z.object({}).strict(),
  'room.join': z.object({ rtpCapabilities }).strict(),
  'room.leave': z.object({}).strict(),
  'transport.create': z.object({ direction: z.enum(['send', 'recv']) }).strict(),
  'transport.connect': z.object({ transportId: id, dtlsParameters }).strict(),
  'transport.restartIce': z.object({ transportId: id }).strict(),
  'producer.create': z
    .object({ transportId: id, kind: mediaKind, rtpParameters, source: mediaSource })
    .strict()
    .refine((v) => (v.source === 'mic') === (v.kind === 'audio'), {
      message: 'mic is the only audio source',
      path: ['source'],
    }),
  'producer.pause': z.object({ producerId: id }).strict(),
  'producer.resume': z.object({ producerId: id }).strict(),
  'producer.close': z.object({ producerId: id }).strict(),
  'consumer.create': z.object({ transportId: id, producerId: id }).strict(),
  'consumer.resume': z.object({ consumerId: id }).strict(),
  'consumer.setPreferredLayers': z
    .object({ consumerId: id, spatialLayer: z.number().int().min(0).max(3), temporalLayer: z.number().int().min(0).max(3).optional() })
    .strict(),
} as const;

export type RequestName = keyof typeof requestSchemas;

export interface PeerInfo {
  /** Opaque per-connection id; never derived from a name or phone number. */
  id: string;
  role: ParticipantRole;
  displayName: string;
  side: PartySide | null;
  department: string | null;
}

export interface ProducerInfo {
  id: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

export interface TransportOptions {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  rtpParameters: RtpParameters;
  /** Always true on creation: the client resumes once its consumer is ready. */
  paused: boolean;
  producerPaused: boolean;
}

type Empty = Record<string, never>;

export interface ResponseMap {
  'room.getRouterRtpCapabilities': { rtpCapabilities: RtpCapabilities };
  'room.join': { self: PeerInfo; peers: PeerInfo[]; producers: ProducerInfo[] };
  'room.leave': Empty;
  'transport.create': TransportOptions;
  'transport.connect': Empty;
  'transport.restartIce': { iceParameters: IceParameters };
  'producer.create': { producerId: string };
  'producer.pause': Empty;
  'producer.resume': Empty;
  'producer.close': Empty;
  'consumer.create': ConsumerOptions;
  'consumer.resume': Empty;
  'consumer.setPreferredLayers': Empty;
}

export type RequestData<N extends RequestName> = z.infer<(typeof requestSchemas)[N]>;
export type RequestInput<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;

/** Client → server, as a discriminated union: `{ name, data, response }`. */
export type ClientRequest = {
  [N in RequestName]: { name: N; data: RequestData<N>; response: ResponseMap[N] };
}[RequestName];

export type RequestResult<T> = { ok: true; data: T } | { ok: false; error: WireError };

/** Why the server closed a room or removed a peer; the client explains it to the user. */
export const closeReasons = ['ended', 'media_server_restarted', 'replaced', 'removed', 'session_closed'] as const;
export type CloseReason = (typeof closeReasons)[number];

export interface NotificationMap {
  'peer.joined': { peer: PeerInfo };
  'peer.left': { peerId: string };
  'producer.added': { producer: ProducerInfo };
  'producer.removed': { producerId: string };
  'producer.updated': { producerId: string; paused: boolean };
  'consumer.closed': { consumerId: string };
  'consumer.layersChanged': { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  'room.closed': { reason: CloseReason };
}

export type NotificationName = keyof NotificationMap;

/** Server → client, as a discriminated union. */
export type ServerNotification = {
  [N in NotificationName]: { name: N; data: NotificationMap[N] };
}[NotificationName];

/** socket.io typed events. */
export interface ClientToServerEvents {
  request: (request: { name: string; data: unknown }, ack: (result: RequestResult<unknown>) => void) => void;
}
export interface ServerToClientEvents {
  notification: (notification: ServerNotification) => void;
}

/** Handshake `auth` payload: an invitation token, or a staff token plus the session to host. */
export const handshakeAuth = z.union([
  z.object({ kind: z.literal('invitation'), token: z.string().min(1).max(4096) }).strict(),
  z.object({ kind: z.literal('staff'), token: z.string().min(1).max(4096), sessionId: id }).strict(),
]);
export type HandshakeAuth = z.infer<typeof handshakeAuth>;
