import type { Device, types as msTypes } from 'mediasoup-client';
import type { MediaSource, PeerInfo, ProducerInfo } from '@protocol/signalling.ts';
import type { SignallingClient } from '../SignallingClient.ts';
import { markJoinPhase } from '../joinPhases.ts';
import { preferredSpatialLayer } from '../layers.ts';
import { Emitter } from './Emitter.ts';
import type { RemotePeer } from './sessionState.ts';
import { isDisconnected, isTransient } from './transient.ts';
import { transportStats, wireTransport, type ConsumerOwner } from './transport.ts';

interface ConsumerEntry {
  consumer: msTypes.Consumer;
  peerId: string;
  producerId: string;
  source: MediaSource;
}

export interface SubscriberEvents extends Record<string, unknown[]> {
  /** Peers, their producers, consumers or the transport's state changed. */
  change: [];
}

/**
 * The other people in the room: who is there, what they publish, and the receive transport with
 * one consumer per remote producer. Asks for the simulcast layer that fits each drawn tile.
 */
export class Subscriber extends Emitter<SubscriberEvents> {
  readonly #signalling: SignallingClient;

  #device: Device | null = null;
  #selfId: string | null = null;
  #recv: msTypes.Transport | null = null;
  #recvState: msTypes.ConnectionState | null = null;
  readonly #peers = new Map<string, PeerInfo>();
  /** Remote producers we know of, by id (kept current by notifications). */
  readonly #remoteProducers = new Map<string, ProducerInfo>();
  readonly #consumers = new Map<string, ConsumerEntry>();
  /** Producer ids being consumed or consumed, so none is consumed twice. */
  readonly #consuming = new Set<string>();
  /** Rendered width of remote video tiles (CSS px), by `${peerId}:${source}`, as the UI reports it. */
  readonly #tileWidths = new Map<string, number>();
  /** Spatial layer last asked of the server, by consumer id. */
  readonly #askedLayers = new Map<string, number>();
  /** Bumped by every (re)join and reset so stale async work can tell it is stale. */
  #generation = 0;
  #closed = false;

  // On admission several consumer.create go out at once. Their consumers are set up together once
  // all are answered: mediasoup-client batches consume() calls made in one tick into one SDP
  // negotiation, so video need not wait for audio's. A late answer holds the others ≤ 300 ms.
  #creating = 0;
  #whenAllAnswered: Array<() => void> = [];

  constructor(signalling: SignallingClient) {
    super();
    this.#signalling = signalling;
  }

  get transportState(): msTypes.ConnectionState | null {
    return this.#recvState;
  }

  /** The room as joined: this room's Device, who is there and what they publish. */
  enter(device: Device, selfId: string, peers: PeerInfo[], producers: ProducerInfo[]): void {
    this.#generation++;
    this.#device = device;
    this.#selfId = selfId;
    for (const peer of peers) if (peer.id !== selfId) this.#peers.set(peer.id, peer);
    for (const producer of producers) if (producer.peerId !== selfId) this.#remoteProducers.set(producer.id, producer);
    this.emit('change');
  }

  /** The remote people as the UI shows them. */
  peers(): RemotePeer[] {
    return [...this.#peers.values()].map((info) => {
      const producers = [...this.#remoteProducers.values()].filter((p) => p.peerId === info.id);
      const mic = producers.find((p) => p.source === 'mic');
      const cam = producers.find((p) => p.source === 'webcam');
      const tracks = [...this.#consumers.values()].filter((c) => c.peerId === info.id);
      const audio = tracks.find((c) => c.source === 'mic');
      const video = tracks.find((c) => c.source === 'webcam');
      const screen = tracks.find((c) => c.source === 'screen');
      return {
        info,
        audioTrack: audio?.consumer.track ?? null,
        videoTrack: video?.consumer.track ?? null,
        hasMic: mic !== undefined,
        hasCam: cam !== undefined,
        micOn: mic !== undefined && !mic.paused,
        camOn: cam !== undefined && !cam.paused,
        screenTrack: screen?.consumer.track ?? null,
      };
    });
  }

  // The server's transport options go to mediasoup-client whole: with TURN configured they carry
  // `iceServers` (credentials minted for this participant), which it hands to RTCPeerConnection.
  async createTransport(): Promise<void> {
    const generation = this.#generation;
    const options = await this.#signalling.request('transport.create', { direction: 'recv' });
    if (generation !== this.#generation || !this.#device || this.#closed) return;
    const transport = this.#device.createRecvTransport(options as unknown as msTypes.TransportOptions);
    wireTransport(transport, 'recv', this.#signalling, (state) => {
      this.#recvState = state;
      this.emit('change');
    });
    this.#recv = transport;
    void this.#openChannel(transport, generation);
  }

  /**
   * The room channel: consuming it connects the receive transport now, in the waiting room,
   * instead of at the first consume after admission. Only a head start: without it the first
   * consume connects the transport as usual.
   */
  async #openChannel(transport: msTypes.Transport, generation: number): Promise<void> {
    try {
      const channel = await this.#signalling.request('channel.open', { transportId: transport.id });
      if (generation !== this.#generation || transport.closed) return;
      await transport.consumeData({
        id: channel.id,
        dataProducerId: channel.dataProducerId,
        sctpStreamParameters: channel.sctpStreamParameters as unknown as msTypes.SctpStreamParameters,
        label: channel.label,
        protocol: channel.protocol,
      });
    } catch (error) {
      if (generation === this.#generation) console.warn('[media] room channel not opened', error);
    }
  }

  /** Consumes every known remote producer not consumed yet (after a join or a recovered socket). */
  consumeAll(): Promise<unknown> {
    const generation = this.#generation;
    return Promise.allSettled([...this.#remoteProducers.values()].map((p) => this.#consume(p, generation)));
  }

  peerJoined(peer: PeerInfo): void {
    if (peer.id === this.#selfId) return;
    this.#peers.set(peer.id, peer);
    this.emit('change');
  }

  peerLeft(peerId: string): void {
    this.#peers.delete(peerId);
    for (const [id, p] of this.#remoteProducers) if (p.peerId === peerId) this.producerRemoved(id);
    this.emit('change');
  }

  producerAdded(producer: ProducerInfo): void {
    if (producer.peerId === this.#selfId) return;
    this.#remoteProducers.set(producer.id, producer);
    this.emit('change');
    void this.#consume(producer, this.#generation);
  }

  producerRemoved(producerId: string): void {
    this.#remoteProducers.delete(producerId);
    for (const [id, entry] of this.#consumers) if (entry.producerId === producerId) this.consumerClosed(id);
    this.#consuming.delete(producerId);
    this.emit('change');
  }

  producerUpdated(producerId: string, paused: boolean): void {
    const known = this.#remoteProducers.get(producerId);
    if (!known) return;
    this.#remoteProducers.set(producerId, { ...known, paused });
    this.emit('change');
  }

  consumerClosed(consumerId: string): void {
    const entry = this.#consumers.get(consumerId);
    if (!entry) return;
    this.#consumers.delete(consumerId);
    this.#askedLayers.delete(consumerId);
    this.#consuming.delete(entry.producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.emit('change');
  }

  /**
   * The UI reports how wide a remote video is drawn; the consumer then asks the server for the
   * simulcast layer that fits (small tiles and phone viewports: the small layer).
   */
  setTileSize(peerId: string, source: MediaSource, width: number): void {
    if (this.#closed || !(width > 0)) return;
    this.#tileWidths.set(`${peerId}:${source}`, width);
    for (const [consumerId, entry] of this.#consumers) {
      if (entry.peerId === peerId && entry.source === source) void this.#applyPreferredLayer(consumerId);
    }
  }

  getStats(): Promise<Array<Record<string, unknown>>> {
    const byMid = new Map<string, ConsumerOwner>();
    for (const [consumerId, entry] of this.#consumers) {
      const mid = entry.consumer.rtpParameters.mid;
      if (mid) byMid.set(mid, { peerId: entry.peerId, source: entry.source, consumerId });
    }
    return transportStats(this.#recv, 'recv', byMid);
  }

  async #applyPreferredLayer(consumerId: string): Promise<void> {
    const entry = this.#consumers.get(consumerId);
    // Only camera video is simulcast; screen shares keep their single full-quality stream.
    if (!entry || entry.consumer.closed || entry.consumer.kind !== 'video' || entry.source !== 'webcam') return;
    const width = this.#tileWidths.get(`${entry.peerId}:${entry.source}`);
    if (width === undefined) return;
    const layer = preferredSpatialLayer(width, typeof window === 'undefined' ? 0 : window.innerWidth);
    if (this.#askedLayers.get(consumerId) === layer) return;
    this.#askedLayers.set(consumerId, layer);
    try {
      await this.#signalling.request('consumer.setPreferredLayers', { consumerId, spatialLayer: layer });
    } catch (error) {
      if (this.#askedLayers.get(consumerId) === layer) this.#askedLayers.delete(consumerId);
      console.warn('[media] setPreferredLayers failed', error);
    }
  }

  async #consume(producer: ProducerInfo, generation: number): Promise<void> {
    const transport = this.#recv;
    if (!transport || !this.#device || this.#consuming.has(producer.id)) return;
    if (producer.peerId === this.#selfId) return;
    this.#consuming.add(producer.id);
    let created: string | undefined;
    try {
      this.#creating++;
      const options = await this.#signalling.request('consumer.create', { transportId: transport.id, producerId: producer.id }).finally(() => this.#answered());
      if (options.kind === 'video') markJoinPhase('consumer-created');
      await this.#allAnswered();
      if (generation !== this.#generation || transport.closed) return;
      const consumer = await transport.consume({
        id: options.id,
        producerId: options.producerId,
        kind: options.kind,
        rtpParameters: options.rtpParameters as unknown as msTypes.RtpParameters,
        streamId: `${options.peerId}-${options.source}`,
        appData: { peerId: options.peerId, source: options.source },
      });
      if (generation !== this.#generation || !this.#remoteProducers.has(producer.id)) {
        consumer.close();
        return;
      }
      if (consumer.kind === 'video') markJoinPhase('consumer-ready');
      this.#consumers.set(consumer.id, { consumer, peerId: options.peerId, producerId: options.producerId, source: options.source });
      created = consumer.id;
      // The paused flag stays as notifications left it: `producer.updated` may be newer than this answer.
      consumer.on('transportclose', () => this.consumerClosed(consumer.id));
      consumer.on('trackended', () => this.consumerClosed(consumer.id));
      await this.#signalling.request('consumer.resume', { consumerId: consumer.id });
      if (consumer.kind === 'video') markJoinPhase('consumer-resumed');
      void this.#applyPreferredLayer(consumer.id);
      this.emit('change');
    } catch (error) {
      // A consumer never resumed would stay paused: drop it, the next attempt makes a new one.
      if (created) this.consumerClosed(created);
      this.#consuming.delete(producer.id);
      if (generation !== this.#generation) return;
      console.warn('[media] consume failed', producer, error);
      // A lost answer or a server hiccup: try again. A drop: the reconnection consumes again.
      if (isTransient(error) && !isDisconnected(error)) {
        window.setTimeout(() => {
          const still = this.#remoteProducers.get(producer.id);
          if (still && generation === this.#generation && !this.#closed) void this.#consume(still, generation);
        }, 1000);
      }
    }
  }

  #answered(): void {
    if (--this.#creating > 0) return;
    for (const resolve of this.#whenAllAnswered.splice(0)) resolve();
  }

  #allAnswered(): Promise<void> {
    if (this.#creating === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenAllAnswered.push(resolve);
      window.setTimeout(resolve, 300);
    });
  }

  /** Closes the transport and the consumers and forgets the room; keeps tile sizes for a rejoin. */
  reset(): void {
    this.#generation++;
    for (const { consumer } of this.#consumers.values()) if (!consumer.closed) consumer.close();
    this.#consumers.clear();
    this.#askedLayers.clear();
    this.#consuming.clear();
    this.#remoteProducers.clear();
    this.#peers.clear();
    if (this.#recv && !this.#recv.closed) this.#recv.close();
    this.#recv = null;
    this.#recvState = null;
    this.#device = null;
  }

  /** Ends receiving for good. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.reset();
    this.#closed = true;
    this.removeAllListeners();
  }
}
