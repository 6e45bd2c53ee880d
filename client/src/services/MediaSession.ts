import { Device } from 'mediasoup-client';
import type { types as msTypes } from 'mediasoup-client';
import type { ChatMessageInfo, CloseReason, MediaSource, MuteReason, PeerInfo, ProducerInfo, RoomStateInfo } from '@protocol/signalling.ts';
import type { HandshakeAuth, RequestInput } from '@protocol/signalling.ts';
import { RequestError, SignallingClient, type SignallingStatus } from './SignallingClient.ts';
import { Store } from './Store.ts';
import { takePreloadedDevice } from './devicePreload.ts';
import { markJoinPhase } from './joinPhases.ts';
import { preferredSpatialLayer } from './layers.ts';
import { planPublishing, type PublishAction } from './publishPlan.ts';
import { isConsentRequired, type ConsentStep } from './recording.ts';

type Transport = msTypes.Transport;
type Producer = msTypes.Producer;
type Consumer = msTypes.Consumer;
type ConnectionState = msTypes.ConnectionState;

export type MediaSessionStatus = 'idle' | 'connecting' | 'joining' | 'joined' | 'reconnecting' | 'closed';

/** Why the session ended: the server's close reason, or what happened on this side. */
export type EndReason = CloseReason | 'left' | 'refused' | 'disconnected' | 'error' | 'recording_left';

export interface RemotePeer {
  info: PeerInfo;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  /** The peer publishes a microphone / camera (paused or not). */
  hasMic: boolean;
  hasCam: boolean;
  micOn: boolean;
  camOn: boolean;
  /** Evidence shown by screen sharing, if any. */
  screenTrack: MediaStreamTrack | null;
}

export interface LocalMediaState {
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  micOn: boolean;
  camOn: boolean;
}

/** A short-lived problem the UI should mention (a device that could not be opened, etc.). */
export type MediaNotice =
  | 'mic-unavailable'
  | 'camera-unavailable'
  | 'publish-failed'
  | 'muted-mediator'
  | 'muted-caucus_return'
  | 'muted-rights_revoked'
  | 'camera-stopped'
  | 'consent-failed'
  | null;

export interface MediaSessionState {
  status: MediaSessionStatus;
  signalling: SignallingStatus;
  self: PeerInfo | null;
  peers: RemotePeer[];
  local: LocalMediaState;
  transports: { send: ConnectionState | null; recv: ConnectionState | null };
  endReason: EndReason | null;
  error: { code: string; message: string } | null;
  /** Reconnecting because the room moved to another server node (a node stopped or failed), not our network. */
  movingNode: boolean;
  notice: MediaNotice;
  /** Waiting room, caucus, lock, pause, roster (mediators), hands: as the server says. */
  room: RoomStateInfo | null;
  chat: ChatMessageInfo[];
  activeSpeaker: string | null;
  /** Upload quality of visible peers, 0..10. */
  quality: Record<string, number>;
  /** The mediator asked this participant to unmute (they decide). */
  unmuteRequested: boolean;
  /** Why the mediator ended it, for `denied`. */
  endMessage: string | null;
  screenOn: boolean;
  /** The recording notice (see recording.ts): whether it must be shown, is being answered, was confirmed here. */
  consent: ConsentStep;
}

export interface MediaSessionOptions {
  auth: HandshakeAuth;
  /** Tracks opened on the pre-join screen; the session owns them from now on. */
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  micOn: boolean;
  camOn: boolean;
  /** Opens a device later (e.g. camera switched on in the room after having none). */
  acquireTrack?: (kind: 'audio' | 'video') => Promise<MediaStreamTrack>;
  signallingUrl?: string;
  /**
   * The answer given to the recording notice on the pre-join screen: true is sent before
   * `room.join`; false is sent instead of joining (the server closes the connection).
   */
  recordingConsent?: boolean;
}

interface ConsumerEntry {
  consumer: Consumer;
  peerId: string;
  producerId: string;
  source: MediaSource;
}

const initialState = (options: MediaSessionOptions): MediaSessionState => ({
  status: 'idle',
  signalling: 'connecting',
  self: null,
  peers: [],
  local: { audioTrack: options.audioTrack, videoTrack: options.videoTrack, micOn: options.micOn, camOn: options.camOn },
  transports: { send: null, recv: null },
  endReason: null,
  error: null,
  movingNode: false,
  notice: null,
  room: null,
  chat: [],
  activeSpeaker: null,
  quality: {},
  unmuteRequested: false,
  endMessage: null,
  screenOn: false,
  consent: options.recordingConsent === true ? 'given' : 'none',
});

/**
 * One participant's presence in a mediation room: signalling, the mediasoup Device, the send and
 * receive transports, local producers and remote consumers. Plain class; the UI reads getSnapshot().
 */
export class MediaSession extends Store<MediaSessionState> {
  readonly #options: MediaSessionOptions;
  readonly #signalling: SignallingClient;
  readonly #unsubscribe: Array<() => void> = [];

  #device: Device | null = null;
  #send: Transport | null = null;
  /**
   * A produce failed inside the send transport (e.g. its first connect lost in a drop): the
   * browser's offer went ahead while mediasoup-client's answer did not ("order of m-lines in
   * answer doesn't match"), and no later produce on it can succeed. The next reconcile replaces it.
   */
  #sendBroken = false;
  /** A replaced send transport the server has not yet confirmed closing (its slot is needed). */
  #retiringSend: string | null = null;
  #recv: Transport | null = null;
  readonly #producers = new Map<MediaSource, Producer>();
  readonly #consumers = new Map<string, ConsumerEntry>();
  /** Remote producers we know of, by id (kept current by notifications). */
  readonly #remoteProducers = new Map<string, ProducerInfo>();
  /** Producer ids being consumed or consumed, so none is consumed twice. */
  readonly #consuming = new Set<string>();
  readonly #peers = new Map<string, PeerInfo>();
  /** Rendered width of remote video tiles (CSS px), by `${peerId}:${source}`, as the UI reports it. */
  readonly #tileWidths = new Map<string, number>();
  /** Spatial layer last asked of the server, by consumer id. */
  readonly #askedLayers = new Map<string, number>();

  #audioTrack: MediaStreamTrack | null;
  #videoTrack: MediaStreamTrack | null;
  #micOn: boolean;
  #camOn: boolean;
  #self: PeerInfo | null = null;
  #room: RoomStateInfo | null = null;
  #screenTrack: MediaStreamTrack | null = null;
  /** Bumped on every (re)join and teardown so stale async work can tell it is stale. */
  #generation = 0;
  /** The pre-join screen's Device was asked for (it serves the first join only). */
  #preloadTaken = false;
  /** The join of the current generation went all the way (transports created, room entered). */
  #joinComplete = false;
  /** Consecutive joins that failed for a reason worth another try (timeouts, server errors). */
  #joinFailures = 0;
  #ended = false;
  /** The confirmation of the recording notice still has to reach the server (sent before the next `room.join`). */
  #consentToSend: boolean;
  /** The confirmation was sent again after a `recording_consent_required` refusal (once per join). */
  #consentResent = false;

  // Publishing is driven by what the user wants (tracks, on/off) and reconciled with the server's
  // producers after every (re)join, recovery, admission and failed attempt (see publishPlan.ts).
  /** Sources the server stopped (mediator, rights): not published again until the user turns them on. */
  readonly #stoppedByServer = new Set<MediaSource>();
  /** Pause / resume the server has not confirmed (sent during a drop): sent again by the next reconcile. */
  readonly #unconfirmedPause = new Set<'mic' | 'webcam'>();
  #reconciling: Promise<void> | null = null;
  #reconcileAgain = false;
  #retryTimer: number | undefined;
  /** Delay before the next publishing retry; 0 while the last reconcile succeeded. */
  #retryDelayMs = 0;

  constructor(options: MediaSessionOptions) {
    super(initialState(options));
    this.#options = options;
    this.#audioTrack = options.audioTrack;
    this.#videoTrack = options.videoTrack;
    this.#micOn = options.micOn && options.audioTrack !== null;
    this.#camOn = options.camOn && options.videoTrack !== null;
    if (this.#audioTrack) this.#audioTrack.enabled = this.#micOn;
    if (this.#videoTrack) this.#videoTrack.enabled = this.#camOn;
    this.#consentToSend = options.recordingConsent === true;
    this.#signalling = new SignallingClient(options.auth, options.signallingUrl ? { url: options.signallingUrl } : {});
    this.#listen();
    this.#emit();
  }

  // ---- public API ---------------------------------------------------------------------------

  /** This socket's notifications, for what follows the call beside the media (services/caseDocuments.ts). */
  get notifications(): Pick<SignallingClient, 'on'> {
    return this.#signalling;
  }

  /** Connects and joins; resolves when joined (or when the session ended instead). */
  async start(): Promise<void> {
    if (this.#ended || this.getSnapshot().status !== 'idle') return;
    this.#emit({ status: 'connecting' });
    try {
      await this.#signalling.connect();
      markJoinPhase('socket-connected');
    } catch (error) {
      this.#end('refused', error);
      return;
    }
    if (this.#options.recordingConsent === false) {
      await this.answerRecordingConsent(false);
      return;
    }
    await this.#join();
  }

  // ---- recording (issue 11) -------------------------------------------------------------------

  /**
   * The answer to the recording notice. Yes: sent, and the join the server held back goes ahead
   * (in the room: the room carries on). No: sent, and this person leaves; the server tells the mediator.
   */
  async answerRecordingConsent(accepted: boolean): Promise<void> {
    if (this.#ended) return;
    const before = this.getSnapshot().consent;
    this.#emit({ consent: 'answering' });
    if (!accepted) {
      // The server closes the connection on a "no"; whichever comes first ends the session the same way.
      const reason = this.#declineReason();
      await this.#signalling.request('recording.consent', { accepted: false }).catch(() => undefined);
      this.#end(reason);
      return;
    }
    try {
      await this.#signalling.request('recording.consent', { accepted: true });
    } catch (error) {
      console.warn('[media] recording consent not sent', error);
      // Asked again: the notice stays up and the person can answer once more.
      this.#emit({ consent: before === 'asked' ? 'asked' : 'none', notice: 'consent-failed' });
      return;
    }
    this.#consentToSend = false;
    this.#emit({ consent: 'given' });
    if (before === 'asked') await this.#join();
  }

  /** Declined at the door (never in), or in the room (recording began mid-session: they left). */
  #declineReason(): 'recording_declined' | 'recording_left' {
    return this.#joinComplete ? 'recording_left' : 'recording_declined';
  }

  startRecording() {
    return this.#signalling.request('recording.start', {});
  }
  pauseRecording() {
    return this.#signalling.request('recording.pause', {});
  }
  resumeRecording() {
    return this.#signalling.request('recording.resume', {});
  }

  async setMicEnabled(on: boolean): Promise<void> {
    await this.#setSourceEnabled('mic', on);
  }

  async setCamEnabled(on: boolean): Promise<void> {
    await this.#setSourceEnabled('webcam', on);
  }

  // ---- mediator controls and conversation (the server checks roles and rules) ----------------

  admit(peerId: string) {
    return this.#signalling.request('lobby.admit', { peerId });
  }
  admitAll() {
    return this.#signalling.request('lobby.admitAll', {});
  }
  deny(peerId: string, reason: string) {
    return this.#signalling.request('lobby.deny', { peerId, reason });
  }
  sendBack(peerId: string) {
    return this.#signalling.request('lobby.sendBack', { peerId });
  }
  setLocked(locked: boolean) {
    return this.#signalling.request('room.setLocked', { locked });
  }
  startCaucus(peerIds: string[]) {
    return this.#signalling.request('caucus.start', { peerIds });
  }
  endCaucus() {
    return this.#signalling.request('caucus.end', {});
  }
  mutePeer(peerId: string, source: MediaSource) {
    return this.#signalling.request('participant.mute', { peerId, source });
  }
  askUnmute(peerId: string) {
    return this.#signalling.request('participant.askUnmute', { peerId });
  }
  removePeer(peerId: string) {
    return this.#signalling.request('participant.remove', { peerId });
  }
  setRights(peerId: string, rights: { publish?: boolean; share?: boolean }) {
    return this.#signalling.request('participant.setRights', { peerId, ...rights });
  }
  endForAll() {
    return this.#signalling.request('room.end', {});
  }
  sendChat(text: string, to?: string) {
    return this.#signalling.request('chat.send', to ? { text, to } : { text });
  }
  setHand(raised: boolean) {
    return this.#signalling.request('hand.set', { raised });
  }

  /**
   * The UI reports how wide a remote video is drawn; the consumer then asks the server for the
   * simulcast layer that fits (small tiles and phone viewports: the small layer).
   */
  setTileSize(peerId: string, source: MediaSource, width: number): void {
    if (this.#ended || !(width > 0)) return;
    this.#tileWidths.set(`${peerId}:${source}`, width);
    for (const [consumerId, entry] of this.#consumers) {
      if (entry.peerId === peerId && entry.source === source) void this.#applyPreferredLayer(consumerId);
    }
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

  /** Answer to "the mediator asks you to unmute": yes unmutes, no just closes the question. */
  answerUnmute(yes: boolean): void {
    this.#emit({ unmuteRequested: false });
    if (yes) void this.setMicEnabled(true);
  }

  /** Shares the screen (evidence documents) as a third producer, source 'screen'. */
  async setScreenShare(on: boolean): Promise<void> {
    if (!on) {
      this.#stopScreen();
      return;
    }
    if (!this.#send || this.#screenTrack) return;
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      track = stream.getVideoTracks()[0];
    } catch (error) {
      console.warn('[media] screen share failed', error);
      this.#emit({ notice: 'publish-failed' });
      return;
    }
    if (!track) return;
    if (this.#ended) {
      track.stop();
      return;
    }
    const shared = track;
    this.#screenTrack = shared;
    shared.addEventListener('ended', () => {
      if (this.#screenTrack === shared) this.#stopScreen();
    });
    this.#emit({ screenOn: true });
    await this.#reconcile();
  }

  #stopScreen(): void {
    const producer = this.#producers.get('screen');
    this.#producers.delete('screen');
    if (producer && !producer.closed) {
      producer.close();
      void this.#signalling.request('producer.close', { producerId: producer.id }).catch(() => undefined);
    }
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    this.#emit({ screenOn: false });
  }

  /** Leaves the room on purpose. */
  async leave(): Promise<void> {
    if (this.#ended) return;
    if (this.#signalling.status === 'connected' && this.#self) {
      await Promise.race([this.#signalling.request('room.leave', {}).catch(() => undefined), new Promise((resolve) => window.setTimeout(resolve, 1500))]);
    }
    this.#end('left');
  }

  /** Same as leave() without waiting; for unmounts and page unloads. */
  dispose(): void {
    if (this.#ended) return;
    void this.leave();
  }

  clearNotice(): void {
    this.#emit({ notice: null });
  }

  /**
   * Stats of both transports as plain objects, each tagged with `transportDirection`.
   * inbound-rtp entries also carry the `peerId`, `source` and `consumerId` they belong to;
   * mediasoup-client's bandwidth "probator" receiver (padding only, never decodes) is left out.
   */
  async getStats(): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    const byMid = new Map<string, { peerId: string; source: MediaSource; consumerId: string }>();
    for (const [consumerId, entry] of this.#consumers) {
      const mid = entry.consumer.rtpParameters.mid;
      if (mid) byMid.set(mid, { peerId: entry.peerId, source: entry.source, consumerId });
    }
    const pairs: Array<['recv' | 'send', Transport | null]> = [
      ['recv', this.#recv],
      ['send', this.#send],
    ];
    for (const [direction, transport] of pairs) {
      if (!transport || transport.closed) continue;
      const report = await transport.getStats();
      report.forEach((stat: unknown) => {
        const plain = JSON.parse(JSON.stringify(stat)) as Record<string, unknown>;
        if (plain['type'] === 'inbound-rtp') {
          const mid = typeof plain['mid'] === 'string' ? plain['mid'] : undefined;
          if (mid === 'probator') return;
          const owner = mid === undefined ? undefined : byMid.get(mid);
          if (owner) Object.assign(plain, owner);
        }
        plain['transportDirection'] = direction;
        out.push(plain);
      });
    }
    return out;
  }

  // ---- joining ------------------------------------------------------------------------------

  async #join(): Promise<void> {
    const generation = ++this.#generation;
    const stale = () => generation !== this.#generation || this.#ended;
    this.#emit({ status: 'joining', error: null });
    try {
      // The first join uses the Device the pre-join screen loaded, if it did; rejoins (maybe in
      // another node's room) load their own.
      const preloaded = this.#preloadTaken ? null : await takePreloadedDevice();
      this.#preloadTaken = true;
      if (stale()) return;
      const device = preloaded?.device ?? (await this.#loadDevice());
      if (stale()) return;
      this.#device = device;

      if (this.#consentToSend) {
        await this.#signalling.request('recording.consent', { accepted: true });
        this.#consentToSend = false;
        if (stale()) return;
      }
      const joined = await this.#signalling.request('room.join', {
        rtpCapabilities: device.recvRtpCapabilities as unknown as RequestRtpCapabilities,
      });
      if (stale()) return;
      if (preloaded && joined.capabilitiesId !== preloaded.capabilitiesId) {
        // This room's codecs differ from what the page loaded (a node of another version): start over.
        this.#restartSession();
        return;
      }
      markJoinPhase('join-answered');
      this.#self = joined.self;
      this.#room = joined.state;
      this.#emit({ room: joined.state });
      for (const peer of joined.peers) if (peer.id !== joined.self.id) this.#peers.set(peer.id, peer);
      for (const producer of joined.producers) {
        if (producer.peerId !== joined.self.id) this.#remoteProducers.set(producer.id, producer);
      }
      this.#emit();

      await Promise.all([
        this.#createRecvTransport(generation),
        device.canProduce('audio') || device.canProduce('video') ? this.#createSendTransport(generation) : undefined,
      ]);
      if (stale()) return;
      markJoinPhase('transports-created');

      // Receive first (people want to see the room), then publish what the user wants (in the
      // waiting room too: nobody sees it there, and admission finds the producers ready).
      const consumeAll = [...this.#remoteProducers.values()].map((p) => this.#consume(p, generation));
      this.#joinComplete = true;
      await Promise.allSettled([...consumeAll, this.#reconcile()]);
      if (stale()) return;
      this.#joinFailures = 0;
      this.#consentResent = false;
      // A drop during the join: the reconnection handler takes over once the socket is back.
      this.#emit({ status: this.#signalling.status === 'connected' ? 'joined' : 'reconnecting' });
    } catch (error) {
      if (stale()) return;
      console.error('[media] join failed', error);
      if (isConsentRequired(error)) {
        // Recording was turned on after the pre-join screen (or never confirmed): a person who
        // already said yes in this tab is not asked twice; anyone else sees the notice first.
        if (this.getSnapshot().consent === 'given' && !this.#consentResent) {
          this.#consentResent = true;
          this.#consentToSend = true;
          void this.#join();
          return;
        }
        this.#emit({ consent: 'asked' });
        return;
      }
      if (error instanceof RequestError && error.code === 'disconnected') {
        // The socket dropped mid-join; the reconnect handler will join again.
        this.#emit({ status: 'reconnecting' });
        return;
      }
      // Lost answers and server hiccups: start over with a fresh connection, a few times.
      if (isTransient(error) && ++this.#joinFailures <= MAX_JOIN_RETRIES) {
        window.setTimeout(() => {
          if (generation === this.#generation && !this.#ended) this.#restartSession();
        }, 1000 * this.#joinFailures);
        this.#emit({ status: 'reconnecting' });
        return;
      }
      // A refusal by the server (session ended, not allowed, …) is explained as such; anything else is an error.
      const refused = error instanceof RequestError && !isTransient(error);
      this.#end(refused ? 'refused' : 'error', error);
    }
  }

  /** A Device loaded with this room's router capabilities. */
  async #loadDevice(): Promise<Device> {
    const [{ rtpCapabilities }, device] = await Promise.all([this.#signalling.request('room.getRouterRtpCapabilities', {}), Device.factory()]);
    await device.load({ routerRtpCapabilities: rtpCapabilities as unknown as msTypes.RtpCapabilities });
    return device;
  }

  /**
   * Starts over with a fresh server-side peer: the server is asked to drop this connection
   * (room.leave), and the next handshake joins again as the same person.
   */
  #restartSession(): void {
    this.#teardownMedia();
    this.#emit({ status: 'reconnecting' });
    this.#signalling.expectReconnect();
    if (this.#signalling.status === 'connected') void this.#signalling.request('room.leave', {}).catch(() => undefined);
  }

  /** The socket is back: resume the same peer (recovered) or join again as the same person. */
  #afterReconnect(): void {
    if (!this.#signalling.recovered) {
      this.#teardownMedia();
      this.#emit({ status: 'reconnecting' });
      void this.#join();
      return;
    }
    if (!this.#joinComplete) {
      // Recovered in the middle of a join: some answers may be lost for good.
      this.#restartSession();
      return;
    }
    // Same session resumed; missed notifications were replayed. What we publish is checked
    // against the server (a producer may have been closed, or a request lost, meanwhile), and
    // what we receive too (a consumer whose answer was lost is asked for again).
    if (this.getSnapshot().status !== 'joined') this.#emit({ status: 'joined' });
    void this.#reconcile();
    for (const producer of this.#remoteProducers.values()) void this.#consume(producer, this.#generation);
  }

  // The server's transport options go to mediasoup-client whole: with TURN configured they carry
  // `iceServers` (credentials minted for this participant), which it hands to RTCPeerConnection.
  async #createRecvTransport(generation: number): Promise<void> {
    const options = await this.#signalling.request('transport.create', { direction: 'recv' });
    if (generation !== this.#generation || !this.#device) return;
    const transport = this.#device.createRecvTransport(options as unknown as msTypes.TransportOptions);
    this.#wireTransport(transport, 'recv');
    this.#recv = transport;
    void this.#openChannel(transport, generation);
  }

  /**
   * The room channel: consuming it connects the receive transport now, in the waiting room,
   * instead of at the first consume after admission. Only a head start: without it the first
   * consume connects the transport as usual.
   */
  async #openChannel(transport: Transport, generation: number): Promise<void> {
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

  async #createSendTransport(generation: number): Promise<void> {
    const options = await this.#signalling.request('transport.create', { direction: 'send' });
    if (generation !== this.#generation || !this.#device) return;
    const transport = this.#device.createSendTransport(options as unknown as msTypes.TransportOptions);
    this.#wireTransport(transport, 'send');
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = appData['source'] as MediaSource;
      this.#signalling
        .request('producer.create', {
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as unknown as RequestRtpParameters,
          source,
        })
        .then(({ producerId }) => callback({ id: producerId }))
        .catch((error: Error) => errback(error));
    });
    this.#send = transport;
  }

  #wireTransport(transport: Transport, direction: 'send' | 'recv'): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signalling
        .request('transport.connect', {
          transportId: transport.id,
          dtlsParameters: dtlsParameters as unknown as RequestDtlsParameters,
        })
        .then(() => callback())
        .catch((error: Error) => errback(error));
    });
    transport.on('connectionstatechange', (state) => {
      if (transport.closed) return;
      this.#emit({ transports: { ...this.getSnapshot().transports, [direction]: state } });
      if (state === 'failed') void this.#restartIce(transport);
      if (state === 'connected') markJoinPhase(direction === 'send' ? 'send-connected' : 'recv-connected');
    });
    this.#emit({ transports: { ...this.getSnapshot().transports, [direction]: transport.connectionState } });
  }

  async #restartIce(transport: Transport): Promise<void> {
    try {
      const { iceParameters } = await this.#signalling.request('transport.restartIce', { transportId: transport.id });
      if (!transport.closed) await transport.restartIce({ iceParameters: iceParameters as unknown as msTypes.IceParameters });
    } catch (error) {
      console.warn('[media] ICE restart failed', error);
    }
  }

  // ---- publishing ---------------------------------------------------------------------------

  /**
   * Publishing starts in the waiting room: the server keeps a waiting person's media to itself,
   * and admission then finds the send transport connected and the producers ready.
   */
  #mayPublish(): boolean {
    return this.#room?.self.canPublish ?? false;
  }

  /** room.state changed: start publishing when allowed, stop when rights are revoked. */
  #onRoomState(state: RoomStateInfo): void {
    const before = this.#room;
    this.#room = state;
    this.#emit({ room: state });
    if (before?.self.place === 'lobby' && state.self.place !== 'lobby') markJoinPhase('admitted');
    if ((before?.self.place === 'lobby') !== (state.self.place === 'lobby') && before !== null) {
      for (const producer of this.#producers.values()) void this.#hold(producer, state.self.place === 'lobby');
    }
    const wasAllowed = before !== null && before.self.canPublish;
    if (this.#mayPublish() === wasAllowed) return;
    if (!this.#mayPublish()) {
      // Rights revoked: the server closed our producers; nothing leaves the device.
      for (const [source, producer] of this.#producers) {
        if (!producer.closed) producer.close();
        this.#producers.delete(source);
      }
      if (this.#screenTrack) this.#stopScreen();
      this.#emit();
    }
    void this.#reconcile();
  }

  /** The server paused (mic) or closed (camera, screen) one of our producers. */
  #onSelfMuted(source: MediaSource, reason: MuteReason): void {
    if (source === 'mic') {
      this.#micOn = false;
      if (this.#audioTrack) this.#audioTrack.enabled = false;
      const producer = this.#producers.get('mic');
      if (producer && !producer.closed) producer.pause();
      this.#emit({ notice: `muted-${reason}` as MediaNotice, unmuteRequested: false });
      return;
    }
    const producer = this.#producers.get(source);
    this.#producers.delete(source);
    if (producer && !producer.closed) producer.close();
    if (source === 'screen') {
      this.#screenTrack?.stop();
      this.#screenTrack = null;
      this.#emit({ screenOn: false, notice: reason === 'mediator' ? 'camera-stopped' : 'muted-rights_revoked' });
      return;
    }
    this.#camOn = false;
    this.#stoppedByServer.add('webcam');
    if (this.#videoTrack) this.#videoTrack.enabled = false;
    this.#emit({ notice: reason === 'mediator' ? 'camera-stopped' : 'muted-rights_revoked' });
  }

  /** Makes the producers match what the user wants; serialised, re-run when asked again meanwhile. */
  #reconcile(): Promise<void> {
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return this.#reconciling;
    }
    const run = (async () => {
      do {
        this.#reconcileAgain = false;
        await this.#reconcileOnce();
      } while (this.#reconcileAgain && !this.#ended);
    })().finally(() => {
      this.#reconciling = null;
    });
    this.#reconciling = run;
    return run;
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#sendBroken || this.#retiringSend !== null) {
      try {
        if (!(await this.#replaceSendTransport())) return;
      } catch (error) {
        this.#publishFailed(error, null);
        return;
      }
    }
    const generation = this.#generation;
    const transport = this.#send;
    if (this.#ended || !transport || transport.closed || !this.#device || this.#signalling.status !== 'connected') return;
    const stale = () => generation !== this.#generation || this.#ended || transport.closed;
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    let producing: MediaSource | null = null;
    try {
      const { producers } = await this.#signalling.request('producer.list', {});
      if (stale()) return;
      const local: Partial<Record<MediaSource, string>> = {};
      for (const [source, producer] of this.#producers) {
        if (producer.closed) this.#producers.delete(source);
        else local[source] = producer.id;
      }
      const actions = planPublishing({ allowed: this.#mayPublish(), wanted: this.#wanted(), local, server: producers });
      for (const action of actions) {
        if (stale()) return;
        producing = action.type === 'produce' ? action.source : null;
        await this.#applyPublishAction(action, generation);
      }
      producing = null;
      await this.#confirmPauses();
      this.#retryDelayMs = 0;
    } catch (error) {
      if (stale()) return;
      // Refused by the server: the transport is fine. Anything else may have left it half-way.
      if (producing !== null && isTransient(error)) this.#sendBroken = true;
      this.#publishFailed(error, producing);
    }
  }

  /** Closes the broken send transport (here and on the server) and makes a new one; false if not now. */
  async #replaceSendTransport(): Promise<boolean> {
    const generation = this.#generation;
    if (this.#ended || !this.#device || this.#signalling.status !== 'connected') return false;
    const old = this.#send;
    if (old) {
      // Its producers fire 'transportclose' and leave #producers; the plan publishes them again.
      if (!old.closed) old.close();
      this.#send = null;
      this.#retiringSend = old.id;
      this.#emit({ transports: { ...this.getSnapshot().transports, send: null } });
    }
    this.#sendBroken = false;
    if (this.#retiringSend !== null) {
      await this.#signalling.request('transport.close', { transportId: this.#retiringSend }).catch((error: unknown) => {
        if (!(error instanceof RequestError && error.code === 'not_found')) throw error;
      });
      this.#retiringSend = null;
    }
    if (generation !== this.#generation) return false;
    await this.#createSendTransport(generation);
    return generation === this.#generation && this.#send !== null;
  }

  /** What the user wants on the wire now: a live track per source (switched-off ones go paused). */
  #wanted(): Record<MediaSource, boolean> {
    const live = (track: MediaStreamTrack | null) => track !== null && track.readyState !== 'ended';
    const device = this.#device;
    return {
      mic: live(this.#audioTrack) && device !== null && device.canProduce('audio') && !this.#stoppedByServer.has('mic'),
      webcam: live(this.#videoTrack) && device !== null && device.canProduce('video') && !this.#stoppedByServer.has('webcam'),
      screen: live(this.#screenTrack) && device !== null && device.canProduce('video'),
    };
  }

  async #applyPublishAction(action: PublishAction, generation: number): Promise<void> {
    switch (action.type) {
      case 'dropLocal': {
        const producer = this.#producers.get(action.source);
        this.#producers.delete(action.source);
        if (producer && !producer.closed) producer.close();
        this.#emit();
        return;
      }
      case 'closeOnServer':
        await this.#signalling.request('producer.close', { producerId: action.producerId }).catch((error: unknown) => {
          // Already gone is what we wanted.
          if (!(error instanceof RequestError && (error.code === 'not_found' || error.code === 'gone'))) throw error;
        });
        return;
      case 'produce':
        await this.#produce(action.source, generation);
        return;
    }
  }

  async #produce(source: MediaSource, generation: number): Promise<void> {
    const transport = this.#send;
    const device = this.#device;
    const track = source === 'mic' ? this.#audioTrack : source === 'webcam' ? this.#videoTrack : this.#screenTrack;
    if (!transport || !device || !track || track.readyState === 'ended') return;
    // stopTracks: false everywhere: the tracks outlive producers (re-published after a rejoin).
    const options: msTypes.ProducerOptions =
      source === 'mic'
        ? { track, stopTracks: false, codecOptions: { opusDtx: true, opusFec: true }, appData: { source } }
        : source === 'webcam'
          ? { track, stopTracks: false, ...videoProduceOptions(device), appData: { source } }
          : { track, stopTracks: false, appData: { source } };
    const producer = await transport.produce(options);
    if (generation !== this.#generation || transport.closed) {
      producer.close();
      return;
    }
    this.#producers.set(source, producer);
    producer.on('transportclose', () => {
      if (this.#producers.get(source) === producer) this.#producers.delete(source);
    });
    producer.on('trackended', () => {
      if (source === 'screen') {
        this.#stopScreen();
        return;
      }
      // The device was unplugged or the OS took it away.
      void this.#setSourceEnabled(source, false);
      this.#emit({ notice: source === 'mic' ? 'mic-unavailable' : 'camera-unavailable' });
    });
    if (source !== 'screen' && !(source === 'mic' ? this.#micOn : this.#camOn)) {
      producer.pause();
      this.#unconfirmedPause.add(source);
    }
    if (this.#inLobby()) void this.#hold(producer, true);
    this.#emit();
  }

  #inLobby(): boolean {
    return this.#room?.self.place === 'lobby';
  }

  /**
   * In the waiting room the producers exist (the transport connected, ready for admission) but
   * their encodings are off: nothing leaves the device, no mobile data is spent while waiting.
   * Independent of mute (the user's choice, told to the server): this is local only.
   */
  async #hold(producer: msTypes.Producer, hold: boolean): Promise<void> {
    // On the RTCRtpSender itself: no SDP negotiation (mediasoup-client's setRtpEncodingParameters
    // renegotiates), so releasing on admission does not queue behind or delay the receiving side.
    const sender = producer.rtpSender;
    if (producer.closed || !sender) return;
    try {
      const parameters = sender.getParameters();
      parameters.encodings = parameters.encodings.map((encoding) => ({ ...encoding, active: !hold }));
      await sender.setParameters(parameters);
    } catch (error) {
      if (!producer.closed) console.warn('[media] could not', hold ? 'hold' : 'release', producer.appData['source'], error);
    }
  }

  /** Sends the pause / resume the server has not confirmed yet. */
  async #confirmPauses(): Promise<void> {
    for (const source of [...this.#unconfirmedPause]) {
      const producer = this.#producers.get(source);
      if (!producer || producer.closed) {
        this.#unconfirmedPause.delete(source);
        continue;
      }
      const on = source === 'mic' ? this.#micOn : this.#camOn;
      try {
        await this.#signalling.request(on ? 'producer.resume' : 'producer.pause', { producerId: producer.id });
      } catch (error) {
        if (isTransient(error)) throw error;
        console.warn(`[media] ${on ? 'resume' : 'pause'} of ${source} refused`, error);
      }
      this.#unconfirmedPause.delete(source);
    }
  }

  /** Publishing failed: say so once, and try again (soon, then less often) unless the server refused. */
  #publishFailed(error: unknown, source: MediaSource | null): void {
    console.warn(`[media] publishing ${source ?? ''} failed`, error);
    if (error instanceof RequestError && error.code === 'disconnected') return; // the reconnection reconciles
    if (!isTransient(error)) {
      // Refused (not allowed now): a room.state change reconciles again. A refused screen share just stops.
      if (source === 'screen') this.#stopScreen();
      this.#emit({ notice: 'publish-failed' });
      return;
    }
    if (this.#retryDelayMs === 0) this.#emit({ notice: 'publish-failed' });
    this.#retryDelayMs = Math.min(10_000, Math.max(1000, this.#retryDelayMs * 2));
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#reconcile();
    }, this.#retryDelayMs);
  }

  async #setSourceEnabled(source: 'mic' | 'webcam', on: boolean): Promise<void> {
    if (this.#ended) return;
    const isMic = source === 'mic';
    let track = isMic ? this.#audioTrack : this.#videoTrack;

    if (on && (!track || track.readyState === 'ended')) {
      if (!this.#options.acquireTrack) return;
      try {
        track = await this.#options.acquireTrack(isMic ? 'audio' : 'video');
      } catch (error) {
        console.warn(`[media] could not open ${source}`, error);
        this.#emit({ notice: isMic ? 'mic-unavailable' : 'camera-unavailable' });
        return;
      }
      const old = this.#producers.get(source);
      if (isMic) this.#audioTrack = track;
      else this.#videoTrack = track;
      if (old) await old.replaceTrack({ track }).catch(() => undefined);
    }

    if (isMic) this.#micOn = on;
    else this.#camOn = on;
    if (track) track.enabled = on;
    this.#emit();

    const producer = this.#producers.get(source);
    if (!producer || producer.closed) {
      if (on) {
        this.#stoppedByServer.delete(source);
        await this.#reconcile();
      }
      return;
    }
    // Local pause first: from this moment no media leaves the device.
    if (on) producer.resume();
    else producer.pause();
    this.#unconfirmedPause.add(source);
    try {
      await this.#signalling.request(on ? 'producer.resume' : 'producer.pause', { producerId: producer.id });
      if (on) this.#emit({ unmuteRequested: false });
      this.#unconfirmedPause.delete(source);
    } catch (error) {
      console.warn(`[media] ${on ? 'resume' : 'pause'} of ${source} not confirmed by the server`, error);
      // Lost in a drop: the next reconcile sends it again. Refused: nothing to send again.
      if (!isTransient(error)) this.#unconfirmedPause.delete(source);
    }
  }

  // ---- receiving ----------------------------------------------------------------------------

  async #consume(producer: ProducerInfo, generation: number): Promise<void> {
    const transport = this.#recv;
    if (!transport || !this.#device || this.#consuming.has(producer.id)) return;
    if (producer.peerId === this.#self?.id) return;
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
      consumer.on('transportclose', () => this.#dropConsumer(consumer.id));
      consumer.on('trackended', () => this.#dropConsumer(consumer.id));
      await this.#signalling.request('consumer.resume', { consumerId: consumer.id });
      if (consumer.kind === 'video') markJoinPhase('consumer-resumed');
      void this.#applyPreferredLayer(consumer.id);
      this.#emit();
    } catch (error) {
      // A consumer never resumed would stay paused: drop it, the next attempt makes a new one.
      if (created) this.#dropConsumer(created);
      this.#consuming.delete(producer.id);
      if (generation !== this.#generation) return;
      console.warn('[media] consume failed', producer, error);
      // A lost answer or a server hiccup: try again. A drop: the reconnection consumes again.
      if (isTransient(error) && !(error instanceof RequestError && error.code === 'disconnected')) {
        window.setTimeout(() => {
          const still = this.#remoteProducers.get(producer.id);
          if (still && generation === this.#generation && !this.#ended) void this.#consume(still, generation);
        }, 1000);
      }
    }
  }

  // On admission several consumer.create go out at once. Their consumers are set up together once
  // all are answered: mediasoup-client batches consume() calls made in one tick into one SDP
  // negotiation, so video need not wait for audio's. A late answer holds the others ≤ 300 ms.
  #creating = 0;
  #whenAllAnswered: Array<() => void> = [];

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

  #dropConsumer(consumerId: string): void {
    const entry = this.#consumers.get(consumerId);
    if (!entry) return;
    this.#consumers.delete(consumerId);
    this.#askedLayers.delete(consumerId);
    this.#consuming.delete(entry.producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.#emit();
  }

  #dropProducer(producerId: string): void {
    this.#remoteProducers.delete(producerId);
    for (const [id, entry] of this.#consumers) if (entry.producerId === producerId) this.#dropConsumer(id);
    this.#consuming.delete(producerId);
    this.#emit();
  }

  // ---- notifications and connection ---------------------------------------------------------

  #listen(): void {
    const s = this.#signalling;
    this.#unsubscribe.push(
      s.on('peer.joined', ({ peer }) => {
        if (peer.id === this.#self?.id) return;
        this.#peers.set(peer.id, peer);
        this.#emit();
      }),
      s.on('peer.left', ({ peerId }) => {
        this.#peers.delete(peerId);
        for (const [id, p] of this.#remoteProducers) if (p.peerId === peerId) this.#dropProducer(id);
        this.#emit();
      }),
      s.on('producer.added', ({ producer }) => {
        if (producer.peerId === this.#self?.id) return;
        this.#remoteProducers.set(producer.id, producer);
        this.#emit();
        void this.#consume(producer, this.#generation);
      }),
      s.on('producer.removed', ({ producerId }) => this.#dropProducer(producerId)),
      s.on('producer.updated', ({ producerId, paused }) => {
        const known = this.#remoteProducers.get(producerId);
        if (!known) return;
        this.#remoteProducers.set(producerId, { ...known, paused });
        this.#emit();
      }),
      s.on('consumer.closed', ({ consumerId }) => this.#dropConsumer(consumerId)),
      s.on('room.state', (state) => this.#onRoomState(state)),
      s.on('self.muted', ({ source, reason }) => this.#onSelfMuted(source, reason)),
      s.on('self.unmuteRequested', () => this.#emit({ unmuteRequested: true })),
      s.on('chat.message', ({ message }) => {
        const chat = this.getSnapshot().chat;
        if (!chat.some((m) => m.id === message.id)) this.#emit({ chat: [...chat, message].slice(-200) });
      }),
      s.on('speaker.active', ({ peerId }) => this.#emit({ activeSpeaker: peerId })),
      s.on('peer.quality', ({ peerId, score }) => this.#emit({ quality: { ...this.getSnapshot().quality, [peerId]: score } })),
      s.on('room.closed', ({ reason, message }) => {
        if (reason === 'reconnect') {
          // Our peer is gone on the server (restart, or the room moves to another node): a fresh handshake, then a full rejoin.
          this.#signalling.expectReconnect();
          this.#teardownMedia();
          this.#emit({ status: 'reconnecting', movingNode: true });
        } else if (reason === 'media_server_restarted') {
          this.#teardownMedia();
          this.#emit({ status: 'reconnecting' });
          void this.#join();
        } else {
          if (message) this.#emit({ endMessage: message });
          this.#end(reason === 'recording_declined' ? this.#declineReason() : reason);
        }
      }),
      s.onStatus((status, error) => {
        if (this.#ended) return;
        this.#emit({ signalling: status });
        const current = this.getSnapshot().status;
        if (status === 'reconnecting' && current !== 'connecting') {
          // Media keeps flowing meanwhile: the server keeps our peer for a short recovery window.
          if (current !== 'reconnecting') this.#emit({ status: 'reconnecting' });
          // Sent to another node: the room is moving there, our network is fine.
          if (error?.code === 'wrong_node' && !this.getSnapshot().movingNode) this.#emit({ movingNode: true });
        } else if (status === 'connected' && current !== 'connecting' && current !== 'idle') {
          this.#afterReconnect();
        } else if (status === 'failed' && current !== 'connecting') {
          this.#end('refused', error);
        } else if (status === 'closed') {
          this.#end('disconnected');
        }
      }),
    );
  }

  /** Closes transports, producers and consumers; keeps local tracks for a rejoin. */
  #teardownMedia(): void {
    this.#generation++;
    this.#joinComplete = false;
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#retryDelayMs = 0;
    this.#unconfirmedPause.clear();
    for (const producer of this.#producers.values()) if (!producer.closed) producer.close();
    this.#producers.clear();
    for (const { consumer } of this.#consumers.values()) if (!consumer.closed) consumer.close();
    this.#consumers.clear();
    this.#askedLayers.clear();
    this.#consuming.clear();
    this.#remoteProducers.clear();
    this.#peers.clear();
    if (this.#send && !this.#send.closed) this.#send.close();
    if (this.#recv && !this.#recv.closed) this.#recv.close();
    this.#send = null;
    this.#sendBroken = false;
    // A fresh peer comes with fresh transports: nothing of the old one's to close.
    this.#retiringSend = null;
    this.#recv = null;
    this.#device = null;
    this.#emit({ transports: { send: null, recv: null } });
  }

  #end(reason: EndReason, error?: unknown): void {
    if (this.#ended) return;
    this.#teardownMedia();
    this.#ended = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#signalling.close();
    this.#audioTrack?.stop();
    this.#videoTrack?.stop();
    const wire =
      error instanceof RequestError
        ? { code: error.code, message: error.message }
        : error instanceof Error
          ? { code: 'internal', message: error.message }
          : null;
    this.#emit({ status: 'closed', endReason: reason, error: wire, signalling: 'closed' });
  }

  /** Rebuilds the snapshot from the internal maps, merged with a partial update. */
  #emit(patch: Partial<MediaSessionState> = {}): void {
    const previous = this.getSnapshot();
    const peers: RemotePeer[] = [...this.#peers.values()].map((info) => {
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
    const status = patch.status ?? previous.status;
    this.setState({
      ...previous,
      self: this.#self,
      peers: samePeers(previous.peers, peers) ? previous.peers : peers,
      local: sameLocal(previous.local, {
        audioTrack: this.#audioTrack,
        videoTrack: this.#videoTrack,
        micOn: this.#micOn,
        camOn: this.#camOn,
      }),
      ...patch,
      // Back in (or gone): whatever moved the room is over.
      ...(status === 'joined' || status === 'closed' ? { movingNode: false } : {}),
    });
  }
}

/** How many times in a row a join that timed out or hit a server error is tried again. */
const MAX_JOIN_RETRIES = 5;

/** Worth another try: lost answers, dropped sockets, server hiccups, a conflict that the next plan resolves. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof RequestError)) return true;
  return error.code === 'timeout' || error.code === 'disconnected' || error.code === 'internal' || error.code === 'unavailable' || error.code === 'conflict';
}

type RequestRtpParameters = RequestInput<'producer.create'>['rtpParameters'];
type RequestDtlsParameters = RequestInput<'transport.connect'>['dtlsParameters'];
type RequestRtpCapabilities = RequestInput<'room.join'>['rtpCapabilities'];

function videoProduceOptions(device: Device): Partial<msTypes.ProducerOptions> {
  const vp8 = device.sendRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
  if (!vp8) return {};
  return {
    codec: vp8,
    // Two simulcast layers: a small one for phones on weak networks, the full one for desktops.
    encodings: [
      { rid: 'r0', scaleResolutionDownBy: 2, maxBitrate: 250_000, scalabilityMode: 'L1T3' },
      { rid: 'r1', scaleResolutionDownBy: 1, maxBitrate: 1_000_000, scalabilityMode: 'L1T3' },
    ],
    codecOptions: { videoGoogleStartBitrate: 800 },
  };
}

function samePeers(a: RemotePeer[], b: RemotePeer[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((p, i) => {
    const q = b[i]!;
    return (
      p.info === q.info &&
      p.audioTrack === q.audioTrack &&
      p.videoTrack === q.videoTrack &&
      p.hasMic === q.hasMic &&
      p.hasCam === q.hasCam &&
      p.micOn === q.micOn &&
      p.camOn === q.camOn &&
      p.screenTrack === q.screenTrack
    );
  });
}

function sameLocal(a: LocalMediaState, b: LocalMediaState): LocalMediaState {
  return a.audioTrack === b.audioTrack && a.videoTrack === b.videoTrack && a.micOn === b.micOn && a.camOn === b.camOn ? a : b;
}
