import type { RtpCapabilities, Router, Worker } from 'mediasoup/types';
import type { Config } from '../config.ts';
import type { SessionMediaState } from '../protocol/api.ts';
import type {
  CloseReason,
  ConsumerOptions,
  PeerInfo,
  ProducerInfo,
  TransportOptions,
} from '../protocol/signalling.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MAX_INCOMING_BITRATE, mediaCodecs, webRtcTransportOptions } from './mediaCodecs.ts';
import type { MediaProducer, Peer, PeerCloseReason, ProduceOptions } from './Peer.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export type RoomEvents = {
  /** A peer called join; tell `viewersOf(peer)` about it (peer.joined). */
  peerJoined: [peer: Peer];
  /** A peer left or was removed; tell the others if `peer.joined` (peer.left). */
  peerLeft: [peer: Peer, reason: PeerCloseReason];
  /** `newPeer` has the same identity as `oldPeer`, which is being closed with 'replaced'. */
  peerReplaced: [oldPeer: Peer, newPeer: Peer];
  /** Tell `viewersOf(owner)` (producer.added). */
  producerAdded: [producer: ProducerInfo, owner: Peer];
  /** Tell `viewersOf(owner)` (producer.removed). Also fired for each producer of a leaving peer. */
  producerRemoved: [producerId: string, owner: Peer];
  /** Pause state changed; tell `viewersOf(owner)` (producer.updated). */
  producerUpdated: [producer: ProducerInfo, owner: Peer];
  /** The last peer left. */
  empty: [];
  /** Fired once, after every peer and the router are closed. */
  closed: [reason: CloseReason];
};

export interface RoomOptions {
  sessionId: string;
  worker: Worker;
  config: Config['mediasoup'];
  log: Logger;
}

export interface JoinResult {
  self: PeerInfo;
  peers: PeerInfo[];
  producers: ProducerInfo[];
}

/** The media room of one cloud-mediation session: one router, the peers in it. */
export class Room extends TypedEmitter<RoomEvents> {
  readonly sessionId: string;
  readonly worker: Worker;
  readonly router: Router;
  readonly #config: Config['mediasoup'];
  readonly #log: Logger;
  readonly #peers = new Map<string, Peer>();
  /** Per-peer listeners, removed when the peer leaves so a closed peer keeps no reference to us. */
  readonly #detach = new Map<string, () => void>();
  #closed = false;
  #closeReason: CloseReason | undefined;

  static async create({ sessionId, worker, config, log }: RoomOptions): Promise<Room> {
    const router = await worker.createRouter({ mediaCodecs, appData: { sessionId } });
    return new Room(sessionId, worker, router, config, log.child(`room:${sessionId}`));
  }

  private constructor(sessionId: string, worker: Worker, router: Router, config: Config['mediasoup'], log: Logger) {
    super();
    this.sessionId = sessionId;
    this.worker = worker;
    this.router = router;
    this.#config = config;
    this.#log = log;
    router.on('workerclose', () => {
      this.#log.warn('media worker closed under the room', { pid: worker.pid });
      this.close('media_server_restarted');
    });
    if (router.closed) queueMicrotask(() => this.close('media_server_restarted'));
    this.#log.info('room created', { routerId: router.id, pid: worker.pid });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  get rtpCapabilities(): RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  // --- peers ---------------------------------------------------------------------------------

  /**
   * Adds a connection. If a peer with the same identity is in the room (the same person
   * reconnecting, another tab), it is closed with 'replaced' after the new one is in.
   */
  addPeer(peer: Peer): void {
    this.#assertOpen();
    if (peer.closed) throw new AppError('gone', 'Participant has left the room');
    if (this.#peers.has(peer.id)) throw conflict('Participant already in the room');
    const previous = [...this.#peers.values()].find((p) => p.identity === peer.identity);

    this.#peers.set(peer.id, peer);
    this.#attach(peer);
    this.#log.info('peer added', { peerId: peer.id, role: peer.info.role });

    if (previous) {
      this.#log.info('peer replaced by same identity', { oldPeerId: previous.id, peerId: peer.id });
      this.emit('peerReplaced', previous, peer);
      previous.close('replaced');
    }
  }

  getPeer(peerId: string): Peer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw notFound('Participant');
    return peer;
  }

  findPeer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /** Closes the peer (its transports, producers, consumers); the room drops it and emits peerLeft. */
  removePeer(peerId: string, reason: PeerCloseReason = 'left'): void {
    this.#peers.get(peerId)?.close(reason);
  }

  peers(): Peer[] {
    return [...this.#peers.values()];
  }

  joinedPeers(): Peer[] {
    return this.peers().filter((p) => p.joined);
  }

  /** room.join: records the device capabilities and returns what the peer may see. */
  join(peerId: string, rtpCapabilities: RtpCapabilities): JoinResult {
    this.#assertOpen();
    const peer = this.getPeer(peerId);
    peer.join(rtpCapabilities);
    this.#log.info('peer joined', { peerId, role: peer.info.role });
    this.emit('peerJoined', peer);
    return {
      self: peer.info,
      peers: this.joinedPeers()
        .filter((other) => other !== peer && this.canSee(peer, other))
        .map((other) => other.info),
      producers: this.visibleProducers(peerId),
    };
  }

  // --- visibility ----------------------------------------------------------------------------

  /**
   * The one place that decides whether `viewer` may see and hear `owner`.
   * Everyone sees everyone for now; caucus / waiting-room rules go here.
   */
  canSee(viewer: Peer, owner: Peer): boolean {
    void viewer;
    void owner;
    return true;
  }

  /** Joined peers other than `owner` who may see it: the audience for its notifications. */
  viewersOf(owner: Peer): Peer[] {
    return this.joinedPeers().filter((viewer) => viewer !== owner && this.canSee(viewer, owner));
  }

  /** Producers of other joined peers that `forPeerId` may consume. */
  visibleProducers(forPeerId: string): ProducerInfo[] {
    const viewer = this.getPeer(forPeerId);
    return this.joinedPeers()
      .filter((owner) => owner !== viewer && this.canSee(viewer, owner))
      .flatMap((owner) => owner.producerInfos());
  }

  // --- media ---------------------------------------------------------------------------------

  async createWebRtcTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportOptions> {
    this.#assertOpen();
    const peer = this.getPeer(peerId);
    peer.assertCanAddTransport();
    const transport = await this.router.createWebRtcTransport(
      webRtcTransportOptions(this.#config, { peerId, direction }),
    );
    try {
      await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
      if (peer.closed || this.#closed) throw new AppError('gone', 'Participant has left the room');
      peer.addTransport(transport);
    } catch (error) {
      transport.close();
      throw error;
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** producer.create; `producerAdded` is emitted (via the peer) once it exists. */
  async produce(peerId: string, options: ProduceOptions): Promise<string> {
    this.#assertOpen();
    const producer = await this.getPeer(peerId).produce(options);
    return producer.id;
  }

  /** consumer.create: the producer must exist in this room, belong to someone else and be visible. */
  async consume(viewerPeerId: string, transportId: string, producerId: string): Promise<ConsumerOptions> {
    this.#assertOpen();
    const viewer = this.getPeer(viewerPeerId);
    const found = this.#findProducer(producerId);
    if (!found) throw notFound('Producer');
    const { owner, producer } = found;
    if (owner === viewer) throw badRequest('Cannot consume your own producer');
    if (!this.canSee(viewer, owner)) throw forbidden('You may not receive this media');
    const consumer = await viewer.consume(this.router, transportId, producer);
    return {
      id: consumer.id,
      producerId: producer.id,
      peerId: owner.id,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.paused,
      producerPaused: consumer.producerPaused,
    };
  }

  mediaState(): SessionMediaState {
    return {
      sessionId: this.sessionId,
      live: !this.#closed,
      peers: this.joinedPeers().map((p) => p.toMediaState()),
    };
  }

  // --- lifecycle -----------------------------------------------------------------------------

  /** Closes every peer with `reason`, then the router, then emits `closed`. Idempotent. */
  close(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    for (const peer of [...this.#peers.values()]) peer.close(reason);
    for (const detach of this.#detach.values()) detach();
    this.#detach.clear();
    this.#peers.clear();
    this.router.close();
    this.#log.info('room closed', { reason });
    this.emit('closed', reason);
  }

  /** While the room (or its router, on worker death) is going down, per-peer broadcasts are moot. */
  get #quiet(): boolean {
    return this.#closed || this.router.closed;
  }

  #attach(peer: Peer): void {
    const onProducerAdded = (info: ProducerInfo) => {
      if (!this.#quiet) this.emit('producerAdded', info, peer);
    };
    const onProducerClosed = (producerId: string) => {
      if (!this.#quiet) this.emit('producerRemoved', producerId, peer);
    };
    const onProducerUpdated = (info: ProducerInfo) => {
      if (!this.#quiet) this.emit('producerUpdated', info, peer);
    };
    const onClosed = (reason: PeerCloseReason) => this.#onPeerClosed(peer, reason);
    peer.on('producerAdded', onProducerAdded);
    peer.on('producerClosed', onProducerClosed);
    peer.on('producerUpdated', onProducerUpdated);
    peer.once('closed', onClosed);
    this.#detach.set(peer.id, () => {
      peer.off('producerAdded', onProducerAdded);
      peer.off('producerClosed', onProducerClosed);
      peer.off('producerUpdated', onProducerUpdated);
      peer.off('closed', onClosed);
    });
  }

  #onPeerClosed(peer: Peer, reason: PeerCloseReason): void {
    if (this.#peers.get(peer.id) !== peer) return;
    this.#peers.delete(peer.id);
    this.#detach.get(peer.id)?.();
    this.#detach.delete(peer.id);
    if (this.#quiet) return;
    this.#log.info('peer left', { peerId: peer.id, reason });
    this.emit('peerLeft', peer, reason);
    if (this.#peers.size === 0) this.emit('empty');
  }

  #findProducer(producerId: string): { owner: Peer; producer: MediaProducer } | undefined {
    for (const owner of this.#peers.values()) {
      const producer = owner.findProducer(producerId);
      if (producer) return { owner, producer };
    }
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('gone', 'The mediation room is closed');
  }
}
