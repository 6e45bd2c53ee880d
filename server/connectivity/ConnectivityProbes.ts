import type { Router, WebRtcTransport } from 'mediasoup/types';
import type { Config } from '../config.ts';
import { AppError, tooManyRequests } from '../errors.ts';
import { newId } from '../ids.ts';
import type { SlidingWindows, SlidingWindow } from '../limits/SlidingWindow.ts';
import type { Logger } from '../logger.ts';
import { mediaCodecs, webRtcTransportOptions } from '../media/mediaCodecs.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { ConnectivityProbe, PortRule, ProbeConnectRequest, ProbeDataProducerRequest, ProbeDataProducer } from '../protocol/connectivity.ts';
import type { IceServer } from '../protocol/signalling.ts';

/** Who opened a probe: the room identity of their token (`invitation:<id>` / `user:<id>`) and when it ends. */
export interface ProbeCaller {
  identity: string;
  expiresAt: Date;
}

export interface ConnectivityProbesOptions {
  /** A probe closes itself this long after it was opened (default 25 s). */
  ttlMs?: number;
  /** Probes one caller may open per `windowMs` (default 12 per 10 minutes). */
  perCaller?: { max: number; windowMs: number };
  /** Probes open at once on this node (default 200); beyond: 503. */
  maxOpen?: number;
}

export interface ConnectivityProbesDeps extends ConnectivityProbesOptions {
  pool: WorkerPool;
  config: Config['mediasoup'];
  log: Logger;
  windows: SlidingWindows;
  /** TURN servers for the caller's browser (absent without TURN), valid at least until `until`. */
  iceServers?: (caller: ProbeCaller, until: Date) => IceServer[];
  /** What a firewall must let out (./firewallPorts.ts), for the advice when the check fails. */
  ports: PortRule[];
  /** Several nodes: this node's id (the client names it in its follow-ups); null with one. */
  nodeId: string | null;
  /** The composition root's clock (TURN credentials are minted by it). */
  now?: () => Date;
}

interface Probe {
  id: string;
  owner: string;
  router: Router;
  transport: WebRtcTransport;
  timer: NodeJS.Timeout;
  dataProducer: boolean;
}

const DEFAULT_TTL_MS = 25_000;

/**
 * The pre-join connectivity probes: each one a router with one WebRTC transport (UDP, TCP, SCTP;
 * the same listen settings and TURN servers as a room's), no room, no peer, nobody told. Owns them:
 * each closes after its TTL, on DELETE, when its caller opens another, when its worker dies, and
 * all of them on `close()`.
 */
export class ConnectivityProbes {
  readonly #deps: ConnectivityProbesDeps;
  readonly #ttlMs: number;
  readonly #maxOpen: number;
  readonly #perCaller: SlidingWindow;
  readonly #probes = new Map<string, Probe>();
  /** Opening (router and transport on their way): counted against maxOpen too. */
  #opening = 0;
  #closed = false;

  constructor(deps: ConnectivityProbesDeps) {
    this.#deps = deps;
    this.#ttlMs = deps.ttlMs ?? DEFAULT_TTL_MS;
    this.#maxOpen = deps.maxOpen ?? 200;
    const perCaller = deps.perCaller ?? { max: 12, windowMs: 600_000 };
    this.#perCaller = deps.windows({ name: 'connectivity-probe', ...perCaller });
  }

  /** Probes open now. */
  get size(): number {
    return this.#probes.size;
  }

  has(probeId: string): boolean {
    return this.#probes.has(probeId);
  }

  async open(caller: ProbeCaller): Promise<ConnectivityProbe> {
    this.#assertOpen();
    const wait = await this.#perCaller.take(caller.identity);
    if (wait > 0) throw tooManyRequests('Too many connectivity checks; try again later', wait);
    // A caller checks again (the retry button, a reload): their previous probe has served.
    for (const probe of this.#probes.values()) if (probe.owner === caller.identity) this.#close(probe, 'replaced');
    if (this.#probes.size + this.#opening >= this.#maxOpen) {
      await this.#perCaller.forgive(caller.identity);
      throw new AppError('unavailable', 'Too many connectivity checks at once on this node');
    }
    this.#opening++;
    let router: Router | undefined;
    try {
      router = await this.#deps.pool.next().createRouter({ mediaCodecs, appData: { probe: true } });
      const transport = await router.createWebRtcTransport({ ...webRtcTransportOptions(this.#deps.config, { probe: true }), enableSctp: true });
      this.#assertOpen();
      const id = newId();
      const timer = setTimeout(() => this.#close(probe, 'expired'), this.#ttlMs);
      timer.unref();
      const probe: Probe = { id, owner: caller.identity, router, transport, timer, dataProducer: false };
      this.#probes.set(id, probe);
      // Its worker died: the router is gone already.
      router.observer.once('close', () => this.#close(probe, 'router closed'));
      const until = new Date((this.#deps.now?.() ?? new Date()).getTime() + this.#ttlMs + 60_000);
      const iceServers = this.#deps.iceServers?.(caller, until);
      return {
        probeId: id,
        routerRtpCapabilities: router.rtpCapabilities,
        transport: {
          id: transport.id,
          iceParameters: transport.iceParameters,
          iceCandidates: transport.iceCandidates,
          dtlsParameters: transport.dtlsParameters,
          sctpParameters: transport.sctpParameters!,
          ...(iceServers ? { iceServers } : {}),
        },
        expiresInMs: this.#ttlMs,
        ports: this.#deps.ports,
        node: this.#deps.nodeId,
      };
    } catch (error) {
      router?.close();
      throw error;
    } finally {
      this.#opening--;
    }
  }

  async connect(caller: ProbeCaller, probeId: string, request: ProbeConnectRequest): Promise<void> {
    const probe = this.#own(caller, probeId);
    await probe.transport.connect({ dtlsParameters: request.dtlsParameters });
  }

  /** The browser's data channel: opening it is what makes the browser run ICE and DTLS. */
  async produceData(caller: ProbeCaller, probeId: string, request: ProbeDataProducerRequest): Promise<ProbeDataProducer> {
    const probe = this.#own(caller, probeId);
    if (probe.dataProducer) throw new AppError('conflict', 'This probe has its data channel already');
    probe.dataProducer = true;
    const producer = await probe.transport.produceData({
      sctpStreamParameters: request.sctpStreamParameters,
      ...(request.label !== undefined ? { label: request.label } : {}),
      ...(request.protocol !== undefined ? { protocol: request.protocol } : {}),
    });
    return { id: producer.id };
  }

  /** DELETE: the browser has its answer. */
  end(caller: ProbeCaller, probeId: string): void {
    this.#close(this.#own(caller, probeId), 'ended');
  }

  /** Closes every probe; no new ones. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const probe of [...this.#probes.values()]) this.#close(probe, 'shutdown');
  }

  /** The caller's own open probe; someone else's is as unknown as a closed one. */
  #own(caller: ProbeCaller, probeId: string): Probe {
    const probe = this.#probes.get(probeId);
    if (!probe || probe.owner !== caller.identity) throw new AppError('not_found', 'No such connectivity probe (it may have expired)');
    return probe;
  }

  #close(probe: Probe, why: string): void {
    if (this.#probes.get(probe.id) !== probe) return;
    this.#probes.delete(probe.id);
    clearTimeout(probe.timer);
    probe.router.close();
    this.#deps.log.debug('connectivity probe closed', { why });
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('unavailable', 'Shutting down');
  }
}
