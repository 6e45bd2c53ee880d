import type { Socket } from 'socket.io';
import type { Logger } from '../logger.ts';
import type { Peer, PeerCloseReason, Room } from '../media/index.ts';
import type {
  ClientToServerEvents,
  CloseReason,
  NotificationMap,
  NotificationName,
  ServerNotification,
  RequestResult,
  ServerToClientEvents,
} from '../protocol/signalling.ts';
import { dispatch, type RequestHandlers } from './dispatcher.ts';
import type { Participant } from './participant.ts';

export type SignallingSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export interface SocketData {
  participant: Participant;
}

/** What a connection records about joins and leaves (the case timeline lives behind it). */
export interface AttendanceRecorder {
  recordJoin(participant: Participant): Promise<string>;
  recordLeave(participationId: string, reason: string): Promise<void>;
}

/**
 * One socket and the Peer it drives in one Room. It turns requests into media operations,
 * and room/peer events into notifications for this socket only, filtered by what this
 * participant may see (room.canSee). Closing the peer ends the connection; the socket
 * disconnecting closes the peer.
 */
export class RoomConnection {
  readonly participant: Participant;
  readonly #socket: SignallingSocket;
  readonly #room: Room;
  readonly #peer: Peer;
  readonly #attendance: AttendanceRecorder;
  readonly #log: Logger;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #requestHandlers: RequestHandlers;
  #participationId: Promise<string> | undefined;
  #closed = false;

  constructor(options: {
    socket: SignallingSocket;
    room: Room;
    peer: Peer;
    attendance: AttendanceRecorder;
    log: Logger;
  }) {
    this.#socket = options.socket;
    this.participant = options.socket.data.participant;
    this.#room = options.room;
    this.#peer = options.peer;
    this.#attendance = options.attendance;
    this.#log = options.log.child(`conn:${options.peer.id}`);
    this.#subscribe();
    this.#requestHandlers = this.#handlers();
    this.#socket.on('disconnect', (reason) => {
      this.#log.info('socket disconnected', { reason });
      this.#peer.close('left');
    });
  }

  /** Runs one client request through the dispatcher (role table, validation, handler). */
  handle(request: unknown): Promise<RequestResult<unknown>> {
    return dispatch(this.#requestHandlers, this.participant.role, request, this.#log);
  }

  get peerId(): string {
    return this.#peer.id;
  }

  /** Removes the participant (e.g. their invitation was revoked): tell them, then disconnect. */
  remove(reason: CloseReason): void {
    this.#end(reason);
  }

  #notify<N extends NotificationName>(name: N, data: NotificationMap[N]): void {
    // The mapped type is a union of all names; this pairs one name with its data.
    this.#socket.emit('notification', { name, data } as ServerNotification);
  }

  #subscribe(): void {
    const room = this.#room;
    const self = this.#peer;
    const sees = (other: Peer) => other !== self && self.joined && !self.closed && room.canSee(self, other);

    const onPeerJoined = (peer: Peer) => {
      if (sees(peer)) this.#notify('peer.joined', { peer: peer.info });
    };
    const onPeerLeft = (peer: Peer) => {
      if (peer !== self && peer.joined && self.joined) this.#notify('peer.left', { peerId: peer.id });
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
    const onRoomClosed = (reason: CloseReason) => this.#end(reason);
    room.on('peerJoined', onPeerJoined);
    room.on('peerLeft', onPeerLeft);
    room.on('producerAdded', onProducerAdded);
    room.on('producerRemoved', onProducerRemoved);
    room.on('producerUpdated', onProducerUpdated);
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
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#peer.close(reason ?? 'left');
    const participation = this.#participationId;
    if (participation) {
      void participation
        .then((id) => this.#attendance.recordLeave(id, reason ?? 'left'))
        .catch((error: unknown) => this.#log.warn('could not record leave', { error }));
    }
    if (this.#socket.connected) {
      if (reason) this.#notify('room.closed', { reason });
      this.#socket.disconnect(true);
    }
  }

  #handlers(): RequestHandlers {
    const room = this.#room;
    const peer = this.#peer;
    return {
      'room.getRouterRtpCapabilities': () => ({ rtpCapabilities: room.rtpCapabilities }),
      'room.join': ({ rtpCapabilities }) => {
        const result = room.join(peer.id, rtpCapabilities);
        this.#participationId = this.#attendance.recordJoin(this.participant);
        this.#participationId.catch((error: unknown) => this.#log.warn('could not record join', { error }));
        return result;
      },
      'room.leave': () => {
        setImmediate(() => this.#end(undefined));
        return {};
      },
      'transport.create': ({ direction }) => room.createWebRtcTransport(peer.id, direction),
      'transport.connect': async ({ transportId, dtlsParameters }) => {
        await peer.connectTransport(transportId, dtlsParameters);
        return {};
      },
      'transport.restartIce': async ({ transportId }) => ({ iceParameters: await peer.restartIce(transportId) }),
      'producer.create': async (data) => ({ producerId: await room.produce(peer.id, data) }),
      'producer.pause': async ({ producerId }) => {
        await peer.pauseProducer(producerId);
        return {};
      },
      'producer.resume': async ({ producerId }) => {
        await peer.resumeProducer(producerId);
        return {};
      },
      'producer.close': ({ producerId }) => {
        peer.closeProducer(producerId);
        return {};
      },
      'consumer.create': ({ transportId, producerId }) => room.consume(peer.id, transportId, producerId),
      'consumer.resume': async ({ consumerId }) => {
        await peer.resumeConsumer(consumerId);
        return {};
      },
      'consumer.setPreferredLayers': async ({ consumerId, spatialLayer, temporalLayer }) => {
        await peer.setConsumerPreferredLayers(consumerId, { spatialLayer, temporalLayer });
        return {};
      },
    };
  }
}
