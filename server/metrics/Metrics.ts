import { readFile } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Worker } from 'mediasoup/types';
import type { Room } from '../media/index.ts';

/** What the media gauges are read from at each scrape (the composition root passes the pool and registry). */
export interface MediaSource {
  rooms(): Room[];
  workers(): Worker[];
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const SEAL_BUCKETS = [0.25, 0.5, 1, 2, 4, 8, 16, 32];

/**
 * The service's Prometheus metrics, one registry per server (tests run several in a process).
 * Names start with `cm_`; Node's own process metrics (`process_*`, `nodejs_*`) are included.
 */
export class Metrics {
  readonly registry = new Registry();
  #media: MediaSource | undefined;

  readonly httpDuration = new Histogram({
    name: 'cm_http_request_duration_seconds',
    help: 'HTTP requests by route pattern (not raw path), method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly socketRequests = new Counter({
    name: 'cm_socket_requests_total',
    help: 'Signalling requests answered, by request name',
    labelNames: ['request'] as const,
    registers: [this.registry],
  });
  readonly socketErrors = new Counter({
    name: 'cm_socket_request_errors_total',
    help: 'Signalling requests answered with an error, by request name and error code',
    labelNames: ['request', 'code'] as const,
    registers: [this.registry],
  });
  readonly joinDuration = new Histogram({
    name: 'cm_room_join_duration_seconds',
    help: 'From the socket handshake to the answered room.join (token check, room creation or lookup, the client loading its device)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'cm_rate_limit_refusals_total',
    help: 'Requests refused by a rate limit, by limiter',
    labelNames: ['limiter'] as const,
    registers: [this.registry],
  });
  readonly sealing = new Histogram({
    name: 'cm_agreement_sealing_duration_seconds',
    help: 'Finalising one agreement: render the PDF, seal it, write it durably, commit',
    buckets: SEAL_BUCKETS,
    registers: [this.registry],
  });
  readonly dbDuration = new Histogram({
    name: 'cm_db_query_duration_seconds',
    help: 'Database operations through Prisma, by model and operation',
    labelNames: ['model', 'operation'] as const,
    buckets: DB_BUCKETS,
    registers: [this.registry],
  });
  readonly #rooms = new Gauge({ name: 'cm_rooms', help: 'Live mediation rooms (one mediasoup router each)', registers: [this.registry] });
  readonly #peers = new Gauge({
    name: 'cm_peers',
    help: 'Peers in rooms, by room role and whether they are still in the waiting room',
    labelNames: ['role', 'waiting'] as const,
    registers: [this.registry],
  });
  readonly #producers = new Gauge({ name: 'cm_producers', help: 'Producers, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly #consumers = new Gauge({ name: 'cm_consumers', help: 'Consumers, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly #workers = new Gauge({ name: 'cm_mediasoup_workers', help: 'Live mediasoup workers', registers: [this.registry] });
  readonly #workerCpu = new Gauge({
    name: 'cm_mediasoup_worker_cpu_seconds_total',
    help: 'CPU time (user + system) used by each mediasoup worker since it started; use rate()',
    labelNames: ['pid'] as const,
    registers: [this.registry],
  });
  readonly #workerRss = new Gauge({
    name: 'cm_mediasoup_worker_resident_memory_bytes',
    help: 'Resident memory of each mediasoup worker (current where the OS tells, else the peak)',
    labelNames: ['pid'] as const,
    registers: [this.registry],
  });
  readonly #workerMaxRss = new Gauge({
    name: 'cm_mediasoup_worker_max_resident_memory_bytes',
    help: 'Peak resident memory of each mediasoup worker',
    labelNames: ['pid'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where rooms and workers are read from at each scrape. */
  watchMedia(source: MediaSource): void {
    this.#media = source;
  }

  /** The exposition text (Prometheus format), with the media gauges read now. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.#readMedia();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  async #readMedia(): Promise<void> {
    const media = this.#media;
    if (!media) return;
    const rooms = media.rooms();
    this.#rooms.set(rooms.length);
    this.#peers.reset();
    this.#producers.reset();
    this.#consumers.reset();
    for (const kind of ['audio', 'video'] as const) {
      this.#producers.set({ kind }, 0);
      this.#consumers.set({ kind }, 0);
    }
    for (const room of rooms) {
      for (const peer of room.peers()) {
        this.#peers.inc({ role: peer.info.role, waiting: String(peer.presence.waiting) });
        for (const p of peer.producers) this.#producers.inc({ kind: p.kind });
        for (const c of peer.consumers) this.#consumers.inc({ kind: c.kind });
      }
    }
    const workers = media.workers().filter((w) => !w.closed);
    this.#workers.set(workers.length);
    this.#workerCpu.reset();
    this.#workerRss.reset();
    this.#workerMaxRss.reset();
    await Promise.all(
      workers.map(async (worker) => {
        const usage = await worker.getResourceUsage().catch(() => undefined);
        if (!usage) return;
        const pid = String(worker.pid);
        // ru_utime/ru_stime in ms, ru_maxrss in KiB (mediasoup's WorkerResourceUsage).
        this.#workerCpu.set({ pid }, (usage.ru_utime + usage.ru_stime) / 1000);
        this.#workerMaxRss.set({ pid }, usage.ru_maxrss * 1024);
        this.#workerRss.set({ pid }, (await currentRss(worker.pid)) ?? usage.ru_maxrss * 1024);
      }),
    );
  }
}

/** Current resident memory of a process on Linux (/proc/<pid>/status VmRSS), else undefined. */
async function currentRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
