import { z } from 'zod';
import type { WireError } from './errors.ts';
import { dtlsParameters, rtpCapabilities, rtpParameters } from './mediaTypes.ts';
import type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters, SctpParameters, SctpStreamParameters } from './mediaTypes.ts';
import type { ParticipantRole, PartySide } from './roles.ts';
import { recordingConsentRequest, type RecordingStateInfo } from './recording.ts';
import type { AgreementView, SigningView } from './agreement.ts';
import type { RecordView } from './mediationRecord.ts';
import type { JudicialUpdate } from './judicial.ts';

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
  /**
   * Opens the room channel, a server-to-client data channel, on the caller's receive transport.
   * Opening it connects that transport (ICE, DTLS, SCTP) at once, in the waiting room, before
   * any media is consumed; admission then costs no connection set-up.
   */
  'channel.open': z.object({ transportId: id }).strict(),
  /** The client gives up one of its transports (a failed first connect leaves the browser's side unusable). */
  'transport.close': z.object({ transportId: id }).strict(),
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
  /** The caller's own producers as the server has them (the client reconciles against it after a drop). */
  'producer.list': z.object({}).strict(),
  'consumer.create': z.object({ transportId: id, producerId: id }).strict(),
  'consumer.resume': z.object({ consumerId: id }).strict(),
  'consumer.setPreferredLayers': z
    .object({ consumerId: id, spatialLayer: z.number().int().min(0).max(3), temporalLayer: z.number().int().min(0).max(3).optional() })
    .strict(),
  // --- waiting room (mediator) ---
  'lobby.admit': z.object({ peerId: id }).strict(),
  'lobby.admitAll': z.object({}).strict(),
  'lobby.deny': z.object({ peerId: id, reason: z.string().trim().max(200).default('') }).strict(),
  'lobby.sendBack': z.object({ peerId: id }).strict(),
  'room.setLocked': z.object({ locked: z.boolean() }).strict(),
  // --- private caucus 背对背 (mediator) ---
  'caucus.start': z.object({ peerIds: z.array(id).min(1).max(8) }).strict(),
  'caucus.end': z.object({}).strict(),
  // --- mediator controls ---
  'participant.mute': z.object({ peerId: id, source: mediaSource }).strict(),
  'participant.askUnmute': z.object({ peerId: id }).strict(),
  'participant.remove': z.object({ peerId: id }).strict(),
  'participant.setRights': z.object({ peerId: id, publish: z.boolean().optional(), share: z.boolean().optional() }).strict(),
  'room.end': z.object({}).strict(),
  // --- conversation ---
  'chat.send': z.object({ text: z.string().trim().min(1).max(1000), to: id.optional() }).strict(),
  'hand.set': z.object({ raised: z.boolean() }).strict(),
  // --- recording 录音录像 (issue 11) ---
  /** Mediators: turn recording on for this session (the caller counts as having confirmed the notice). */
  'recording.start': z.object({}).strict(),
  'recording.pause': z.object({}).strict(),
  'recording.resume': z.object({}).strict(),
  /** Anyone, also before room.join: confirm (or decline, which ends the connection) the recording notice. */
  'recording.consent': recordingConsentRequest,
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
  /**
   * TURN servers for this participant's browser (absent when the site runs no TURN): the client
   * hands them to its RTCPeerConnection, so media can go out through 443/TCP when UDP is blocked.
   */
  iceServers?: IceServer[];
  /** Receive transports carry SCTP for the room channel (channel.open). */
  sctpParameters?: SctpParameters;
}

/** The room channel's data consumer, as mediasoup-client's `transport.consumeData()` takes it. */
export interface ChannelOptions {
  id: string;
  dataProducerId: string;
  sctpStreamParameters: SctpStreamParameters;
  label: string;
  protocol: string;
}

/**
 * A TURN server URL as RTCPeerConnection takes it (RFC 7065): `turn:host:port` or
 * `turns:host:port`, optionally `?transport=udp|tcp`. No credentials in the URL.
 */
export const turnUrl = z
  .string()
  .trim()
  .regex(
    /^turns?:(\[[0-9a-fA-F:.]+\]|[0-9A-Za-z.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/,
    'a turn: or turns: URL such as turn:turn.example.org:3478?transport=udp or turns:turn.example.org:443?transport=tcp',
  );

/**
 * One RTCIceServer with short-lived TURN REST credentials: `username` is
 * `<expiry, unix seconds>:<participant identity>`, `credential` base64(HMAC-SHA1(secret, username)).
 */
export const iceServer = z.object({ urls: z.array(turnUrl).min(1), username: z.string().min(1).max(512), credential: z.string().min(1).max(256) }).strict();
export type IceServer = z.infer<typeof iceServer>;

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
  /** `capabilitiesId`: the room's router capabilities, as GET /api/media/capabilities names them. */
  'room.join': { self: PeerInfo; peers: PeerInfo[]; producers: ProducerInfo[]; state: RoomStateInfo; capabilitiesId: string };
  'room.leave': Empty;
  'transport.create': TransportOptions;
  'transport.connect': Empty;
  'transport.restartIce': { iceParameters: IceParameters };
  'transport.close': Empty;
  'channel.open': ChannelOptions;
  'producer.create': { producerId: string };
  'producer.pause': Empty;
  'producer.resume': Empty;
  'producer.close': Empty;
  'producer.list': { producers: ProducerInfo[] };
  'consumer.create': ConsumerOptions;
  'consumer.resume': Empty;
  'consumer.setPreferredLayers': Empty;
  'lobby.admit': Empty;
  'lobby.admitAll': { admitted: number };
  'lobby.deny': Empty;
  'lobby.sendBack': Empty;
  'room.setLocked': Empty;
  'caucus.start': { caucusId: string };
  'caucus.end': Empty;
  'participant.mute': Empty;
  'participant.askUnmute': Empty;
  'participant.remove': Empty;
  'participant.setRights': Empty;
  'room.end': Empty;
  'chat.send': { message: ChatMessageInfo };
  'hand.set': Empty;
  'recording.start': Empty;
  'recording.pause': Empty;
  'recording.resume': Empty;
  'recording.consent': Empty;
}

/** Where a participant is: waiting room, the joint session, or the private caucus. */
export type Place = 'lobby' | 'main' | 'caucus';

/** What the mediator sees about each participant (the roster) and what each participant knows of itself. */
export interface ParticipantState {
  peerId: string;
  role: ParticipantRole;
  displayName: string;
  side: PartySide | null;
  department: string | null;
  place: Place;
  /** ms since epoch; set while in the waiting room. */
  waitingSince: number | null;
  lead: boolean;
  handRaised: boolean;
  /** May publish camera/microphone (observers only when granted; officials until revoked). */
  canPublish: boolean;
  /** May share the screen (mediators, officials; parties when allowed). */
  canShare: boolean;
}

/**
 * Room state as one participant may know it, sent whole (`room.state`) whenever it changes.
 * `roster` lists everybody (with the waiting list) for mediators only; others get [] there.
 */
export interface RoomStateInfo {
  self: ParticipantState;
  locked: boolean;
  /** The lead mediator dropped: no admission, caucus frozen, until they return (or the grace period ends). */
  paused: boolean;
  caucus: { active: boolean; withMe: boolean; memberIds: string[] };
  roster: ParticipantState[];
  /** Raised hands among the peers this participant can see. */
  hands: string[];
  /** The session's recording; `consented` false while it is on: show the notice (recording.consent). */
  recording: RecordingStateInfo;
}

export interface ChatMessageInfo {
  id: string;
  fromPeerId: string;
  fromName: string;
  fromRole: ParticipantRole;
  /** null: to everyone in the same space (joint session or caucus). */
  toPeerId: string | null;
  scope: 'all' | 'private' | 'caucus';
  text: string;
  at: string;
}

/** Why the server paused or closed one of a participant's producers. */
export type MuteReason = 'mediator' | 'caucus_return' | 'rights_revoked';

export type RequestData<N extends RequestName> = z.infer<(typeof requestSchemas)[N]>;
export type RequestInput<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;

/** Client → server, as a discriminated union: `{ name, data, response }`. */
export type ClientRequest = {
  [N in RequestName]: { name: N; data: RequestData<N>; response: ResponseMap[N] };
}[RequestName];

export type RequestResult<T> = { ok: true; data: T } | { ok: false; error: WireError };

/** Why the server closed a room or removed a peer; the client explains it to the user. */
export const closeReasons = [
  'ended',
  'media_server_restarted',
  'replaced',
  'removed',
  'denied',
  'session_closed',
  'reconnect',
  /** The staff login behind this connection was revoked (logout): sign in again. */
  'logged_out',
  /** …because the account's password was changed in another login: sign in with the new one. */
  'password_changed',
  /** …because an administrator disabled the account. */
  'account_disabled',
  /** The participant declined the recording notice of a recorded session. */
  'recording_declined',
] as const;
export type CloseReason = (typeof closeReasons)[number];

/** The close reasons that mean the staff login itself has ended (not just this room). */
export const loginEndedReasons = ['logged_out', 'password_changed', 'account_disabled'] as const satisfies readonly CloseReason[];
export type LoginEndedReason = (typeof loginEndedReasons)[number];
export const isLoginEnded = (reason: string | null | undefined): reason is LoginEndedReason => (loginEndedReasons as readonly string[]).includes(reason ?? '');

export interface NotificationMap {
  'peer.joined': { peer: PeerInfo };
  'peer.left': { peerId: string };
  'producer.added': { producer: ProducerInfo };
  'producer.removed': { producerId: string };
  'producer.updated': { producerId: string; paused: boolean };
  'consumer.closed': { consumerId: string };
  'consumer.layersChanged': { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  'room.closed': { reason: CloseReason; message?: string };
  'room.state': RoomStateInfo;
  /** The server paused (mic) or closed (camera, screen) one of your producers. */
  'self.muted': { source: MediaSource; reason: MuteReason };
  /** The mediator asks you to unmute; you decide. */
  'self.unmuteRequested': Empty;
  'chat.message': { message: ChatMessageInfo };
  'speaker.active': { peerId: string | null };
  /** Upload quality of a visible peer, 0 (bad) .. 10 (good), from its producers' scores. */
  'peer.quality': { peerId: string; score: number };
  /**
   * The case's agreement (null before one is drafted), the same for everyone in the room: after
   * room.join, after a resumed connection, and whenever it changes.
   */
  'agreement.updated': { view: AgreementView | null };
  /** The session's mediation record (null before one is started) as this participant sees it; sent as agreement.updated is. */
  'record.updated': { view: RecordView | null };
  /** The signing page's socket (handshake kind `signing`): this party's signing view, on connecting and whenever the agreement changes. */
  'signing.updated': { view: SigningView };
  /**
   * Judicial confirmation (server/protocol/judicial.ts): in the room, the case's applications
   * (`kind: 'case'`, sent as agreement.updated is); on the party's phone page's socket (handshake
   * kind `judicial`), that party's view (`kind: 'party'`). On connecting and whenever it changes.
   */
  'judicial.updated': JudicialUpdate;
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

/**
 * What socket.io-client adds to `auth` on every reconnection once the server offered
 * connection-state recovery: the previous session id and the last packet offset it saw.
 * When the server can no longer restore that session (window over, server restarted), the
 * handshake runs as for a fresh connection and these fields are simply ignored.
 */
const recoveryFields = {
  pid: z.string().max(64).optional(),
  offset: z.string().max(64).optional(),
};

/**
 * Handshake `auth` payload: an invitation token, or a staff token plus the session to host; or,
 * for the signing page outside the room, its signing token (a signing link or a party's
 * invitation): that socket only receives `signing.updated`, and every request from it is refused.
 */
export const handshakeAuth = z.union([
  z.object({ kind: z.literal('invitation'), token: z.string().min(1).max(4096), ...recoveryFields }).strict(),
  z.object({ kind: z.literal('staff'), token: z.string().min(1).max(4096), sessionId: id, ...recoveryFields }).strict(),
  z.object({ kind: z.literal('signing'), token: z.string().min(1).max(4096), ...recoveryFields }).strict(),
  /** The party's judicial confirmation page (its link token): receives `judicial.updated` only. */
  z.object({ kind: z.literal('judicial'), token: z.string().min(1).max(4096), ...recoveryFields }).strict(),
]);
export type HandshakeAuth = z.infer<typeof handshakeAuth>;
