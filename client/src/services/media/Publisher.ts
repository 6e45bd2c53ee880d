import type { Device, types as msTypes } from 'mediasoup-client';
import type { MediaSource, RequestInput, RoomStateInfo } from '@protocol/signalling.ts';
import { RequestError, type SignallingClient } from '../SignallingClient.ts';
import { planPublishing, type PublishAction } from '../publishPlan.ts';
import { Emitter } from './Emitter.ts';
import type { LocalMediaState, MediaNotice } from './sessionState.ts';
import { isDisconnected, isTransient } from './transient.ts';
import { transportStats, wireTransport } from './transport.ts';

type RequestRtpParameters = RequestInput<'producer.create'>['rtpParameters'];
type Presence = RoomStateInfo['self'];

export interface PublisherOptions {
  signalling: SignallingClient;
  /** Tracks this publisher owns from now on (stopped by close()). */
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  micOn: boolean;
  camOn: boolean;
  /** Opens a device later (e.g. camera switched on in the room after having none). */
  acquireTrack?: ((kind: 'audio' | 'video') => Promise<MediaStreamTrack>) | undefined;
}

export interface PublisherEvents extends Record<string, unknown[]> {
  /** Tracks, on/off, screen share, producers or the transport's state changed. */
  change: [];
  notice: [MediaNotice];
  /** The server confirmed a source switched on (an open "please unmute" question is answered). */
  resumed: [];
}

/**
 * This participant's media on the wire: the send transport, the local tracks and their producers
 * (simulcast camera, microphone, screen share). What the user wants is reconciled with the
 * server's producers after every (re)join, recovery, admission and failed attempt (publishPlan.ts).
 */
export class Publisher extends Emitter<PublisherEvents> {
  readonly #signalling: SignallingClient;
  readonly #acquireTrack: PublisherOptions['acquireTrack'];

  #device: Device | null = null;
  #send: msTypes.Transport | null = null;
  #sendState: msTypes.ConnectionState | null = null;
  /**
   * A produce failed inside the send transport (e.g. its first connect lost in a drop): the
   * browser's offer went ahead while mediasoup-client's answer did not ("order of m-lines in
   * answer doesn't match"), and no later produce on it can succeed. The next reconcile replaces it.
   */
  #sendBroken = false;
  /** A replaced send transport the server has not yet confirmed closing (its slot is needed). */
  #retiringSend: string | null = null;
  readonly #producers = new Map<MediaSource, msTypes.Producer>();

  #audioTrack: MediaStreamTrack | null;
  #videoTrack: MediaStreamTrack | null;
  #micOn: boolean;
  #camOn: boolean;
  #screenTrack: MediaStreamTrack | null = null;
  /** This participant's place and rights as the server last said. */
  #presence: Presence | null = null;

  /** Sources the server stopped (mediator, rights): not published again until the user turns them on. */
  readonly #stoppedByServer = new Set<MediaSource>();
  /** Pause / resume the server has not confirmed (sent during a drop): sent again by the next reconcile. */
  readonly #unconfirmedPause = new Set<'mic' | 'webcam'>();
  #reconciling: Promise<void> | null = null;
  #reconcileAgain = false;
  #retryTimer: number | undefined;
  /** Delay before the next publishing retry; 0 while the last reconcile succeeded. */
  #retryDelayMs = 0;
  /** Bumped by every reset so stale async work can tell it is stale. */
  #generation = 0;
  #closed = false;

  constructor(options: PublisherOptions) {
    super();
    this.#signalling = options.signalling;
    this.#acquireTrack = options.acquireTrack;
    this.#audioTrack = options.audioTrack;
    this.#videoTrack = options.videoTrack;
    this.#micOn = options.micOn && options.audioTrack !== null;
    this.#camOn = options.camOn && options.videoTrack !== null;
    if (this.#audioTrack) this.#audioTrack.enabled = this.#micOn;
    if (this.#videoTrack) this.#videoTrack.enabled = this.#camOn;
  }

  get local(): LocalMediaState {
    return { audioTrack: this.#audioTrack, videoTrack: this.#videoTrack, micOn: this.#micOn, camOn: this.#camOn };
  }

  get screenOn(): boolean {
    return this.#screenTrack !== null;
  }

  get transportState(): msTypes.ConnectionState | null {
    return this.#sendState;
  }

  /** A fresh join: the Device of this room (transports and producers come after). */
  attach(device: Device): void {
    this.#generation++;
    this.#device = device;
  }

  /** The room as joined: place and rights, without reacting to them (the join publishes). */
  setPresence(presence: Presence): void {
    this.#presence = presence;
  }

  // The server's transport options go to mediasoup-client whole: with TURN configured they carry
  // `iceServers` (credentials minted for this participant), which it hands to RTCPeerConnection.
  async createTransport(): Promise<void> {
    const generation = this.#generation;
    const options = await this.#signalling.request('transport.create', { direction: 'send' });
    if (generation !== this.#generation || !this.#device || this.#closed) return;
    const transport = this.#device.createSendTransport(options as unknown as msTypes.TransportOptions);
    wireTransport(transport, 'send', this.#signalling, (state) => {
      this.#sendState = state;
      this.emit('change');
    });
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

  getStats(): Promise<Array<Record<string, unknown>>> {
    return transportStats(this.#send, 'send');
  }

  async setSourceEnabled(source: 'mic' | 'webcam', on: boolean): Promise<void> {
    if (this.#closed) return;
    const isMic = source === 'mic';
    let track = isMic ? this.#audioTrack : this.#videoTrack;

    if (on && (!track || track.readyState === 'ended')) {
      if (!this.#acquireTrack) return;
      try {
        track = await this.#acquireTrack(isMic ? 'audio' : 'video');
      } catch (error) {
        console.warn(`[media] could not open ${source}`, error);
        this.emit('notice', isMic ? 'mic-unavailable' : 'camera-unavailable');
        return;
      }
      if (this.#closed) {
        track.stop();
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
    this.emit('change');

    const producer = this.#producers.get(source);
    if (!producer || producer.closed) {
      if (on) {
        this.#stoppedByServer.delete(source);
        await this.reconcile();
      }
      return;
    }
    // Local pause first: from this moment no media leaves the device.
    if (on) producer.resume();
    else producer.pause();
    this.#unconfirmedPause.add(source);
    try {
      await this.#signalling.request(on ? 'producer.resume' : 'producer.pause', { producerId: producer.id });
      if (on) this.emit('resumed');
      this.#unconfirmedPause.delete(source);
    } catch (error) {
      console.warn(`[media] ${on ? 'resume' : 'pause'} of ${source} not confirmed by the server`, error);
      // Lost in a drop: the next reconcile sends it again. Refused: nothing to send again.
      if (!isTransient(error)) this.#unconfirmedPause.delete(source);
    }
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
      this.emit('notice', 'publish-failed');
      return;
    }
    if (!track) return;
    if (this.#closed) {
      track.stop();
      return;
    }
    const shared = track;
    this.#screenTrack = shared;
    shared.addEventListener('ended', () => {
      if (this.#screenTrack === shared) this.#stopScreen();
    });
    this.emit('change');
    await this.reconcile();
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
    this.emit('change');
  }

  /** room.state changed: hold in the waiting room, start publishing when allowed, stop when rights are revoked. */
  onPresence(presence: Presence): void {
    const before = this.#presence;
    this.#presence = presence;
    if ((before?.place === 'lobby') !== (presence.place === 'lobby') && before !== null) {
      for (const producer of this.#producers.values()) void this.#hold(producer, presence.place === 'lobby');
    }
    const wasAllowed = before !== null && before.canPublish;
    if (this.#mayPublish() === wasAllowed) return;
    if (!this.#mayPublish()) {
      // Rights revoked: the server closed our producers; nothing leaves the device.
      for (const [source, producer] of this.#producers) {
        if (!producer.closed) producer.close();
        this.#producers.delete(source);
      }
      if (this.#screenTrack) this.#stopScreen();
      this.emit('change');
    }
    void this.reconcile();
  }

  /** The server paused (mic) or closed (camera, screen) one of our producers. */
  onServerMute(source: MediaSource): void {
    if (source === 'mic') {
      this.#micOn = false;
      if (this.#audioTrack) this.#audioTrack.enabled = false;
      const producer = this.#producers.get('mic');
      if (producer && !producer.closed) producer.pause();
      this.emit('change');
      return;
    }
    const producer = this.#producers.get(source);
    this.#producers.delete(source);
    if (producer && !producer.closed) producer.close();
    if (source === 'screen') {
      this.#screenTrack?.stop();
      this.#screenTrack = null;
      this.emit('change');
      return;
    }
    this.#camOn = false;
    this.#stoppedByServer.add('webcam');
    if (this.#videoTrack) this.#videoTrack.enabled = false;
    this.emit('change');
  }

  /**
   * Publishing starts in the waiting room: the server keeps a waiting person's media to itself,
   * and admission then finds the send transport connected and the producers ready.
   */
  #mayPublish(): boolean {
    return this.#presence?.canPublish ?? false;
  }

  /** Makes the producers match what the user wants; serialised, re-run when asked again meanwhile. */
  reconcile(): Promise<void> {
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return this.#reconciling;
    }
    const run = (async () => {
      do {
        this.#reconcileAgain = false;
        await this.#reconcileOnce();
      } while (this.#reconcileAgain && !this.#closed);
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
    if (this.#closed || !transport || transport.closed || !this.#device || this.#signalling.status !== 'connected') return;
    const stale = () => generation !== this.#generation || this.#closed || transport.closed;
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
    if (this.#closed || !this.#device || this.#signalling.status !== 'connected') return false;
    const old = this.#send;
    if (old) {
      // Its producers fire 'transportclose' and leave #producers; the plan publishes them again.
      if (!old.closed) old.close();
      this.#send = null;
      this.#retiringSend = old.id;
      this.#sendState = null;
      this.emit('change');
    }
    this.#sendBroken = false;
    if (this.#retiringSend !== null) {
      await this.#signalling.request('transport.close', { transportId: this.#retiringSend }).catch((error: unknown) => {
        if (!(error instanceof RequestError && error.code === 'not_found')) throw error;
      });
      this.#retiringSend = null;
    }
    if (generation !== this.#generation) return false;
    await this.createTransport();
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
        this.emit('change');
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
      void this.setSourceEnabled(source, false);
      this.emit('notice', source === 'mic' ? 'mic-unavailable' : 'camera-unavailable');
    });
    if (source !== 'screen' && !(source === 'mic' ? this.#micOn : this.#camOn)) {
      producer.pause();
      this.#unconfirmedPause.add(source);
    }
    if (this.#presence?.place === 'lobby') void this.#hold(producer, true);
    this.emit('change');
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
    if (isDisconnected(error)) return; // the reconnection reconciles
    if (!isTransient(error)) {
      // Refused (not allowed now): a room.state change reconciles again. A refused screen share just stops.
      if (source === 'screen') this.#stopScreen();
      this.emit('notice', 'publish-failed');
      return;
    }
    if (this.#retryDelayMs === 0) this.emit('notice', 'publish-failed');
    this.#retryDelayMs = Math.min(10_000, Math.max(1000, this.#retryDelayMs * 2));
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.reconcile();
    }, this.#retryDelayMs);
  }

  /** Closes the transport and the producers; keeps the tracks for a rejoin. */
  reset(): void {
    this.#generation++;
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#retryDelayMs = 0;
    this.#unconfirmedPause.clear();
    for (const producer of this.#producers.values()) if (!producer.closed) producer.close();
    this.#producers.clear();
    if (this.#send && !this.#send.closed) this.#send.close();
    this.#send = null;
    this.#sendState = null;
    this.#sendBroken = false;
    // A fresh peer comes with fresh transports: nothing of the old one's to close.
    this.#retiringSend = null;
    this.#device = null;
  }

  /** Ends publishing for good: the transport, the producers and the tracks. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.reset();
    this.#closed = true;
    this.#audioTrack?.stop();
    this.#videoTrack?.stop();
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    this.removeAllListeners();
  }
}

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
