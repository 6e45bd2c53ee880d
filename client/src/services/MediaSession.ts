import { Device } from 'mediasoup-client';
import type { types as msTypes } from 'mediasoup-client';
import type { HandshakeAuth, MediaSource, MuteReason, PeerInfo, RequestInput, RoomStateInfo } from '@protocol/signalling.ts';
import { RequestError, SignallingClient } from './SignallingClient.ts';
import { Store } from './Store.ts';
import { takePreloadedDevice } from './devicePreload.ts';
import { markJoinPhase } from './joinPhases.ts';
import { isConsentRequired } from './recording.ts';
import { Publisher } from './media/Publisher.ts';
import { Subscriber } from './media/Subscriber.ts';
import { sameLocal, samePeers, type EndReason, type MediaNotice, type MediaSessionState } from './media/sessionState.ts';
import { isDisconnected, isTransient } from './media/transient.ts';

export interface MediaSessionOptions {
  auth: HandshakeAuth;
  /** Tracks for this session alone: it stops them when it ends. */
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

type RequestRtpCapabilities = RequestInput<'room.join'>['rtpCapabilities'];

/** How many times in a row a join that timed out or hit a server error is tried again. */
const MAX_JOIN_RETRIES = 5;

const initialState = (options: MediaSessionOptions, publisher: Publisher): MediaSessionState => ({
  status: 'idle',
  signalling: 'connecting',
  self: null,
  peers: [],
  local: publisher.local,
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
 * One participant's presence in a mediation room: signalling, joining (and joining again after a
 * drop, a restart or a move to another node), the recording notice and the mediator's commands.
 * Owns the signalling client, a Publisher (what this person sends) and a Subscriber (what they
 * receive), and the one snapshot the UI reads (getSnapshot()).
 */
export class MediaSession extends Store<MediaSessionState> {
  readonly #options: MediaSessionOptions;
  readonly #signalling: SignallingClient;
  readonly #publisher: Publisher;
  readonly #subscriber: Subscriber;
  readonly #unsubscribe: Array<() => void> = [];

  #self: PeerInfo | null = null;
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

  constructor(options: MediaSessionOptions) {
    const signalling = new SignallingClient(options.auth, options.signallingUrl ? { url: options.signallingUrl } : {});
    const { audioTrack, videoTrack, micOn, camOn, acquireTrack } = options;
    const publisher = new Publisher({ signalling, audioTrack, videoTrack, micOn, camOn, acquireTrack });
    super(initialState(options, publisher));
    this.#options = options;
    this.#signalling = signalling;
    this.#publisher = publisher;
    this.#subscriber = new Subscriber(signalling);
    this.#consentToSend = options.recordingConsent === true;
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
    if (this.#ended) return;
    if (this.#options.recordingConsent === false) {
      await this.answerRecordingConsent(false);
      return;
    }
    await this.#join();
  }

  // ---- recording ------------------------------------------------------------------------------

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

  // ---- this person's media --------------------------------------------------------------------

  async setMicEnabled(on: boolean): Promise<void> {
    if (this.#ended) return;
    await this.#publisher.setSourceEnabled('mic', on);
  }

  async setCamEnabled(on: boolean): Promise<void> {
    if (this.#ended) return;
    await this.#publisher.setSourceEnabled('webcam', on);
  }

  /** Shares the screen (evidence documents) as a third producer, source 'screen'. */
  async setScreenShare(on: boolean): Promise<void> {
    if (this.#ended) return;
    await this.#publisher.setScreenShare(on);
  }

  /** Answer to "the mediator asks you to unmute": yes unmutes, no just closes the question. */
  answerUnmute(yes: boolean): void {
    this.#emit({ unmuteRequested: false });
    if (yes) void this.setMicEnabled(true);
  }

  /** The UI reports how wide a remote video is drawn (see Subscriber.setTileSize). */
  setTileSize(peerId: string, source: MediaSource, width: number): void {
    if (this.#ended) return;
    this.#subscriber.setTileSize(peerId, source, width);
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

  // ---- leaving --------------------------------------------------------------------------------

  /** Leaves the room on purpose. */
  async leave(): Promise<void> {
    if (this.#ended) return;
    if (this.#signalling.status === 'connected' && this.#self) {
      await Promise.race([this.#signalling.request('room.leave', {}).catch(() => undefined), new Promise((resolve) => window.setTimeout(resolve, 1500))]);
    }
    this.#end('left');
  }

  /**
   * Same as leave() without waiting; for unmounts and page unloads. Media and tracks stop at once
   * (nothing is sent or kept open after this); the socket stays only until the server confirmed
   * the leave, so the room does not keep this person for a recovery window. Idempotent.
   */
  dispose(): void {
    if (this.#ended) return;
    this.#generation++;
    this.#publisher.close();
    this.#subscriber.close();
    void this.leave();
  }

  clearNotice(): void {
    this.#emit({ notice: null });
  }

  /**
   * Stats of both transports as plain objects, each tagged with `transportDirection`.
   * inbound-rtp entries also carry the `peerId`, `source` and `consumerId` they belong to.
   */
  async getStats(): Promise<Array<Record<string, unknown>>> {
    const recv = await this.#subscriber.getStats();
    const send = await this.#publisher.getStats();
    return [...recv, ...send];
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
      this.#publisher.attach(device);
      this.#publisher.setPresence(joined.state.self);
      this.#emit({ room: joined.state });
      this.#subscriber.enter(device, joined.self.id, joined.peers, joined.producers);

      await Promise.all([
        this.#subscriber.createTransport(),
        device.canProduce('audio') || device.canProduce('video') ? this.#publisher.createTransport() : undefined,
      ]);
      if (stale()) return;
      markJoinPhase('transports-created');

      // Receive first (people want to see the room), then publish what the user wants (in the
      // waiting room too: nobody sees it there, and admission finds the producers ready).
      const consumeAll = this.#subscriber.consumeAll();
      this.#joinComplete = true;
      await Promise.allSettled([consumeAll, this.#publisher.reconcile()]);
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
      if (isDisconnected(error)) {
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
    void this.#publisher.reconcile();
    void this.#subscriber.consumeAll();
  }

  // ---- notifications and connection ---------------------------------------------------------

  #listen(): void {
    const s = this.#signalling;
    const sub = this.#subscriber;
    this.#unsubscribe.push(
      this.#publisher.on('change', () => this.#emit()),
      this.#publisher.on('notice', (notice) => this.#emit({ notice })),
      this.#publisher.on('resumed', () => this.#emit({ unmuteRequested: false })),
      sub.on('change', () => this.#emit()),
      s.on('peer.joined', ({ peer }) => sub.peerJoined(peer)),
      s.on('peer.left', ({ peerId }) => sub.peerLeft(peerId)),
      s.on('producer.added', ({ producer }) => sub.producerAdded(producer)),
      s.on('producer.removed', ({ producerId }) => sub.producerRemoved(producerId)),
      s.on('producer.updated', ({ producerId, paused }) => sub.producerUpdated(producerId, paused)),
      s.on('consumer.closed', ({ consumerId }) => sub.consumerClosed(consumerId)),
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

  /** room.state changed: the publisher holds, publishes or stops as place and rights say. */
  #onRoomState(state: RoomStateInfo): void {
    const before = this.getSnapshot().room;
    this.#emit({ room: state });
    if (before?.self.place === 'lobby' && state.self.place !== 'lobby') markJoinPhase('admitted');
    this.#publisher.onPresence(state.self);
  }

  /** The server paused (mic) or closed (camera, screen) one of our producers. */
  #onSelfMuted(source: MediaSource, reason: MuteReason): void {
    this.#publisher.onServerMute(source);
    if (source === 'mic') {
      this.#emit({ notice: `muted-${reason}` as MediaNotice, unmuteRequested: false });
      return;
    }
    this.#emit({ notice: reason === 'mediator' ? 'camera-stopped' : 'muted-rights_revoked' });
  }

  /** Closes transports, producers and consumers; keeps local tracks for a rejoin. */
  #teardownMedia(): void {
    this.#generation++;
    this.#joinComplete = false;
    this.#publisher.reset();
    this.#subscriber.reset();
    this.#emit();
  }

  /** The end: children first (media, tracks), then the connection. */
  #end(reason: EndReason, error?: unknown): void {
    if (this.#ended) return;
    this.#generation++;
    this.#joinComplete = false;
    this.#ended = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#publisher.close();
    this.#subscriber.close();
    this.#signalling.close();
    const wire =
      error instanceof RequestError
        ? { code: error.code, message: error.message }
        : error instanceof Error
          ? { code: 'internal', message: error.message }
          : null;
    this.#emit({ status: 'closed', endReason: reason, error: wire, signalling: 'closed' });
  }

  /** Rebuilds the snapshot from the children, merged with a partial update. */
  #emit(patch: Partial<MediaSessionState> = {}): void {
    const previous = this.getSnapshot();
    const peers = this.#subscriber.peers();
    const status = patch.status ?? previous.status;
    this.setState({
      ...previous,
      self: this.#self,
      peers: samePeers(previous.peers, peers) ? previous.peers : peers,
      local: sameLocal(previous.local, this.#publisher.local),
      transports: sameTransports(previous.transports, { send: this.#publisher.transportState, recv: this.#subscriber.transportState }),
      screenOn: this.#publisher.screenOn,
      ...patch,
      // Back in (or gone): whatever moved the room is over.
      ...(status === 'joined' || status === 'closed' ? { movingNode: false } : {}),
    });
  }
}

function sameTransports(a: MediaSessionState['transports'], b: MediaSessionState['transports']): MediaSessionState['transports'] {
  return a.send === b.send && a.recv === b.recv ? a : b;
}
