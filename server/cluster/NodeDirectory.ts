import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

/** A node's load as it reports it in each heartbeat; placement picks the least loaded. */
export interface NodeLoad {
  rooms: number;
  peers: number;
  /** Media workers' CPU use since the last beat, 0..1 (a share of the workers' capacity). */
  cpu: number;
}

const nodeInfo = z.object({
  id: z.string(),
  url: z.string(),
  rooms: z.number(),
  peers: z.number(),
  cpu: z.number(),
  at: z.number(),
});
export type NodeInfo = z.infer<typeof nodeInfo>;

/** How often a node beats, and how long its beat stays: a node silent this long is dead. */
export const HEARTBEAT_MS = 1000;
export const HEARTBEAT_TTL_MS = 3000;

const NODE_SET = 'cm:nodes';
export const nodeKey = (id: string) => `cm:node:${id}`;

/**
 * The cluster's live nodes: each node writes its heartbeat (address and load) to Redis with a
 * short expiry and renews it every second; a node that stops (crash, kill, lost network) drops
 * out within HEARTBEAT_TTL_MS. A node that stops cleanly removes its own entry at once.
 */
export class NodeDirectory {
  readonly #redis: Redis;
  readonly #self: { id: string; url: string };
  readonly #load: () => NodeLoad | Promise<NodeLoad>;
  readonly #log: Logger;
  readonly #beatMs: number;
  readonly #ttlMs: number;
  readonly #afterBeat: Array<() => Promise<void>> = [];
  readonly #onFenced: (() => void) | undefined;
  #lastBeatAt = 0;
  #fenced = false;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: {
    redis: Redis;
    self: { id: string; url: string };
    load: () => NodeLoad | Promise<NodeLoad>;
    log: Logger;
    beatMs?: number;
    ttlMs?: number;
    /**
     * This node could not beat for longer than its heartbeat lasts: the others may have taken
     * its rooms over, so it must give them up (called once per outage).
     */
    onFenced?: () => void;
  }) {
    this.#onFenced = deps.onFenced;
    this.#redis = deps.redis;
    this.#self = deps.self;
    this.#load = deps.load;
    this.#log = deps.log;
    this.#beatMs = deps.beatMs ?? HEARTBEAT_MS;
    this.#ttlMs = deps.ttlMs ?? HEARTBEAT_TTL_MS;
  }

  get selfId(): string {
    return this.#self.id;
  }

  /** Runs after every beat (claim renewals); its failures are logged. */
  afterBeat(task: () => Promise<void>): void {
    this.#afterBeat.push(task);
  }

  /** Beats once (so this node is live before it takes connections), then every beatMs. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      if (this.#beating) return; // Redis is slow: skip a beat rather than pile them up
      this.#beating = this.#beat()
        .catch((error: unknown) => {
          this.#log.warn('heartbeat failed', { error: error instanceof Error ? error.message : String(error) });
          if (!this.#fenced && Date.now() - this.#lastBeatAt > this.#ttlMs) {
            this.#fenced = true;
            this.#log.error("no heartbeat for longer than it lasts: giving up this node's rooms");
            this.#onFenced?.();
          }
        })
        .finally(() => (this.#beating = undefined));
    }, this.#beatMs);
    this.#timer.unref();
  }

  /** Stops beating and leaves the directory (the others take this node's rooms over at once). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#beating;
    await this.#redis
      .multi()
      .del(nodeKey(this.#self.id))
      .srem(NODE_SET, this.#self.id)
      .exec()
      .catch(() => {});
  }

  /** The nodes alive now (their heartbeat has not expired); forgets the dead ones. */
  async live(): Promise<NodeInfo[]> {
    const ids = await this.#redis.smembers(NODE_SET);
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(ids.map(nodeKey));
    const live: NodeInfo[] = [];
    const dead: string[] = [];
    values.forEach((raw, i) => {
      const parsed = raw ? nodeInfo.safeParse(JSON.parse(raw)) : undefined;
      if (parsed?.success) live.push(parsed.data);
      else dead.push(ids[i]!);
    });
    // Only a node whose key is gone is dropped; it adds itself back with its next beat.
    if (dead.length > 0) await this.#redis.srem(NODE_SET, ...dead).catch(() => {});
    return live;
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const load = await this.#load();
    const info: NodeInfo = { ...this.#self, ...load, at: Date.now() };
    await this.#redis.multi().set(nodeKey(this.#self.id), JSON.stringify(info), 'PX', this.#ttlMs).sadd(NODE_SET, this.#self.id).exec();
    this.#lastBeatAt = Date.now();
    this.#fenced = false;
    for (const task of this.#afterBeat) {
      await task().catch((error: unknown) => this.#log.warn('after-heartbeat task failed', { error }));
    }
  }
}

/** The least loaded: fewest peers, then fewest rooms, then least CPU, then by id (stable). */
export function leastLoaded(nodes: readonly NodeInfo[]): NodeInfo | undefined {
  return [...nodes].sort((a, b) => a.peers - b.peers || a.rooms - b.rooms || a.cpu - b.cpu || a.id.localeCompare(b.id))[0];
}
