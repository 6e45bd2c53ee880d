import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { AppError, fail, toWireError, zodDetails } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { Peer, type Room, type RoomRegistry } from '../media/index.ts';
import type { InvitationPrincipal, StaffPrincipal } from '../auth/principals.ts';
import type { StaffSessionEndReason } from '../auth/staffSessionEndReasons.ts';
import { revokes, type StaffSessionEvents, type StaffSessionRevoked } from '../auth/staffSessionEvents.ts';
import type { MediationSessionInfo } from '../protocol/api.ts';
import {
  handshakeAuth,
  type ClientToServerEvents,
  type HandshakeAuth,
  type CloseReason,
  type IceServer,
  type LoginEndedReason,
  type ServerNotification,
  type ServerToClientEvents,
} from '../protocol/signalling.ts';
import { runInRequestContext } from '../requestContext.ts';
import type { DocumentFeed, DocumentSubject } from './documents.ts';
import type { SignallingObserver } from './observe.ts';
import { serveSigner } from './signingSocket.ts';
import { mustWait, participantFor, type Participant } from './participant.ts';
import {
  RECOVERY_WINDOW_MS,
  RoomConnection,
  type AttendanceRecorder,
  type RecordingControls,
  type RoomControls,
  type SignallingSocket,
  type SocketData,
} from './RoomConnection.ts';

/** What the room tells a socket whose staff login was revoked, by why it was revoked. */
const closeReasonOf: Record<StaffSessionEndReason, LoginEndedReason> = {
  logout: 'logged_out',
  password_changed: 'password_changed',
  account_disabled: 'account_disabled',
};

export interface SignallingDeps {
  log: Logger;
  rooms: RoomRegistry;
  verifyStaffToken(token: string): Promise<StaffPrincipal>;
  verifyInvitationToken(token: string): Promise<InvitationPrincipal>;
  /** Revoked staff logins: their sockets are disconnected at once. */
  staffSessions: Pick<StaffSessionEvents, 'subscribe'>;
  getSession(sessionId: string): Promise<MediationSessionInfo>;
  /** The object rule for entering this session's room with a staff login (throws a 403 when refused). */
  mayEnter(principal: StaffPrincipal, session: MediationSessionInfo): Promise<void>;
  attendance: AttendanceRecorder;
  controls: RoomControls;
  recording: RecordingControls;
  /** Caucus start/end on the case timeline (who, when; never content). */
  recordCaucus(sessionId: string, event: 'started' | 'ended', record: CaucusRecord): Promise<void>;
  /** Cluster mode: throws `wrong_node` (naming the node) when another node holds the session's room. */
  placeSession?(sessionId: string): Promise<void>;
  /** Request contexts, refusal auditing and metrics for every socket (server/signalling/observe.ts). */
  observer?: SignallingObserver;
  /** TURN servers with credentials minted for this participant (server/signalling/turnCredentials.ts); unset: no TURN. */
  iceServers?(participant: Participant): IceServer[];
  /**
   * The case's agreement and mediation record, pushed to the room's participants and to the
   * signing page's socket (handshake kind `signing`, refused without it).
   */
  documents?: DocumentFeed;
  /** socket.io heartbeat and recovery window; defaults suit phones on weak networks. */
  timing?: { pingIntervalMs?: number; pingTimeoutMs?: number; recoveryMs?: number };
}

export interface CaucusRecord {
  caucusId: string;
  /** `user:<id>` / `invitation:<id>` of the mediator, or `system`. */
  actor: string;
  members: Array<{ role: string; side: string | null; displayName: string }>;
}

export interface Signalling {
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  /** Disconnects whoever is in a room with this invitation (it was revoked). */
  removeInvitation(invitationId: string): void;
  connectionCount(): number;
  close(): Promise<void>;
}

/**
 * socket.io signalling. The handshake verifies the token and refuses otherwise (`next(err)`);
 * a connection exists only for a verified participant of an open session.
 */
export function attachSignalling(httpServer: HttpServer, deps: SignallingDeps): Signalling {
  const log = deps.log;
  const recoveryMs = deps.timing?.recoveryMs ?? RECOVERY_WINDOW_MS;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    pingInterval: deps.timing?.pingIntervalMs ?? 10_000,
    pingTimeout: deps.timing?.pingTimeoutMs ?? 10_000,
    // Short drops (a phone changing networks) resume the same socket, with missed notifications replayed;
    // the peer and its media stay up meanwhile (RoomConnection keeps it for the same window).
    connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true },
  });
  const connections = new Set<RoomConnection>();
  const signingSockets = new Set<SignallingSocket>();

  // Caucus start/end go on the case timeline: who and when, never what was said.
  const onRoomCreated = (room: Room) => {
    room.on('caucusStarted', (caucus, by, members) => {
      const record: CaucusRecord = {
        caucusId: caucus.id,
        actor: by.identity,
        members: members.map((m) => ({ role: m.info.role, side: m.info.side, displayName: m.info.displayName })),
      };
      deps.recordCaucus(room.sessionId, 'started', record).catch((error: unknown) => log.warn('could not record caucus', { error }));
    });
    room.on('caucusEnded', (caucus, by) => {
      const record: CaucusRecord = { caucusId: caucus.id, actor: by?.identity ?? 'system', members: [] };
      deps.recordCaucus(room.sessionId, 'ended', record).catch((error: unknown) => log.warn('could not record caucus', { error }));
    });
  };
  deps.rooms.on('roomCreated', onRoomCreated);

  // A revoked staff login loses its sockets at once. Revocations are kept for a minute, so a
  // handshake that read the login before the revocation was committed is refused too.
  const recentlyRevoked = new Map<StaffSessionRevoked, number>();
  const revocationOf = (participant: Participant | undefined): StaffSessionRevoked | undefined => {
    const staff = participant?.staff;
    if (!staff) return undefined;
    const cutoff = Date.now() - 60_000;
    for (const [event, at] of recentlyRevoked) {
      if (at < cutoff) recentlyRevoked.delete(event);
      else if (revokes(event, staff)) return event;
    }
    return undefined;
  };
  const loginEnded = () => new AppError('unauthenticated', 'This login has ended; please sign in again');
  const drop = (socket: SignallingSocket, reason: LoginEndedReason) => {
    socket.emit('notification', { name: 'room.closed', data: { reason } });
    socket.disconnect(true);
  };
  const unsubscribeRevocations = deps.staffSessions.subscribe((event) => {
    recentlyRevoked.set(event, Date.now());
    const reason = closeReasonOf[event.reason];
    for (const socket of io.of('/').sockets.values()) {
      const staff = socket.data.participant?.staff;
      if (!staff || !revokes(event, staff)) continue;
      log.info('staff login revoked: disconnecting its socket', { reason: event.reason });
      const connection = [...connections].find((c) => c.peerId === socket.data.peerId && !c.closed);
      if (connection) connection.remove(reason);
      else drop(socket, reason);
    }
  });

  io.use((socket, next) => {
    const context = deps.observer?.handshakeContext(socket);
    const authenticated = context ? runInRequestContext(context, () => authenticate(socket.handshake.auth, deps)) : authenticate(socket.handshake.auth, deps);
    authenticated
      .then((who) => {
        if ('participant' in who && revocationOf(who.participant)) throw loginEnded();
        return who;
      })
      .then(
        (who) => {
          if ('participant' in who) socket.data.participant = who.participant;
          else socket.data.signer = who.signer;
          next();
        },
        (error: unknown) => {
          const wire = toWireError(error);
          if (wire.unexpected) log.error('handshake failed', { error });
          const refusal = new Error(wire.body.code) as Error & { data: unknown };
          refusal.data = wire.body;
          if (!context || !deps.observer) next(refusal);
          else void deps.observer.handshakeRefused(context, wire.body.code, wire.body.message).then(() => next(refusal));
        },
      );
  });

  io.on('connection', (socket: SignallingSocket) => {
    const revoked = revocationOf(socket.data.participant);
    if (revoked) {
      drop(socket, closeReasonOf[revoked.reason]);
      return;
    }
    deps.observer?.attach(socket);
    const signer = socket.data.signer;
    if (signer && deps.documents) {
      serveSigner(socket, signer, deps.documents, log);
      signingSockets.add(socket);
      socket.once('disconnect', () => signingSockets.delete(socket));
      return;
    }
    if (socket.recovered) {
      const existing = [...connections].find((c) => c.peerId === socket.data.peerId && !c.closed);
      if (existing) {
        existing.reattach(socket);
        socket.on('request', (request, ack) => {
          if (typeof ack === 'function') void existing.handle(request).then(ack);
        });
        return;
      }
      // The peer is gone (recovery came too late, or they were removed): a fresh handshake decides.
      socket.emit('notification', { name: 'room.closed', data: { reason: 'reconnect' } });
      socket.disconnect(true);
      return;
    }
    const participant = socket.data.participant;
    if (!participant) {
      socket.disconnect(true);
      return;
    }
    const documents = deps.documents;
    const token = (socket.handshake.auth as HandshakeAuth).token;
    const peer = new Peer({
      info: {
        role: participant.role,
        displayName: participant.displayName,
        side: participant.side,
        department: participant.department,
      },
      identity: participant.identity,
      log,
    });
    // The room is fetched (or created) asynchronously; requests sent meanwhile wait for it.
    const ready = deps.rooms.addPeer(participant.sessionId, peer, { mustWait: mustWait(participant) }).then((room) => {
      const connection = new RoomConnection({
        socket,
        participant,
        room,
        peer,
        attendance: deps.attendance,
        controls: deps.controls,
        recording: deps.recording,
        log,
        recoveryMs,
        ...(deps.iceServers ? { iceServers: () => deps.iceServers!(participant) } : {}),
        ...(documents ? { followDocuments: async (send) => documents.follow(await documents.participant(token, participant.sessionId), send) } : {}),
      });
      connections.add(connection);
      peer.once('closed', () => connections.delete(connection));
      if (!socket.connected) peer.close('left');
      return connection;
    });
    ready.catch((error: unknown) => {
      if (toWireError(error).unexpected) log.error('could not enter the room', { error });
      peer.close('left');
      socket.disconnect(true);
    });
    socket.on('request', (request, ack) => {
      if (typeof ack !== 'function') return;
      ready.then(
        (connection) => connection.handle(request).then(ack),
        (error: unknown) => ack({ ok: false, error: toWireError(error).body }),
      );
    });
  });

  return {
    io,
    removeInvitation(invitationId) {
      for (const connection of connections) {
        if (connection.participant.invitationId === invitationId) connection.remove('removed' satisfies CloseReason);
      }
      for (const socket of signingSockets) {
        const signer = socket.data.signer;
        const actor = signer?.kind === 'signing' ? signer.actor : undefined;
        if (actor?.kind === 'invitation' && actor.invitation.invitationId === invitationId) {
          socket.emit('notification', { name: 'room.closed', data: { reason: 'removed' } } satisfies ServerNotification);
          socket.disconnect(true);
        }
      }
    },
    connectionCount: () => connections.size,
    async close() {
      deps.rooms.off('roomCreated', onRoomCreated);
      unsubscribeRevocations();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

type Authenticated = { participant: Participant } | { signer: Exclude<DocumentSubject, { kind: 'room' }> };

async function authenticate(raw: unknown, deps: SignallingDeps): Promise<Authenticated> {
  const parsed = handshakeAuth.safeParse(raw);
  if (!parsed.success) throw new AppError('unauthenticated', 'A token is required to join', zodDetails(parsed.error));
  const auth = parsed.data;
  if (auth.kind === 'signing') {
    // Not bound to a room: any node serves it (the hub tells every node of each change).
    if (!deps.documents) throw new AppError('unauthenticated', 'Signing sockets are not served here');
    return { signer: await deps.documents.signer(auth.token) };
  }
  if (auth.kind === 'judicial') {
    if (!deps.documents) throw new AppError('unauthenticated', 'Judicial application sockets are not served here');
    return { signer: await deps.documents.judicialParty(auth.token) };
  }
  if (auth.kind === 'invitation') {
    const principal = await deps.verifyInvitationToken(auth.token);
    const participant = participantFor(principal, principal.sessionId);
    await deps.placeSession?.(participant.sessionId);
    return { participant };
  }
  const principal = await deps.verifyStaffToken(auth.token);
  const session = await deps.getSession(auth.sessionId);
  if (session.status !== 'open') throw fail('session_ended', 'This mediation session has ended');
  const participant = participantFor(principal, session.id);
  await deps.mayEnter(principal, session);
  await deps.placeSession?.(session.id);
  return { participant };
}
