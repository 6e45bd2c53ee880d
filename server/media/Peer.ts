import type {
  Consumer,
  ConsumerLayers,
  DataConsumer,
  DtlsParameters,
  IceParameters,
  MediaKind,
  Producer,
  Router,
  RtpCapabilities,
  RtpParameters,
  Transport,
  WebRtcTransport,
} from 'mediasoup/types';
import type { SessionMediaState } from '../protocol/api.ts';
import type { ChannelOptions, CloseReason, MediaSource, NotificationMap, PeerInfo, ProducerInfo } from '../protocol/signalling.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { createLogger, type Logger } from '../logger.ts';
import { withClientInput } from './clientInput.ts';
import { defaultPresence, type PeerPresence } from './presence.ts';
import { TypedEmitter } from './TypedEmitter.ts';

/** appData of every producer the media layer creates. */
export type ProducerData = { peerId: string; source: MediaSource };
/** appData of every consumer the media layer creates. */
export type ConsumerData = { peerId: string; producerPeerId: string; source: MediaSource };
export type MediaProducer = Producer<ProducerData>;
export type MediaConsumer = Consumer<ConsumerData>;

/** Why a peer went away: a room-level CloseReason, or 'left' (room.leave / socket gone). */
export type PeerCloseReason = CloseReason | 'left';
export type ConsumerCloseReason = 'producer_closed' | 'transport_closed' | 'closed';

/**
 * Transports a peer may hold at once: what the client uses, one send transport (camera, mic and
 * screen share it) and one receive transport. A rejoin after a reconnection is a new peer.
 */
export const MAX_TRANSPORTS_PER_PEER = 2;
/** Of those, per direction (transports made by the Room carry appData.direction). */
export const MAX_TRANSPORTS_PER_DIRECTION = 1;
/** Producers are one per source (mic, webcam, screen), so at most 3. */
export const MAX_PRODUCERS_PER_PEER = 3;

type Direction = 'send' | 'recv';

export type PeerEvents = {
  producerAdded: [producer: ProducerInfo];
  /** Also fired for each producer while the peer closes. */
  producerClosed: [producerId: string];
  /** Pause state changed (client pause/resume). */
  producerUpdated: [producer: ProducerInfo];
  consumerClosed: [consumerId: string, reason: ConsumerCloseReason];
  consumerLayersChanged: [layers: NotificationMap['consumer.layersChanged']];
  /** Upload quality (0..10, the worst of this peer's producer scores) changed. */
  qualityChanged: [score: number];
  /** Fired once, after all transports, producers and consumers are closed. */
  closed: [reason: PeerCloseReason];
};

export interface PeerOptions {
  /** Opaque per-connection id; generated when omitted. */
  id?: string;
  info: Omit<PeerInfo, 'id'>;
  /** Stable key of the person (invitation id, staff user id): a second peer with it replaces the first. */
  identity: string;
  log?: Logger;
}

export interface ProduceOptions {
  transportId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  source: MediaSource;
}

/** One participant connection in a room. Owns its transports, producers and consumers. */
export class Peer extends TypedEmitter<PeerEvents> {
  readonly id: string;
  readonly identity: string;
  readonly info: PeerInfo;
  readonly #log: Logger;
  readonly #transports = new Map<string, Transport>();
  #channel: DataConsumer | null = null;
  /** DTLS parameters each transport was connected with (JSON), so a repeated connect can be told apart. */
  readonly #connectedTransports = new Map<string, string>();
  /** transport.create requests in flight, by direction: they count against the limits. */
  readonly #pendingTransports = new Map<Direction, number>();
  /** Producers with a consume() in flight, so concurrent requests cannot pass the one-consumer check together. */
  readonly #pendingConsumes = new Set<string>();
  readonly #producers = new Map<string, MediaProducer>();
  /** Sources with a produce() in flight, so two concurrent requests cannot both win. */
  readonly #pendingSources = new Set<MediaSource>();
  readonly #consumers = new Map<string, MediaConsumer>();
  #rtpCapabilities: RtpCapabilities | undefined;
  /** Spatial layer each consumer's client asked for (default: the best); the server may go lower. */
  readonly #wantedLayer = new Map<string, number>();
  readonly #producerScores = new Map<string, number>();
  /** null until the first producer score arrives. */
  #quality: number | null = null;
  #closed = false;
  #closeReason: PeerCloseReason | undefined;
  #closeMessage: string | undefined;
  /** Room-level state (waiting room, rights, hand); owned and changed by the Room. */
  readonly presence: PeerPresence;

  constructor(options: PeerOptions) {
    super();
    this.id = options.id ?? newId();
    this.identity = options.identity;
    this.info = { id: this.id, ...options.info };
    this.presence = defaultPresence(this.info.role);
    this.#log = (options.log ?? createLogger('media')).child(`peer:${this.id}`);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get closeReason(): PeerCloseReason | undefined {
    return this.#closeReason;
  }

  /** Text shown to the person with the close reason (e.g. why the mediator did not admit them). */
  get closeMessage(): string | undefined {
    return this.#closeMessage;
  }

  get quality(): number | null {
    return this.#quality;
  }

  get joined(): boolean {
    return this.#rtpCapabilities !== undefined;
  }

  get rtpCapabilities(): RtpCapabilities | undefined {
    return this.#rtpCapabilities;
  }

  get transports(): Transport[] {
    return [...this.#transports.values()];
  }

  get producers(): MediaProducer[] {
    return [...this.#producers.values()];
  }

  get consumers(): MediaConsumer[] {
    return [...this.#consumers.values()];
  }

  /** Marks the peer joined with the device's RTP capabilities (needed to consume). */
  join(rtpCapabilities: RtpCapabilities): void {
    this.#assertOpen();
    if (this.joined) throw conflict('Already joined');
    this.#rtpCapabilities = rtpCapabilities;
  }

  // --- transports ----------------------------------------------------------------------------

  /** Refuses (conflict) a transport past the limits, counting creations in flight. */
  assertCanAddTransport(direction?: Direction): void {
    this.#assertOpen();
    const pending = [...this.#pendingTransports.values()].reduce((a, b) => a + b, 0);
    if (this.#transports.size + pending >= MAX_TRANSPORTS_PER_PEER) {
      throw conflict(`At most ${MAX_TRANSPORTS_PER_PEER} transports per participant`);
    }
    if (direction !== undefined && this.#transportsOf(direction) + (this.#pendingTransports.get(direction) ?? 0) >= MAX_TRANSPORTS_PER_DIRECTION) {
      throw conflict(`At most ${MAX_TRANSPORTS_PER_DIRECTION} ${direction} transport per participant`);
    }
  }

  /** Holds a slot for a transport being created (throws past the limits); call the result when done. */
  reserveTransport(direction: Direction): () => void {
    this.assertCanAddTransport(direction);
    this.#pendingTransports.set(direction, (this.#pendingTransports.get(direction) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pendingTransports.set(direction, (this.#pendingTransports.get(direction) ?? 1) - 1);
    };
  }

  #transportsOf(direction: Direction): number {
    let n = 0;
    for (const t of this.#transports.values()) if (t.appData['direction'] === direction) n++;
    return n;
  }

  /** Takes ownership of a transport (closes it right away if this peer cannot hold it). */
  addTransport(transport: Transport): void {
    try {
      this.#assertOpen();
      const direction = transport.appData['direction'];
      if (this.#transports.size >= MAX_TRANSPORTS_PER_PEER) throw conflict(`At most ${MAX_TRANSPORTS_PER_PEER} transports per participant`);
      if ((direction === 'send' || direction === 'recv') && this.#transportsOf(direction) >= MAX_TRANSPORTS_PER_DIRECTION) {
        throw conflict(`At most ${MAX_TRANSPORTS_PER_DIRECTION} ${direction} transport per participant`);
      }
    } catch (error) {
      transport.close();
      throw error;
    }
    if (transport.closed) throw notFound('Transport');
    const transportId = transport.id;
    this.#transports.set(transportId, transport);
    transport.observer.once('close', () => {
      this.#transports.delete(transportId);
      this.#connectedTransports.delete(transportId);
      this.#log.debug('transport closed', { transportId });
    });
    if (transport.type === 'webrtc') {
      const webrtc = transport as WebRtcTransport;
      webrtc.on('icestatechange', (iceState) => {
        const level = iceState === 'disconnected' ? 'info' : 'debug';
        this.#log[level]('ICE state', { transportId, iceState });
      });
      webrtc.on('dtlsstatechange', (dtlsState) => {
        if (dtlsState === 'failed' || dtlsState === 'closed') this.#log.warn('DTLS state', { transportId, dtlsState });
        else this.#log.debug('DTLS state', { transportId, dtlsState });
      });
    }
  }

  getTransport(transportId: string): Transport {
    const transport = this.#transports.get(transportId);
    if (!transport) throw notFound('Transport');
    return transport;
  }

  /** Closes one of this peer's transports with what runs on it (the client replaces a broken one). */
  closeTransport(transportId: string): void {
    this.#assertOpen();
    this.getTransport(transportId).close();
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    this.#assertOpen();
    const transport = this.getTransport(transportId);
    const given = JSON.stringify(dtlsParameters);
    const connectedWith = this.#connectedTransports.get(transportId);
    // The same connect again (its answer was lost in a drop, the client retries): already done.
    if (connectedWith === given) return;
    if (connectedWith !== undefined) throw conflict('Transport already connected');
    this.#connectedTransports.set(transportId, given);
    try {
      await withClientInput('Invalid DTLS parameters', () => transport.connect({ dtlsParameters }));
    } catch (error) {
      this.#connectedTransports.delete(transportId);
      throw error;
    }
  }

  async restartIce(transportId: string): Promise<IceParameters> {
    this.#assertOpen();
    const transport = this.getTransport(transportId);
    if (transport.type !== 'webrtc') throw badRequest('Not a WebRTC transport');
    return (transport as WebRtcTransport).restartIce();
  }

  // --- producers -----------------------------------------------------------------------------

  async produce({ transportId, kind, rtpParameters, source }: ProduceOptions): Promise<MediaProducer> {
    this.#assertOpen();
    if (!this.joined) throw badRequest('Join the room first');
    if ((source === 'mic') !== (kind === 'audio')) throw badRequest('mic is the only audio source');
    const wrongCodec = rtpParameters.codecs.find((c) => !c.mimeType.toLowerCase().startsWith(`${kind}/`));
    if (wrongCodec) {
      throw badRequest(`A ${kind} producer cannot carry ${wrongCodec.mimeType}`, { 'rtpParameters.codecs': 'Codec does not match the kind' });
    }
    if (this.#pendingSources.has(source) || this.#producerFor(source)) {
      throw conflict(`Already sending ${source}`);
    }
    if (this.#producers.size + this.#pendingSources.size >= MAX_PRODUCERS_PER_PEER) {
      throw conflict(`At most ${MAX_PRODUCERS_PER_PEER} producers per participant`);
    }
    const transport = this.#transportFor(transportId, 'send');
    this.#pendingSources.add(source);
    let producer: MediaProducer;
    try {
      producer = await withClientInput('Invalid RTP parameters', () =>
        transport.produce<ProducerData>({ kind, rtpParameters, appData: { peerId: this.id, source } }),
      );
    } finally {
      this.#pendingSources.delete(source);
    }
    if (this.#closed || transport.closed || producer.closed) {
      producer.close();
      throw new AppError('gone', 'Transport closed while producing');
    }

    const producerId = producer.id;
    this.#producers.set(producerId, producer);
    producer.on('transportclose', () => this.#log.debug('producer transport closed', { producerId }));
    producer.observer.once('close', () => {
      this.#producers.delete(producerId);
      this.#producerScores.delete(producerId);
      this.#updateQuality();
      this.emit('producerClosed', producerId);
    });
    producer.on('score', (scores) => {
      if (scores.length === 0) return;
      // Simulcast: the best encoding counts (a weak top layer alone is not a bad network).
      this.#producerScores.set(producerId, Math.max(...scores.map((s) => s.score)));
      this.#updateQuality();
    });
    producer.observer.on('pause', () => this.emit('producerUpdated', producerInfo(producer)));
    producer.observer.on('resume', () => this.emit('producerUpdated', producerInfo(producer)));
    this.#log.info('producing', { producerId, kind, source });
    this.emit('producerAdded', producerInfo(producer));
    return producer;
  }

  getProducer(producerId: string): MediaProducer {
    const producer = this.#producers.get(producerId);
    if (!producer) throw notFound('Producer');
    return producer;
  }

  /** This peer's producer by id, or undefined (no error: used to search the room). */
  findProducer(producerId: string): MediaProducer | undefined {
    return this.#producers.get(producerId);
  }

  async pauseProducer(producerId: string): Promise<void> {
    this.#assertOpen();
    await this.getProducer(producerId).pause();
  }

  async resumeProducer(producerId: string): Promise<void> {
    this.#assertOpen();
    await this.getProducer(producerId).resume();
  }

  closeProducer(producerId: string): void {
    this.#assertOpen();
    this.getProducer(producerId).close();
  }

  /** The producer of one source, if any. */
  producerFor(source: MediaSource): MediaProducer | undefined {
    return this.#producerFor(source);
  }

  /** Closes the consumers of another peer's producers (it left this peer's sight). */
  closeConsumersOf(producerPeerId: string): void {
    for (const consumer of [...this.#consumers.values()]) {
      if (consumer.appData.producerPeerId === producerPeerId) consumer.close();
    }
  }

  producerInfos(): ProducerInfo[] {
    return this.producers.map(producerInfo);
  }

  // --- consumers -----------------------------------------------------------------------------

  /** Consumes another peer's producer on one of this peer's transports. Always created paused. */
  async consume(router: Router, transportId: string, producer: MediaProducer): Promise<MediaConsumer> {
    this.#assertOpen();
    const rtpCapabilities = this.#rtpCapabilities;
    if (!rtpCapabilities) throw badRequest('Join the room first');
    const transport = this.#transportFor(transportId, 'recv');
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw badRequest('Your device cannot receive this media (no common codec)');
    }
    if (this.#pendingConsumes.has(producer.id)) throw conflict('Already receiving this producer');
    // A peer consumes each visible producer at most once. The client asks again only when it does
    // not hold the consumer it has here (the answer, or its own set-up, was lost in a drop): the
    // new one replaces it.
    for (const held of [...this.#consumers.values()]) if (held.producerId === producer.id) held.close();
    const appData: ConsumerData = { peerId: this.id, producerPeerId: producer.appData.peerId, source: producer.appData.source };
    this.#pendingConsumes.add(producer.id);
    let consumer: MediaConsumer;
    try {
      consumer = await withClientInput('Cannot consume', () =>
        transport.consume<ConsumerData>({ producerId: producer.id, rtpCapabilities, paused: true, appData }),
      );
    } finally {
      this.#pendingConsumes.delete(producer.id);
    }
    if (this.#closed || transport.closed || consumer.closed) {
      consumer.close();
      throw new AppError('gone', 'Transport or producer closed while consuming');
    }

    const consumerId = consumer.id;
    let reason: ConsumerCloseReason = 'closed';
    this.#consumers.set(consumerId, consumer);
    consumer.on('producerclose', () => (reason = 'producer_closed'));
    consumer.on('transportclose', () => (reason = 'transport_closed'));
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumerId);
      this.#wantedLayer.delete(consumerId);
      this.emit('consumerClosed', consumerId, reason);
    });
    if (consumer.type === 'simulcast') {
      // The server picks the layer from the receiver's score: a weak downlink gets the small layer.
      consumer.on('score', ({ score }) => void this.#adaptLayers(consumer, score));
    }
    consumer.on('layerschange', (layers?: ConsumerLayers) =>
      this.emit('consumerLayersChanged', {
        consumerId,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    return consumer;
  }

  getConsumer(consumerId: string): MediaConsumer {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw notFound('Consumer');
    return consumer;
  }

  /** Resumes a consumer (the client calls this once its track is set up) and asks for a key frame. */
  async resumeConsumer(consumerId: string): Promise<void> {
    this.#assertOpen();
    const consumer = this.getConsumer(consumerId);
    await consumer.resume();
    if (consumer.kind === 'video' && !consumer.closed) {
      await consumer.requestKeyFrame().catch((error: unknown) => this.#log.debug('key frame request failed', { consumerId, error }));
    }
  }

  /** For simulcast/SVC consumers; a no-op for single-stream ones. */
  async setConsumerPreferredLayers(consumerId: string, layers: ConsumerLayers): Promise<void> {
    this.#assertOpen();
    const consumer = this.getConsumer(consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    this.#wantedLayer.set(consumerId, layers.spatialLayer);
    await consumer.setPreferredLayers(layers);
  }

  /** Score < 5: drop to the lowest spatial layer; score >= 8: back to what the client asked for. */
  async #adaptLayers(consumer: MediaConsumer, score: number): Promise<void> {
    if (consumer.closed) return;
    const wanted = this.#wantedLayer.get(consumer.id) ?? 3;
    const current = consumer.preferredLayers?.spatialLayer;
    const target = score < 5 ? 0 : score >= 8 ? wanted : current;
    if (target === undefined || target === current) return;
    await consumer.setPreferredLayers({ spatialLayer: target }).catch(() => undefined);
  }

  #updateQuality(): void {
    const scores = [...this.#producerScores.values()];
    if (scores.length === 0 && this.#quality === null) return;
    const quality = scores.length === 0 ? 10 : Math.min(...scores);
    if (quality === this.#quality) return;
    this.#quality = quality;
    this.emit('qualityChanged', quality);
  }

  // --- lifecycle -----------------------------------------------------------------------------

  /** Closes every transport (and with them every producer and consumer), then emits `closed`. Idempotent. */
  /**
   * The room channel on this peer's receive transport (see Room.openChannel); asked again (its
   * answer lost in a drop), the old one is replaced.
   */
  async openChannel(transportId: string, dataProducerId: string): Promise<ChannelOptions> {
    this.#assertOpen();
    const transport = this.#transportFor(transportId, 'recv');
    this.#channel?.close();
    const channel = await transport.consumeData({ dataProducerId });
    if (this.#closed || transport.closed) {
      channel.close();
      throw new AppError('gone', 'Transport closed while opening the channel');
    }
    this.#channel = channel;
    return {
      id: channel.id,
      dataProducerId,
      sctpStreamParameters: channel.sctpStreamParameters!,
      label: channel.label,
      protocol: channel.protocol,
    };
  }

  close(reason: PeerCloseReason = 'left', message?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#closeMessage = message;
    this.#channel?.close();
    for (const transport of [...this.#transports.values()]) transport.close();
    // Transports own producers/consumers, so these are normally empty by now.
    for (const producer of [...this.#producers.values()]) producer.close();
    for (const consumer of [...this.#consumers.values()]) consumer.close();
    this.#transports.clear();
    this.#connectedTransports.clear();
    this.#log.info('peer closed', { reason });
    this.emit('closed', reason);
  }

  toMediaState(): SessionMediaState['peers'][number] {
    return {
      peerId: this.id,
      role: this.info.role,
      displayName: this.info.displayName,
      producers: this.producers.map((p) => ({ id: p.id, kind: p.kind, source: p.appData.source, paused: p.paused })),
      consumers: this.consumers.map((c) => ({
        id: c.id,
        producerId: c.producerId,
        kind: c.kind,
        paused: c.paused,
        preferredSpatialLayer: c.type === 'simulcast' || c.type === 'svc' ? (c.preferredLayers?.spatialLayer ?? null) : null,
      })),
    };
  }

  /** Transports created by the Room carry appData.direction; refuse using one the wrong way. */
  #transportFor(transportId: string, direction: 'send' | 'recv'): Transport {
    const transport = this.getTransport(transportId);
    const actual = transport.appData['direction'];
    if (actual !== undefined && actual !== direction) throw badRequest(`Not a ${direction} transport`);
    return transport;
  }

  #producerFor(source: MediaSource): MediaProducer | undefined {
    for (const producer of this.#producers.values()) if (producer.appData.source === source) return producer;
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('gone', 'Participant has left the room');
  }
}

export function producerInfo(producer: MediaProducer): ProducerInfo {
  return {
    id: producer.id,
    peerId: producer.appData.peerId,
    kind: producer.kind,
    source: producer.appData.source,
    paused: producer.paused,
  };
}
