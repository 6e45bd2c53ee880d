import type { Logger } from '../logger.ts';
import type { Socket } from 'socket.io';
import type { Peer, PeerCloseReason, Room } from '../media/index.ts';
import type {
  ChatMessageInfo,
  IceServer,
  ClientToServerEvents,
  CloseReason,
  MediaSource,
  MuteReason,
  NotificationMap,
  NotificationName,
  ServerNotification,
  RequestResult,
  ServerToClientEvents,
} from '../protocol/signalling.ts';
import { isLoginEnded } from '../protocol/signalling.ts';
import { AppError, badRequest, forbidden } from '../errors.ts';
import { dispatch, type RequestHandlers } from './dispatcher.ts';
import type { DocumentFollow, DocumentNotification, DocumentSubject } from './documents.ts';
import type { Participant } from './participant.ts';

export type SignallingSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export interface SocketData {
  /** A room socket's participant (unset on a signing socket). */
  participant?: Participant;
  /** A signing socket's party (handshake kind `signing`): it follows that signing, nothing else. */
  /** A page following its party's documents outside the room (the signing page, the judicial application page). */
  signer?: Exclude<DocumentSubject, { kind: 'room' }>;
  /** Set once the socket has a peer; survives connection-state recovery with the rest of `data`. */
  peerId?: string;
}

/** What a connection records about joins and leaves (the case timeline lives behind it). */
export interface AttendanceRecorder {
  recordJoin(participant: Participant, options: { admitted: boolean }): Promise<string>;
  recordLeave(participationId: string, reason: string): Promise<void>;
  /** In the joint session, or back in the waiting room (so a restarted server can let them back in). */
  recordAdmission(participationId: string, admitted: boolean): Promise<void>;
}

/** What a mediator's controls do outside the room (injected by the composition root). */
export interface RoomControls {
  /** Revokes the invitation of someone the mediator removed, so its token is refused from now on. */
  revokeInvitation(invitationId: string, by: Participant): Promise<void>;
  /** Ends the session on the case record; the room closes for everyone through the usual hook. */
  endSession(sessionId: string, by: Participant): Promise<void>;
  /** Saves a chat message to the case record (content goes to the chat table, never the timeline). */
  saveChat(sessionId: string, message: ChatMessageInfo, fromIdentity: string, toIdentity: string | null): Promise<void>;
}

/** What the recording requests do outside the room (server/recording/RecordingService.ts). */
export interface RecordingControls {
  /** Resolves once the room's recording state (and who confirmed) is loaded from the database. */
  ready(room: Room): Promise<void>;
  start(room: Room, by: Participant): Promise<void>;
  pause(room: Room, by: Participant): Promise<void>;
  resume(room: Room, by: Participant): Promise<void>;
  /** Records the confirmation (or the refusal) of the recording notice. */
  consent(room: Room, participant: Participant, accepted: boolean): Promise<void>;
}

/** How long a dropped socket may come back (connection-state recovery) before its peer is closed. */
export const RECOVERY_WINDOW_MS = 15_000;

/**
 * One socket and the Peer it drives in one Room. It turns requests into media operations,
 * and room/peer events into notifications for this socket only, filtered by what this
 * participant may see (room.canSee). Closing the peer ends the connection; the socket
 * disconnecting closes the peer, unless it comes back within the recovery window (reattach).
 */
export class RoomConnection {
  readonly participant: Participant;
  #socket: SignallingSocket;
  readonly #room: Room;
  readonly #peer: Peer;
  readonly #attendance: AttendanceRecorder;
  readonly #controls: RoomControls;
  readonly #recording: RecordingControls;
  readonly #log: Logger;
  readonly #recoveryMs: number;
  readonly #iceServers: (() => IceServer[]) | undefined;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #requestHandlers: RequestHandlers;
  /** The case's agreement and record for this participant (null: none to follow). */
  readonly #documents: Promise<DocumentFollow | null>;
  #participationId: Promise<string> | undefined;
  #recoveryTimer: NodeJS.Timeout | undefined;
  #lastState = '';
  /** A room.state is due at the next turn of the event loop (one for any number of changes in between). */
  #stateDue = false;
  /** Admission as last written to the participation record. */
  #recordedAdmitted = false;
  #closed = false;
  #endReason: CloseReason | undefined;

  constructor(options: {
    socket: SignallingSocket;
    participant: Participant;
    room: Room;
    peer: Peer;
    attendance: AttendanceRecorder;
    controls: RoomControls;
    recording: RecordingControls;
    log: Logger;
    recoveryMs?: number;
    /** TURN servers with credentials for this participant, minted for each transport (unset: no TURN). */
    iceServers?: () => IceServer[];
    /** Starts following the case's documents, sending them through this connection. */
    followDocuments?: (send: (notification: DocumentNotification) => void) => Promise<DocumentFollow>;
  }) {
    this.#socket = options.socket;
    this.participant = options.participant;
    this.#room = options.room;
    this.#peer = options.peer;
    this.#attendance = options.attendance;
    this.#controls = options.controls;
    this.#recording = options.recording;
    this.#recoveryMs = options.recoveryMs ?? RECOVERY_WINDOW_MS;
    this.#iceServers = options.iceServers;
    this.#log = options.log.child(`conn:${options.peer.id}`);
    options.socket.data.peerId = options.peer.id;
    this.#subscribe();
    this.#requestHandlers = this.#handlers();
    this.#watch(options.socket);
    this.#documents = options.followDocuments
      ? options
          .followDocuments((n) => this.#notify(n.name, n.data))
          .catch((error: unknown) => {
            this.#log.info('no case documents to follow', { error });
            return null;
          })
      : Promise.resolve(null);
  }

  /** Runs one client request through the dispatcher (role table, validation, handler). */
  handle(request: unknown): Promise<RequestResult<unknown>> {
    // Requests still arriving after the end (in flight, or a socket not yet gone) change nothing.
    if (this.#closed) {
      const error = isLoginEnded(this.#endReason)
        ? { code: 'unauthenticated' as const, message: 'This login has ended; please sign in again' }
        : { code: 'gone' as const, message: 'Participant has left the room' };
      return Promise.resolve({ ok: false, error });
    }
    return dispatch(this.#requestHandlers, this.participant.role, request, this.#log);
  }

  get peerId(): string {
    return this.#peer.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Removes the participant (e.g. their invitation was revoked): tell them, then disconnect. */
  remove(reason: CloseReason): void {
    this.#end(reason);
  }

  /** The same socket session came back (socket.io connection-state recovery): carry on with it. */
  reattach(socket: SignallingSocket): void {
    if (this.#closed) {
      socket.disconnect(true);
      return;
    }
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
    this.#socket = socket;
    this.#watch(socket);
    this.#room.setConnected(this.#peer.id, true);
    this.#log.info('socket recovered');
    this.#sendState();
    void this.#documents.then((documents) => documents?.refresh());
  }

  #watch(socket: SignallingSocket): void {
    socket.on('disconnect', (reason) => {
      if (socket !== this.#socket || this.#closed) return;
      this.#log.info('socket disconnected', { reason });
      const recoverable = reason !== 'client namespace disconnect' && reason !== 'server namespace disconnect';
      if (!recoverable || this.#recoveryMs <= 0) {
        this.#end(undefined);
        return;
      }
      // Keep the peer (and its media) for a short while: the client may come back with the same session.
      this.#room.setConnected(this.#peer.id, false);
      this.#recoveryTimer = setTimeout(() => this.#end(undefined), this.#recoveryMs);
      this.#recoveryTimer.unref();
    });
  }

  #notify<N extends NotificationName>(name: N, data: NotificationMap[N]): void {
    // The mapped type is a union of all names; this pairs one name with its data.
    this.#socket.emit('notification', { name, data } as ServerNotification);
  }

  /**
   * Room changes come in bursts (200 people entering, an admit-all): each connection builds and
   * sends its room.state once per turn of the event loop, after the burst, not once per change.
   */
  #scheduleState(): void {
    if (this.#stateDue) return;
    this.#stateDue = true;
    setImmediate(() => {
      this.#stateDue = false;
      this.#sendState();
    });
  }

  #sendState(): void {
    if (!this.#peer.joined || this.#peer.closed || this.#closed) return;
    const state = this.#room.stateFor(this.#peer);
    const json = JSON.stringify(state);
    if (json === this.#lastState) return;
    this.#lastState = json;
    this.#notify('room.state', state);
  }

  /** The current upload quality of peers this participant can see (those with a score so far). */
  #sendQuality(peers: Peer[]): void {
    if (!this.#peer.joined || this.#peer.closed) return;
    for (const other of peers) {
      if (other !== this.#peer && other.quality !== null) this.#notify('peer.quality', { peerId: other.id, score: other.quality });
    }
  }

  #subscribe(): void {
    const room = this.#room;
    const self = this.#peer;
    const sees = (other: Peer) => other !== self && self.joined && !self.closed && room.canSee(self, other);

    const onPeerJoined = (peer: Peer) => {
      if (sees(peer)) this.#notify('peer.joined', { peer: peer.info });
    };
    const onPeerLeft = (peer: Peer) => {
      if (peer !== self && peer.joined && self.joined && room.canSee(self, peer)) this.#notify('peer.left', { peerId: peer.id });
    };
    const onProducerAdded = (producer: NotificationMap['producer.added']['producer'], owner: Peer) => {
      if (sees(owner)) this.#notify('producer.added', { producer });
    };
    const onProducerRemoved = (producerId: string, owner: Peer) => {
      if (sees(owner)) this.#notify('producer.removed', { producerId });
    };
    const onProducerUpdated = (producer: NotificationMap['producer.added']['producer'], owner: Peer) => {
      if (sees(owner)) this.#notify('producer.updated', { producerId: producer.id, paused: producer.paused });
    };
    const onVisibility = (viewer: Peer, owner: Peer, visible: boolean) => {
      if (viewer !== self || !self.joined) return;
      if (visible) {
        this.#notify('peer.joined', { peer: owner.info });
        for (const producer of owner.producerInfos()) this.#notify('producer.added', { producer });
        this.#sendQuality([owner]);
        if (room.dominantSpeaker === owner) this.#notify('speaker.active', { peerId: owner.id });
      } else {
        for (const producer of owner.producerInfos()) this.#notify('producer.removed', { producerId: producer.id });
        this.#notify('peer.left', { peerId: owner.id });
      }
    };
    const onState = () => {
      this.#scheduleState();
      this.#recordAdmission();
    };
    const onMuted = (peer: Peer, source: MediaSource, reason: MuteReason) => {
      if (peer === self) this.#notify('self.muted', { source, reason });
    };
    const onUnmuteRequested = (peer: Peer) => {
      if (peer === self) this.#notify('self.unmuteRequested', {});
    };
    const onSpeaker = (peer: Peer) => {
      if (sees(peer)) this.#notify('speaker.active', { peerId: peer.id });
    };
    const onQuality = (peer: Peer, score: number) => {
      if (sees(peer)) this.#notify('peer.quality', { peerId: peer.id, score });
    };
    const onChat = (message: ChatMessageInfo, recipients: Peer[]) => {
      if (recipients.includes(self)) this.#notify('chat.message', { message });
    };
    const onRoomClosed = (reason: CloseReason) => this.#end(reason);
    room.on('peerJoined', onPeerJoined);
    room.on('peerLeft', onPeerLeft);
    room.on('producerAdded', onProducerAdded);
    room.on('producerRemoved', onProducerRemoved);
    room.on('producerUpdated', onProducerUpdated);
    room.on('visibilityChanged', onVisibility);
    room.on('stateChanged', onState);
    room.on('peerMuted', onMuted);
    room.on('unmuteRequested', onUnmuteRequested);
    room.on('activeSpeaker', onSpeaker);
    room.on('peerQuality', onQuality);
    room.on('chat', onChat);
    room.on('closed', onRoomClosed);

    const onConsumerClosed = (consumerId: string) => this.#notify('consumer.closed', { consumerId });
    const onLayers = (layers: NotificationMap['consumer.layersChanged']) => this.#notify('consumer.layersChanged', layers);
    const onPeerClosed = (reason: PeerCloseReason) => this.#end(reason === 'left' ? undefined : reason);
    self.on('consumerClosed', onConsumerClosed);
    self.on('consumerLayersChanged', onLayers);
    self.once('closed', onPeerClosed);

    this.#unsubscribe.push(() => {
      room.off('peerJoined', onPeerJoined);
      room.off('peerLeft', onPeerLeft);
      room.off('producerAdded', onProducerAdded);
      room.off('producerRemoved', onProducerRemoved);
      room.off('producerUpdated', onProducerUpdated);
      room.off('visibilityChanged', onVisibility);
      room.off('stateChanged', onState);
      room.off('peerMuted', onMuted);
      room.off('unmuteRequested', onUnmuteRequested);
      room.off('activeSpeaker', onSpeaker);
      room.off('peerQuality', onQuality);
      room.off('chat', onChat);
      room.off('closed', onRoomClosed);
      self.off('consumerClosed', onConsumerClosed);
      self.off('consumerLayersChanged', onLayers);
      self.off('closed', onPeerClosed);
    });
  }

  /** Once: stop listening, close the peer, record the leave, tell the client why, disconnect. */
  #end(reason: CloseReason | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endReason = reason;
    clearTimeout(this.#recoveryTimer);
    for (const off of this.#unsubscribe.splice(0)) off();
    void this.#documents.then((documents) => documents?.stop());
    this.#peer.close(reason ?? 'left');
    const participation = this.#participationId;
    if (participation) {
      void participation
        .then((id) => this.#attendance.recordLeave(id, reason ?? 'left'))
        .catch((error: unknown) => this.#log.warn('could not record leave', { error }));
    }
    if (this.#socket.connected) {
      if (reason) {
        const message = this.#peer.closeMessage;
        this.#notify('room.closed', message ? { reason, message } : { reason });
      }
      this.#socket.disconnect(true);
    }
  }

  /** The waiting-room state of this peer changed: keep the participation record in step. */
  #recordAdmission(): void {
    const participation = this.#participationId;
    if (!participation || this.#closed || !this.#peer.joined) return;
    const admitted = !this.#peer.presence.waiting;
    if (admitted === this.#recordedAdmitted) return;
    this.#recordedAdmitted = admitted;
    void participation
      .then((id) => this.#attendance.recordAdmission(id, admitted))
      .catch((error: unknown) => this.#log.warn('could not record admission', { error }));
  }

  /** A mediator acts on someone else, never on themselves. */
  #target(peerId: string): Peer {
    if (peerId === this.#peer.id) throw badRequest('Not on yourself');
    return this.#room.getPeer(peerId);
  }

  #handlers(): RequestHandlers {
    const room = this.#room;
    const peer = this.#peer;
    const participant = this.participant;
    return {
      'room.getRouterRtpCapabilities': () => ({ rtpCapabilities: room.rtpCapabilities }),
      'room.join': async ({ rtpCapabilities }) => {
        await this.#recording.ready(room);
        if (room.recording.state !== 'off' && !room.recording.isConsented(participant.identity)) {
          throw new AppError('recording_consent_required', 'This session is recorded: confirm the recording notice first (recording.consent)');
        }
        const result = room.join(peer.id, rtpCapabilities);
        this.#recordedAdmitted = !peer.presence.waiting;
        this.#participationId = this.#attendance.recordJoin(this.participant, { admitted: this.#recordedAdmitted });
        this.#participationId.catch((error: unknown) => this.#log.warn('could not record join', { error }));
        this.#scheduleState();
        void this.#documents.then((documents) => documents?.refresh());
        setImmediate(() => {
          // Quality is sent on change; someone arriving later learns the current values here.
          this.#sendQuality(room.viewersOf(peer).filter((other) => room.canSee(peer, other)));
          const speaker = room.dominantSpeaker;
          if (speaker && speaker !== peer && room.canSee(peer, speaker)) this.#notify('speaker.active', { peerId: speaker.id });
        });
        return { ...result, capabilitiesId: room.capabilitiesId };
      },
      'room.leave': () => {
        setImmediate(() => this.#end(undefined));
        return {};
      },
      'transport.create': async ({ direction }) => {
        const options = await room.createWebRtcTransport(peer.id, direction);
        return this.#iceServers ? { ...options, iceServers: this.#iceServers() } : options;
      },
      'transport.connect': async ({ transportId, dtlsParameters }) => {
        await peer.connectTransport(transportId, dtlsParameters);
        return {};
      },
      'channel.open': ({ transportId }) => room.openChannel(peer.id, transportId),
      'transport.restartIce': async ({ transportId }) => ({ iceParameters: await peer.restartIce(transportId) }),
      'transport.close': ({ transportId }) => {
        peer.closeTransport(transportId);
        return {};
      },
      'producer.create': async (data) => ({ producerId: await room.produce(peer.id, data) }),
      'producer.pause': async ({ producerId }) => {
        await peer.pauseProducer(producerId);
        return {};
      },
      'producer.resume': async ({ producerId }) => {
        await room.resumeProducer(peer.id, producerId);
        return {};
      },
      'producer.close': ({ producerId }) => {
        peer.closeProducer(producerId);
        return {};
      },
      // Only the caller's own producers: nothing about anyone else.
      'producer.list': () => ({ producers: peer.producerInfos() }),
      'consumer.create': ({ transportId, producerId }) => room.consume(peer.id, transportId, producerId),
      'consumer.resume': async ({ consumerId }) => {
        await peer.resumeConsumer(consumerId);
        return {};
      },
      'consumer.setPreferredLayers': async ({ consumerId, spatialLayer, temporalLayer }) => {
        await peer.setConsumerPreferredLayers(consumerId, { spatialLayer, temporalLayer });
        return {};
      },
      'lobby.admit': ({ peerId }) => {
        room.admit(this.#target(peerId).id);
        return {};
      },
      'lobby.admitAll': () => ({ admitted: room.admitAll() }),
      'lobby.deny': ({ peerId, reason }) => {
        room.deny(this.#target(peerId).id, reason);
        return {};
      },
      'lobby.sendBack': ({ peerId }) => {
        room.sendBack(this.#target(peerId).id);
        return {};
      },
      'room.setLocked': ({ locked }) => {
        room.setLocked(locked);
        return {};
      },
      'caucus.start': ({ peerIds }) => ({ caucusId: room.startCaucus(peer, peerIds).id }),
      'caucus.end': () => {
        room.endCaucus(peer);
        return {};
      },
      'participant.mute': ({ peerId, source }) => {
        room.mute(this.#target(peerId).id, source);
        return {};
      },
      'participant.askUnmute': ({ peerId }) => {
        room.askUnmute(this.#target(peerId).id);
        return {};
      },
      'participant.remove': async ({ peerId }) => {
        const target = room.removeParticipant(this.#target(peerId).id);
        const invitationId = target.identity.startsWith('invitation:') ? target.identity.slice('invitation:'.length) : null;
        if (invitationId) await this.#controls.revokeInvitation(invitationId, participant);
        return {};
      },
      'participant.setRights': ({ peerId, publish, share }) => {
        room.setRights(this.#target(peerId).id, { publish, share });
        return {};
      },
      'room.end': async () => {
        if (!participant.staff) throw forbidden('Only a mediator with a staff login can end the session');
        await this.#controls.endSession(participant.sessionId, participant);
        room.close('ended');
        return {};
      },
      'chat.send': ({ text, to }) => {
        const message = room.chat(peer.id, text, to);
        const toIdentity = to ? (room.findPeer(to)?.identity ?? null) : null;
        this.#controls
          .saveChat(participant.sessionId, message, participant.identity, toIdentity)
          .catch((error: unknown) => this.#log.warn('could not save chat message', { error }));
        return { message };
      },
      'hand.set': ({ raised }) => {
        room.setHand(peer.id, raised);
        return {};
      },
      'recording.start': async () => {
        await this.#recording.start(room, participant);
        return {};
      },
      'recording.pause': async () => {
        await this.#recording.pause(room, participant);
        return {};
      },
      'recording.resume': async () => {
        await this.#recording.resume(room, participant);
        return {};
      },
      'recording.consent': async ({ accepted }) => {
        await this.#recording.consent(room, participant, accepted);
        // Declined: the answer goes out first, then the connection ends with the reason.
        if (!accepted) setImmediate(() => this.#end('recording_declined'));
        return {};
      },
    };
  }
}
