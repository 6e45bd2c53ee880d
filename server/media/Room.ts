import type { ActiveSpeakerObserver, RtpCapabilities, Router, WebRtcTransport, Worker } from 'mediasoup/types';
import type { Config } from '../config.ts';
import type { SessionMediaState } from '../protocol/api.ts';
import type {
  ChatMessageInfo,
  CloseReason,
  ConsumerOptions,
  MediaSource,
  MuteReason,
  ParticipantState,
  PeerInfo,
  Place,
  ProducerInfo,
  RoomStateInfo,
  TransportOptions,
  ChannelOptions,
} from '../protocol/signalling.ts';
import { AppError, badRequest, conflict, fail, forbidden, notFound } from '../errors.ts';
import { isHost } from '../protocol/roles.ts';
import type { Logger } from '../logger.ts';
import { capabilitiesId } from './mediaCapabilities.ts';
import { MAX_INCOMING_BITRATE, mediaCodecs, webRtcTransportOptions } from './mediaCodecs.ts';
import { webRtcServerOf } from './webRtcServer.ts';
import type { MediaProducer, Peer, PeerCloseReason, ProduceOptions } from './Peer.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import { Caucus } from './Caucus.ts';
import { newId } from '../ids.ts';
import { RoomRecording } from '../recording/RoomRecording.ts';
import type { RecordableProducer } from '../recording/TrackSlot.ts';

/** How long the room waits for a dropped lead mediator before another mediator may take the lead. */
export const LEAD_GRACE_MS = 60_000;

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
  /** `viewer` may now (or may no longer) see `owner`; consumers across the boundary are already closed. */
  visibilityChanged: [viewer: Peer, owner: Peer, visible: boolean];
  /** Something in `stateFor()` may have changed (waiting list, lock, caucus, rights, hands, lead). */
  stateChanged: [];
  /** The server paused or closed one of `peer`'s producers; tell the peer. */
  peerMuted: [peer: Peer, source: MediaSource, reason: MuteReason];
  unmuteRequested: [peer: Peer];
  activeSpeaker: [peer: Peer];
  peerQuality: [peer: Peer, score: number];
  /** A chat message and who receives it (already filtered by visibility). */
  chat: [message: ChatMessageInfo, recipients: Peer[], sender: Peer];
  caucusStarted: [caucus: Caucus, by: Peer, members: Peer[]];
  caucusEnded: [caucus: Caucus, by: Peer | null];
  /** The mediator removed this identity for good (remembered beyond the room: server/cluster/SessionMemory.ts). */
  participantRemoved: [identity: string];
  /** Another mediator leads now (remembered beyond the room). */
  leadChanged: [identity: string];
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
  /** For tests; defaults to LEAD_GRACE_MS. */
  leadGraceMs?: number;
}

export interface JoinResult {
  self: PeerInfo;
  peers: PeerInfo[];
  producers: ProducerInfo[];
  state: RoomStateInfo;
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
  readonly #speakers: ActiveSpeakerObserver;
  readonly #channelProducerId: string;
  /**
   * The last dominant speaker. The observer says so only on a change, so whoever comes into
   * sight of them later (joined, admitted, back from a caucus) is told by the connection.
   */
  #dominantSpeaker: Peer | null = null;
  #capabilitiesId: string | undefined;
  readonly #leadGraceMs: number;
  /** Identities the mediator admitted: they come straight back in after a drop (unless locked). */
  readonly #admitted = new Set<string>();
  /** Identities removed by the mediator: refused until the room closes. */
  readonly #removed = new Set<string>();
  #locked = false;
  #caucus: Caucus | null = null;
  #leadIdentity: string | null = null;
  /** Set when the lead dropped; cleared when they return (or another mediator takes over after the grace). */
  #leadLostAt: number | null = null;
  #leadTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closeReason: CloseReason | undefined;
  /** The session's recording (owned: closed with the room, before the router). */
  readonly recording: RoomRecording;
  #recordingDue = false;

  static async create({ sessionId, worker, config, log, leadGraceMs }: RoomOptions): Promise<Room> {
    const router = await worker.createRouter({ mediaCodecs, appData: { sessionId } });
    const speakers = await router.createActiveSpeakerObserver({ interval: 400 });
    // The room channel's source: the router owns it (and closes it with itself).
    const channel = await (await router.createDirectTransport()).produceData({ label: 'room' });
    return new Room(sessionId, worker, router, speakers, channel.id, config, log.child(`room:${sessionId}`), leadGraceMs ?? LEAD_GRACE_MS);
  }

  private constructor(
    sessionId: string,
    worker: Worker,
    router: Router,
    speakers: ActiveSpeakerObserver,
    channelProducerId: string,
    config: Config['mediasoup'],
    log: Logger,
    leadGraceMs: number,
  ) {
    super();
    this.sessionId = sessionId;
    this.worker = worker;
    this.router = router;
    this.#speakers = speakers;
    this.#channelProducerId = channelProducerId;
    this.#leadGraceMs = leadGraceMs;
    this.#config = config;
    this.#log = log;
    this.recording = new RoomRecording({ router, log });
    this.recording.on('changed', () => {
      this.#syncRecording();
      this.#changed();
    });
    speakers.on('dominantspeaker', ({ producer }) => {
      const owner = this.findPeer(String(producer.appData['peerId']));
      this.#dominantSpeaker = owner ?? null;
      if (owner && !this.#quiet) this.emit('activeSpeaker', owner);
    });
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

  /** The router capabilities' id (mediaCapabilities.ts): room.join tells the page which it has. */
  get capabilitiesId(): string {
    this.#capabilitiesId ??= capabilitiesId(this.router.rtpCapabilities);
    return this.#capabilitiesId;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  // --- peers ---------------------------------------------------------------------------------

  /**
   * Adds a connection. If a peer with the same identity is in the room (the same person
   * reconnecting, another tab), it is closed with 'replaced' after the new one is in.
   */
  addPeer(peer: Peer, options: { mustWait?: boolean } = {}): void {
    this.#assertOpen();
    if (peer.closed) throw new AppError('gone', 'Participant has left the room');
    if (this.#peers.has(peer.id)) throw conflict('Participant already in the room');
    if (this.#removed.has(peer.identity)) throw fail('removed_from_session', 'The mediator has removed you from this session');
    const previous = [...this.#peers.values()].find((p) => p.identity === peer.identity);

    // Waiting room: whoever must be admitted waits, unless admitted before and the room is not locked.
    if (options.mustWait && (this.#locked || !this.#admitted.has(peer.identity))) {
      peer.presence.waiting = true;
      peer.presence.waitingSince = Date.now();
    }
    if (previous) {
      peer.presence.handRaised = previous.presence.handRaised;
      peer.presence.canPublish = previous.presence.canPublish;
      peer.presence.canShare = previous.presence.canShare;
    }
    if (isHost(peer.info.role) && (this.#leadIdentity === null || (this.#leadLostAt !== null && this.#leadGraceOver()))) {
      this.#setLead(peer.identity);
    }
    if (peer.identity === this.#leadIdentity) this.#leadReturned();

    this.#peers.set(peer.id, peer);
    this.#attach(peer);
    this.#log.info('peer added', { peerId: peer.id, role: peer.info.role, waiting: peer.presence.waiting });

    if (previous) {
      this.#log.info('peer replaced by same identity', { oldPeerId: previous.id, peerId: peer.id });
      this.emit('peerReplaced', previous, peer);
      previous.close('replaced');
    }
    this.#changed();
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
    this.#changed();
    return {
      self: peer.info,
      peers: this.joinedPeers()
        .filter((other) => other !== peer && this.canSee(peer, other))
        .map((other) => other.info),
      producers: this.visibleProducers(peerId),
      state: this.stateFor(peer),
    };
  }

  get dominantSpeaker(): Peer | null {
    return this.#dominantSpeaker?.closed ? null : this.#dominantSpeaker;
  }

  // --- visibility ----------------------------------------------------------------------------

  /**
   * The one place that decides whether `viewer` may see and hear `owner` (and know its peer and
   * producer ids). Nobody in the waiting room sees or is seen; during a caucus its members and
   * everyone else are two separate rooms.
   */
  canSee(viewer: Peer, owner: Peer): boolean {
    if (viewer === owner) return true;
    if (viewer.presence.waiting || owner.presence.waiting) return false;
    if (this.#caucus && this.inCaucus(viewer) !== this.inCaucus(owner)) return false;
    return true;
  }

  /** Mediators are always with the caucus; others when the mediator put them in it. */
  inCaucus(peer: Peer): boolean {
    const caucus = this.#caucus;
    if (!caucus || peer.presence.waiting) return false;
    return isHost(peer.info.role) || caucus.has(peer.identity);
  }

  placeOf(peer: Peer): Place {
    if (peer.presence.waiting) return 'lobby';
    return this.inCaucus(peer) ? 'caucus' : 'main';
  }

  get locked(): boolean {
    return this.#locked;
  }

  get caucus(): Caucus | null {
    return this.#caucus;
  }

  /** The lead mediator is away (dropped, within the grace period or with nobody to take over). */
  get paused(): boolean {
    if (this.#leadLostAt !== null) return true;
    const lead = this.#leadPeer();
    return lead !== undefined && !lead.presence.connected;
  }

  isLead(peer: Peer): boolean {
    return isHost(peer.info.role) && peer.identity === this.#leadIdentity;
  }

  participantState(peer: Peer): ParticipantState {
    return {
      peerId: peer.id,
      role: peer.info.role,
      displayName: peer.info.displayName,
      side: peer.info.side,
      department: peer.info.department,
      place: this.placeOf(peer),
      waitingSince: peer.presence.waitingSince,
      lead: this.isLead(peer),
      handRaised: peer.presence.handRaised,
      canPublish: peer.presence.canPublish,
      canShare: peer.presence.canShare,
    };
  }

  /** The room as `viewer` may know it: the roster (with the waiting list) only for mediators. */
  stateFor(viewer: Peer): RoomStateInfo {
    const isMediator = isHost(viewer.info.role);
    const caucus = this.#caucus;
    const withMe = caucus !== null && this.inCaucus(viewer);
    const joined = this.joinedPeers();
    return {
      self: this.participantState(viewer),
      locked: this.#locked,
      paused: this.paused,
      caucus: {
        active: caucus !== null,
        withMe,
        memberIds: caucus && (isMediator || withMe) ? joined.filter((p) => this.inCaucus(p)).map((p) => p.id) : [],
      },
      roster: isMediator ? joined.map((p) => this.participantState(p)) : [],
      hands: joined.filter((p) => p !== viewer && p.presence.handRaised && this.canSee(viewer, p)).map((p) => p.id),
      recording: this.recording.stateFor(viewer.identity, viewer.info.role),
    };
  }

  // --- waiting room --------------------------------------------------------------------------

  /**
   * Continues a session whose previous room died without closing (its node failed): the removed
   * stay out, and the lead mediator keeps the lead: the room waits for them as for a dropped
   * lead (the grace period), then another mediator present may take over. Call before peers join.
   */
  restore(remembered: { removed: readonly string[]; lead: string | null }): void {
    for (const identity of remembered.removed) {
      this.#removed.add(identity);
      this.#admitted.delete(identity);
    }
    if (remembered.lead !== null && this.#leadIdentity === null && this.#peers.size === 0) {
      this.#leadIdentity = remembered.lead;
      this.#leadLost();
    }
  }

  /**
   * People who were in the joint session when the previous server process died: they come
   * back without waiting for the mediator again (as after a short drop). Call before peers join.
   */
  readmit(identities: Iterable<string>): void {
    for (const identity of identities) if (!this.#removed.has(identity)) this.#admitted.add(identity);
  }

  admit(peerId: string): void {
    this.#assertNotPaused();
    const peer = this.getPeer(peerId);
    if (!peer.presence.waiting) return;
    this.#admitted.add(peer.identity);
    this.#changeVisibility(() => {
      peer.presence.waiting = false;
      peer.presence.waitingSince = null;
    });
  }

  admitAll(): number {
    this.#assertNotPaused();
    const waiting = this.joinedPeers().filter((p) => p.presence.waiting);
    if (waiting.length === 0) return 0;
    this.#changeVisibility(() => {
      for (const peer of waiting) {
        this.#admitted.add(peer.identity);
        peer.presence.waiting = false;
        peer.presence.waitingSince = null;
      }
    });
    return waiting.length;
  }

  /** Refuses a waiting peer: closed with 'denied' and the mediator's reason. */
  deny(peerId: string, reason: string): void {
    const peer = this.getPeer(peerId);
    if (!peer.presence.waiting) throw conflict('Only someone in the waiting room can be denied');
    peer.close('denied', reason);
  }

  /**
   * Back to the waiting room: their consumers close, nobody sees or hears them (their producers
   * stay, unseen, as for anyone waiting), they leave any caucus.
   */
  sendBack(peerId: string): void {
    const peer = this.getPeer(peerId);
    if (isHost(peer.info.role)) throw badRequest('A mediator cannot be sent to the waiting room');
    if (peer.presence.waiting) return;
    this.#admitted.delete(peer.identity);
    this.#changeVisibility(() => {
      peer.presence.waiting = true;
      peer.presence.waitingSince = Date.now();
      peer.presence.handRaised = false;
      this.#caucus?.remove(peer.identity);
    });
  }

  setLocked(locked: boolean): void {
    if (this.#locked === locked) return;
    this.#locked = locked;
    this.#changed();
  }

  /** Removes the person for good (for this room): closed with 'removed', refused if they come back. */
  removeParticipant(peerId: string): Peer {
    const peer = this.getPeer(peerId);
    if (isHost(peer.info.role)) throw badRequest('A mediator cannot be removed');
    this.#removed.add(peer.identity);
    this.#admitted.delete(peer.identity);
    this.emit('participantRemoved', peer.identity);
    for (const p of this.peers()) if (p.identity === peer.identity) p.close('removed');
    return peer;
  }

  // --- caucus --------------------------------------------------------------------------------

  /** Opens a private caucus with `peerIds` (one side's parties, optionally officials) and the mediators. */
  startCaucus(by: Peer, peerIds: string[]): Caucus {
    this.#assertNotPaused();
    if (this.#caucus) throw conflict('A caucus is already open; end it first');
    const members = [...new Set(peerIds)].map((id) => this.getPeer(id));
    const sides = new Set<string>();
    for (const m of members) {
      if (!m.joined || m.presence.waiting) throw conflict(`${m.info.displayName} is not in the session`);
      if (isHost(m.info.role)) throw badRequest('Mediators are always in the caucus');
      if (m.info.role === 'observer') throw badRequest('Observers cannot join a caucus');
      if (m.info.role === 'party') sides.add(m.info.side ?? 'none');
    }
    if (sides.size > 1) throw badRequest('A caucus is with one side only');
    const caucus = new Caucus(
      by.identity,
      members.map((m) => m.identity),
    );
    this.#changeVisibility(() => {
      this.#caucus = caucus;
    });
    this.#log.info('caucus started', { caucusId: caucus.id, members: members.map((m) => m.id) });
    this.emit('caucusStarted', caucus, by, [...members, ...this.joinedPeers().filter((p) => isHost(p.info.role))]);
    return caucus;
  }

  /** Everyone back to the joint session; parties coming back have their microphone paused (hot-mic guard). */
  endCaucus(by: Peer | null): void {
    if (by) this.#assertNotPaused();
    const caucus = this.#caucus;
    if (!caucus) throw conflict('No caucus is open');
    const returning = this.joinedPeers().filter((p) => p.info.role === 'party' && this.inCaucus(p));
    for (const peer of returning) this.#serverPause(peer, 'mic', 'caucus_return');
    this.#changeVisibility(() => {
      this.#caucus = null;
    });
    this.#log.info('caucus ended', { caucusId: caucus.id });
    this.emit('caucusEnded', caucus, by);
  }

  // --- mediator controls ---------------------------------------------------------------------

  /** Mic: paused on the server; camera/screen: closed. The participant is told. */
  mute(peerId: string, source: MediaSource): void {
    const peer = this.getPeer(peerId);
    this.#serverPause(peer, source, 'mediator');
  }

  askUnmute(peerId: string): void {
    const peer = this.getPeer(peerId);
    if (peer.presence.waiting) throw conflict('They are in the waiting room');
    this.emit('unmuteRequested', peer);
  }

  /** Publishing rights: `publish` for officials and observers, `share` (screen) for anyone but mediators. */
  setRights(peerId: string, rights: { publish?: boolean | undefined; share?: boolean | undefined }): void {
    const peer = this.getPeer(peerId);
    const role = peer.info.role;
    if (isHost(role)) throw badRequest("A host's rights cannot be changed");
    if (rights.publish !== undefined && role !== 'official' && role !== 'observer') {
      throw badRequest('Publishing rights apply to officials and observers');
    }
    if (rights.publish !== undefined) peer.presence.canPublish = rights.publish;
    if (rights.share !== undefined) peer.presence.canShare = rights.share;
    if (rights.publish === false) {
      for (const producer of peer.producers) {
        producer.close();
        this.emit('peerMuted', peer, producer.appData.source, 'rights_revoked');
      }
    } else if (rights.share === false) {
      const screen = peer.producerFor('screen');
      if (screen) {
        screen.close();
        this.emit('peerMuted', peer, 'screen', 'rights_revoked');
      }
    }
    this.#changed();
  }

  setHand(peerId: string, raised: boolean): void {
    const peer = this.getPeer(peerId);
    if (peer.presence.handRaised === raised) return;
    peer.presence.handRaised = raised;
    this.#changed();
  }

  /** The socket dropped (connected=false) or came back within the recovery window. */
  setConnected(peerId: string, connected: boolean): void {
    const peer = this.findPeer(peerId);
    if (!peer || peer.presence.connected === connected) return;
    peer.presence.connected = connected;
    if (this.isLead(peer)) this.#changed();
  }

  // --- chat ----------------------------------------------------------------------------------

  /**
   * Routes a chat message: to everyone `from` can see (its space: joint session or caucus),
   * or privately between a mediator and one participant. Nobody in the waiting room chats.
   */
  chat(fromPeerId: string, text: string, toPeerId?: string): ChatMessageInfo {
    const from = this.getPeer(fromPeerId);
    if (!from.joined || from.presence.waiting) throw fail('chat_not_admitted', 'Chat opens once the mediator lets you in');
    let recipients: Peer[];
    let scope: ChatMessageInfo['scope'];
    if (toPeerId !== undefined) {
      const to = this.findPeer(toPeerId);
      if (!to || !to.joined || to === from || !this.canSee(from, to)) throw notFound('Recipient');
      if (!isHost(from.info.role) && !isHost(to.info.role)) throw forbidden('Private messages are with the mediator');
      recipients = [from, to];
      scope = 'private';
    } else {
      recipients = this.joinedPeers().filter((p) => this.canSee(p, from));
      scope = this.#caucus && this.inCaucus(from) ? 'caucus' : 'all';
    }
    const message: ChatMessageInfo = {
      id: newId(),
      fromPeerId: from.id,
      fromName: from.info.displayName,
      fromRole: from.info.role,
      toPeerId: toPeerId ?? null,
      scope,
      text,
      at: new Date().toISOString(),
    };
    this.emit('chat', message, recipients, from);
    return message;
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
    const release = peer.reserveTransport(direction);
    let transport: WebRtcTransport;
    try {
      // Receive transports carry SCTP for the room channel (openChannel).
      const options = webRtcTransportOptions(this.#config, { peerId, direction }, webRtcServerOf(this.worker));
      transport = await this.router.createWebRtcTransport({ ...options, enableSctp: direction === 'recv' });
    } catch (error) {
      release();
      throw error;
    }
    try {
      await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
      if (peer.closed || this.#closed) throw new AppError('gone', 'Participant has left the room');
      release();
      peer.addTransport(transport);
    } catch (error) {
      release();
      transport.close();
      throw error;
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
    };
  }

  /**
   * channel.open: the room channel (a server-to-client data channel) on the peer's receive
   * transport. Open to a waiting peer: it carries nothing about anyone, and connecting the
   * transport while the person waits takes ICE and DTLS off the path from admission to video.
   */
  openChannel(peerId: string, transportId: string): Promise<ChannelOptions> {
    this.#assertOpen();
    return this.getPeer(peerId).openChannel(transportId, this.#channelProducerId);
  }

  /**
   * producer.create; `producerAdded` is emitted (via the peer) once it exists. A peer in the
   * waiting room may publish too: nobody sees a waiting peer (canSee), so its media stops at the
   * router until admission, and admission then costs only consume and a key frame, the
   * transport's ICE and DTLS being done while the person waited.
   */
  async produce(peerId: string, options: ProduceOptions): Promise<string> {
    this.#assertOpen();
    const peer = this.getPeer(peerId);
    if (!peer.presence.canPublish) throw forbidden('You may not publish in this session');
    if (options.source === 'screen' && !peer.presence.canShare) throw forbidden('You may not share your screen');
    const producer = await peer.produce(options);
    if (producer.kind === 'audio') {
      await this.#speakers.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    // Rights revoked while this was being created.
    if (!peer.presence.canPublish) {
      producer.close();
      throw forbidden('You may not publish now');
    }
    return producer.id;
  }

  /** Client resume of a producer; refused while the peer may not publish. */
  async resumeProducer(peerId: string, producerId: string): Promise<void> {
    const peer = this.getPeer(peerId);
    if (!peer.presence.canPublish) throw forbidden('You may not publish now');
    await peer.resumeProducer(producerId);
  }

  /** consumer.create: the producer must exist in this room, belong to someone else and be visible. */
  async consume(viewerPeerId: string, transportId: string, producerId: string): Promise<ConsumerOptions> {
    this.#assertOpen();
    const viewer = this.getPeer(viewerPeerId);
    const found = this.#findProducer(producerId);
    if (!found) throw notFound('Producer');
    const { owner, producer } = found;
    if (owner === viewer) throw badRequest('Cannot consume your own producer');
    if (viewer.presence.waiting) throw forbidden('You are in the waiting room');
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
    clearTimeout(this.#leadTimer);
    // Recorder children first: they finish their files while the transports still exist.
    void this.recording.close().catch((error: unknown) => this.#log.warn('could not close the recording', { error }));
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
      this.#syncRecording();
      if (!this.#quiet) this.emit('producerAdded', info, peer);
    };
    const onProducerClosed = (producerId: string) => {
      this.#syncRecording();
      if (!this.#quiet) this.emit('producerRemoved', producerId, peer);
    };
    const onProducerUpdated = (info: ProducerInfo) => {
      if (!this.#quiet) this.emit('producerUpdated', info, peer);
    };
    const onClosed = (reason: PeerCloseReason) => this.#onPeerClosed(peer, reason);
    const onQuality = (score: number) => {
      if (!this.#quiet) this.emit('peerQuality', peer, score);
    };
    peer.on('qualityChanged', onQuality);
    peer.on('producerAdded', onProducerAdded);
    peer.on('producerClosed', onProducerClosed);
    peer.on('producerUpdated', onProducerUpdated);
    peer.once('closed', onClosed);
    this.#detach.set(peer.id, () => {
      peer.off('producerAdded', onProducerAdded);
      peer.off('producerClosed', onProducerClosed);
      peer.off('producerUpdated', onProducerUpdated);
      peer.off('closed', onClosed);
      peer.off('qualityChanged', onQuality);
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
    this.#syncRecording();
    if (this.isLead(peer) && reason !== 'replaced' && reason !== 'removed') this.#leadLost();
    if (this.#peers.size === 0) this.emit('empty');
    else this.#changed();
  }

  // --- lead mediator -------------------------------------------------------------------------

  #leadPeer(): Peer | undefined {
    return this.peers().find((p) => this.isLead(p));
  }

  #leadLost(): void {
    if (this.#leadPeer()) return;
    this.#leadLostAt = Date.now();
    clearTimeout(this.#leadTimer);
    this.#leadTimer = setTimeout(() => this.#leadGraceEnded(), this.#leadGraceMs);
    this.#leadTimer.unref();
    this.#log.warn('lead mediator dropped; session paused', { graceMs: this.#leadGraceMs });
  }

  #leadGraceOver(): boolean {
    return this.#leadLostAt !== null && Date.now() - this.#leadLostAt >= this.#leadGraceMs;
  }

  /** Grace over: another mediator present takes the lead; otherwise the room stays paused until one comes. */
  #leadGraceEnded(): void {
    if (this.#closed || this.#leadLostAt === null) return;
    const other = this.joinedPeers().find((p) => isHost(p.info.role));
    if (other) {
      this.#setLead(other.identity);
      this.#leadReturned();
      this.#changed();
    } else {
      this.#log.warn('lead mediator did not return; the room stays paused until a mediator joins');
    }
  }

  #setLead(identity: string): void {
    if (this.#leadIdentity === identity) return;
    this.#leadIdentity = identity;
    this.emit('leadChanged', identity);
  }

  #leadReturned(): void {
    clearTimeout(this.#leadTimer);
    this.#leadTimer = undefined;
    this.#leadLostAt = null;
  }

  #assertNotPaused(): void {
    this.#assertOpen();
    if (this.paused) throw conflict('The session is paused while the mediator reconnects');
  }

  // --- visibility changes --------------------------------------------------------------------

  /**
   * Runs `change` (which moves peers between waiting room, joint session and caucus), then for
   * every pair whose visibility flipped: closes the viewer's consumers of the owner (so no media
   * crosses the new boundary) and emits `visibilityChanged`; finally `stateChanged`.
   */
  #changeVisibility(change: () => void): void {
    const peers = this.joinedPeers();
    const before = new Map<Peer, Set<Peer>>();
    for (const viewer of peers) before.set(viewer, new Set(peers.filter((o) => o !== viewer && this.canSee(viewer, o))));
    change();
    const flips: Array<[Peer, Peer, boolean]> = [];
    for (const viewer of peers) {
      const was = before.get(viewer)!;
      for (const owner of peers) {
        if (owner === viewer) continue;
        const now = this.canSee(viewer, owner);
        if (now !== was.has(owner)) flips.push([viewer, owner, now]);
      }
    }
    for (const [viewer, owner, visible] of flips) if (!visible) viewer.closeConsumersOf(owner.id);
    for (const [viewer, owner, visible] of flips) this.emit('visibilityChanged', viewer, owner, visible);
    this.#changed();
  }

  #changed(): void {
    this.#syncRecording();
    if (!this.#quiet) this.emit('stateChanged');
  }

  /**
   * What should be recorded now: while recording is on, every producer of a participant in the
   * session (not waiting) who confirmed the notice. Worked out once per turn, after a burst of changes.
   */
  #syncRecording(): void {
    if (this.#recordingDue || (this.recording.state === 'off' && this.recording.slots.length === 0)) return;
    this.#recordingDue = true;
    setImmediate(() => {
      this.#recordingDue = false;
      if (this.#closed) return;
      const wanted: RecordableProducer[] = this.joinedPeers()
        .filter((p) => !p.closed && !p.presence.waiting && this.recording.isConsented(p.identity))
        .flatMap((p) =>
          p.producers.map((producer) => ({ producer, identity: p.identity, displayName: p.info.displayName, role: p.info.role, side: p.info.side })),
        );
      this.recording.reconcile(wanted);
    });
  }

  /** Mic: pause on the server; camera or screen: close. Emits `peerMuted` when there was something to stop. */
  #serverPause(peer: Peer, source: MediaSource, reason: MuteReason): void {
    const producer = peer.producerFor(source);
    if (source === 'mic') {
      if (producer && !producer.paused) void peer.pauseProducer(producer.id).catch(() => undefined);
    } else if (producer) {
      producer.close();
    }
    this.emit('peerMuted', peer, source, reason);
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
