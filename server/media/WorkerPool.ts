import * as mediasoup from 'mediasoup';
import type { Router, Worker, WorkerSettings } from 'mediasoup/types';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import { openWebRtcServer } from './webRtcServer.ts';

export type WorkerPoolEvents = {
  /** A worker process died; its routers are already closed (their rooms got `workerclose`). */
  workerDied: [worker: Worker, error: Error];
  /** A replacement for a dead worker is up. */
  workerReplaced: [dead: Worker, replacement: Worker];
};

export type CreateWorker = (settings: WorkerSettings) => Promise<Worker>;

export interface WorkerPoolOptions {
  /** For tests; defaults to `mediasoup.createWorker`. */
  createWorker?: CreateWorker;
  /** First retry delay when a replacement worker fails to start (doubles up to 30 s). */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The mediasoup worker processes. Owns them: closes them on `close()`, replaces any that die.
 * `next()` hands out the live worker with the fewest routers. In server mode (RTC_PORT_MODE) each
 * worker gets its WebRtcServer before it is handed out, and a replacement reopens the dead one's port.
 */
export class WorkerPool extends TypedEmitter<WorkerPoolEvents> {
  readonly #settings: WorkerSettings;
  readonly #config: Config['mediasoup'];
  readonly #log: Logger;
  readonly #createWorker: CreateWorker;
  readonly #retryDelayMs: number;
  /** Live workers → number of routers on each. */
  readonly #load = new Map<Worker, number>();
  /** Server mode: live workers → their media port (UDP and TCP). */
  readonly #ports = new Map<Worker, number>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #roundRobin = 0;
  #closed = false;

  private constructor(config: Config['mediasoup'], log: Logger, options: WorkerPoolOptions) {
    super();
    this.#settings = { logLevel: 'warn', rtcMinPort: config.minPort, rtcMaxPort: config.maxPort };
    this.#config = config;
    this.#log = log;
    this.#createWorker = options.createWorker ?? ((s) => mediasoup.createWorker(s));
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
  }

  /** Starts `config.numWorkers` workers; rejects (closing any started) if one fails to start. */
  static async create(config: Config['mediasoup'], log: Logger, options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const pool = new WorkerPool(config, log, options);
    const port = (i: number) => (config.portMode === 'range' ? undefined : config.port === 0 ? 0 : config.port + i);
    const results = await Promise.allSettled(Array.from({ length: config.numWorkers }, (_, i) => pool.#spawn(port(i))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      pool.close();
      throw failed.reason;
    }
    log.info('mediasoup workers started', {
      workers: pool.size,
      pids: pool.workers.map((w) => w.pid),
      ports: config.portMode === 'server' ? pool.workers.map((w) => pool.portOf(w)) : `${config.minPort}-${config.maxPort}`,
    });
    return pool;
  }

  /** Number of live workers (for /api/health). */
  get size(): number {
    return this.#load.size;
  }

  get workers(): Worker[] {
    return [...this.#load.keys()];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The media ports browsers reach: the workers' (server mode), or the whole range. */
  mediaPorts(): { min: number; max: number } {
    const ports = this.workers.map((w) => this.#ports.get(w)).filter((p): p is number => p !== undefined);
    if (ports.length === 0) return { min: this.#config.minPort, max: this.#config.maxPort };
    return { min: Math.min(...ports), max: Math.max(...ports) };
  }

  /** Server mode: the worker's media port (UDP and TCP); undefined in range mode. */
  portOf(worker: Worker): number | undefined {
    return this.#ports.get(worker);
  }

  /** The live worker with the fewest routers (ties broken round-robin). */
  next(): Worker {
    const workers = this.workers;
    if (this.#closed || workers.length === 0) throw new AppError('unavailable', 'Media server unavailable');
    const start = this.#roundRobin++ % workers.length;
    let best: Worker | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < workers.length; i++) {
      const worker = workers[(start + i) % workers.length]!;
      const load = this.#load.get(worker) ?? 0;
      if (load < bestLoad) {
        best = worker;
        bestLoad = load;
      }
    }
    return best!;
  }

  /** Closes every worker (and so every router on them). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    const workers = this.workers;
    this.#load.clear();
    this.#ports.clear();
    for (const worker of workers) worker.close();
  }

  /** `port`: server mode's port for this worker (0: any free one from the range); undefined in range mode. */
  async #spawn(port: number | undefined): Promise<Worker> {
    const worker = await this.#createWorker(this.#settings);
    try {
      if (port !== undefined) port = await openWebRtcServer(worker, this.#config, port);
    } catch (error) {
      worker.close();
      throw error;
    }
    if (this.#closed) {
      worker.close();
      throw new AppError('unavailable', 'Worker pool closed');
    }
    this.#load.set(worker, 0);
    if (port !== undefined) this.#ports.set(worker, port);
    worker.observer.on('newrouter', (router: Router) => {
      this.#adjust(worker, +1);
      router.observer.once('close', () => this.#adjust(worker, -1));
    });
    worker.on('died', (error) => this.#onDied(worker, error));
    return worker;
  }

  #adjust(worker: Worker, delta: number): void {
    const load = this.#load.get(worker);
    if (load !== undefined) this.#load.set(worker, Math.max(0, load + delta));
  }

  #onDied(worker: Worker, error: Error): void {
    if (!this.#load.delete(worker)) return;
    const port = this.#ports.get(worker);
    this.#ports.delete(worker);
    this.#log.error('mediasoup worker died', { pid: worker.pid, error: error.message, live: this.size, port });
    this.emit('workerDied', worker, error);
    this.#replace(worker, port, this.#retryDelayMs);
  }

  /** The replacement listens on the dead worker's port: the firewall rules and the announced port stay right. */
  #replace(dead: Worker, port: number | undefined, retryDelayMs: number): void {
    if (this.#closed) return;
    this.#spawn(port).then(
      (replacement) => {
        this.#log.info('mediasoup worker replaced', { deadPid: dead.pid, pid: replacement.pid, live: this.size, port });
        this.emit('workerReplaced', dead, replacement);
      },
      (error: unknown) => {
        if (this.#closed) return;
        this.#log.error('replacement mediasoup worker failed to start; retrying', { error, retryInMs: retryDelayMs });
        const timer = setTimeout(() => {
          this.#retryTimers.delete(timer);
          this.#replace(dead, port, Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS));
        }, retryDelayMs);
        timer.unref();
        this.#retryTimers.add(timer);
      },
    );
  }
}
