import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { AppError, toWireError, zodDetails } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { Peer, type RoomRegistry } from '../media/index.ts';
import type { InvitationPrincipal, StaffPrincipal } from '../auth/principals.ts';
import type { MediationSessionInfo } from '../protocol/api.ts';
import { handshakeAuth, type ClientToServerEvents, type CloseReason, type ServerToClientEvents } from '../protocol/signalling.ts';
import { participantFor, type Participant } from './participant.ts';
import { RoomConnection, type AttendanceRecorder, type SignallingSocket, type SocketData } from './RoomConnection.ts';

export interface SignallingDeps {
  log: Logger;
  rooms: RoomRegistry;
  verifyStaffToken(token: string): Promise<StaffPrincipal>;
  verifyInvitationToken(token: string): Promise<InvitationPrincipal>;
  getSession(sessionId: string): Promise<MediationSessionInfo>;
  attendance: AttendanceRecorder;
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
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });
  const connections = new Set<RoomConnection>();

  io.use((socket, next) => {
    authenticate(socket.handshake.auth, deps).then(
      (participant) => {
        socket.data.participant = participant;
        next();
      },
      (error: unknown) => {
        const wire = toWireError(error);
        if (wire.unexpected) log.error('handshake failed', { error });
        const refusal = new Error(wire.body.code) as Error & { data: unknown };
        refusal.data = wire.body;
        next(refusal);
      },
    );
  });

  io.on('connection', (socket: SignallingSocket) => {
    const participant = socket.data.participant;
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
    const ready = deps.rooms.addPeer(participant.sessionId, peer).then((room) => {
      const connection = new RoomConnection({ socket, room, peer, attendance: deps.attendance, log });
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
    socket.on('disconnect', () => peer.close('left'));
  });

  return {
    io,
    removeInvitation(invitationId) {
      for (const connection of connections) {
        if (connection.participant.invitationId === invitationId) connection.remove('removed' satisfies CloseReason);
      }
    },
    connectionCount: () => connections.size,
    async close() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

async function authenticate(raw: unknown, deps: SignallingDeps): Promise<Participant> {
  const parsed = handshakeAuth.safeParse(raw);
  if (!parsed.success) throw new AppError('unauthenticated', 'A token is required to join', zodDetails(parsed.error));
  const auth = parsed.data;
  if (auth.kind === 'invitation') {
    const principal = await deps.verifyInvitationToken(auth.token);
    return participantFor(principal, principal.sessionId);
  }
  const principal = await deps.verifyStaffToken(auth.token);
  const session = await deps.getSession(auth.sessionId);
  if (session.status !== 'open') throw new AppError('gone', 'This mediation session has ended');
  return participantFor(principal, session.id);
}
