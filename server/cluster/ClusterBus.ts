import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { clusterMessages, type ClusterMessage, type ClusterMessageName } from './messages.ts';

type Handler<N extends ClusterMessageName> = (data: ClusterMessage<N>) => void;

/** Typed fan-out to every node (this one included). */
export interface ClusterBus {
  publish<N extends ClusterMessageName>(name: N, data: ClusterMessage<N>): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe<N extends ClusterMessageName>(name: N, handler: Handler<N>): () => void;
  close(): Promise<void>;
}

/** One process: delivered synchronously, in order, to this process's subscribers. */
export class LocalClusterBus implements ClusterBus {
  readonly #emitter = new EventEmitter();

  constructor(private readonly log: Logger) {
    this.#emitter.setMaxListeners(0);
  }

  async publish<N extends ClusterMessageName>(name: N, data: ClusterMessage<N>): Promise<void> {
    deliver(this.#emitter, name, data, this.log);
  }

  subscribe<N extends ClusterMessageName>(name: N, handler: Handler<N>): () => void {
    this.#emitter.on(name, handler);
    return () => this.#emitter.off(name, handler);
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
  }
}

const envelope = z.object({ name: z.string(), data: z.unknown(), from: z.string() });

/**
 * Several nodes: Redis pub/sub on one channel. Every node, the sender included, receives each
 * message from Redis, so all nodes act on it the same way. Pub/sub delivers to whoever is
 * connected now: what must survive a node's restart lives in PostgreSQL or in Redis keys,
 * never only here.
 */
export class RedisClusterBus implements ClusterBus {
  readonly #emitter = new EventEmitter();
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #nodeId: string;
  readonly #log: Logger;

  private constructor(redis: Redis, subscriber: Redis, channel: string, nodeId: string, log: Logger) {
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#nodeId = nodeId;
    this.#log = log;
    this.#emitter.setMaxListeners(0);
  }

  static async create(redis: Redis, options: { nodeId: string; log: Logger; channel?: string }): Promise<RedisClusterBus> {
    const subscriber = redis.duplicate();
    subscriber.on('error', () => {}); // the main connection reports Redis trouble
    const bus = new RedisClusterBus(redis, subscriber, options.channel ?? 'cm:bus', options.nodeId, options.log);
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel === bus.#channel) bus.#receive(raw);
    });
    await subscriber.subscribe(bus.#channel);
    return bus;
  }

  async publish<N extends ClusterMessageName>(name: N, data: ClusterMessage<N>): Promise<void> {
    await this.#redis.publish(this.#channel, JSON.stringify({ name, data, from: this.#nodeId }));
  }

  subscribe<N extends ClusterMessageName>(name: N, handler: Handler<N>): () => void {
    this.#emitter.on(name, handler);
    return () => this.#emitter.off(name, handler);
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
    this.#subscriber.disconnect();
  }

  #receive(raw: string): void {
    let parsed: z.infer<typeof envelope>;
    try {
      parsed = envelope.parse(JSON.parse(raw));
    } catch {
      this.#log.warn('cluster bus: unreadable message ignored');
      return;
    }
    if (!Object.hasOwn(clusterMessages, parsed.name)) {
      this.#log.warn('cluster bus: unknown message ignored', { name: parsed.name, from: parsed.from });
      return;
    }
    const name = parsed.name as ClusterMessageName;
    const data = clusterMessages[name].safeParse(parsed.data);
    if (!data.success) {
      this.#log.warn('cluster bus: malformed message ignored', { name, from: parsed.from });
      return;
    }
    deliver(this.#emitter, name, data.data, this.#log);
  }
}

function deliver(emitter: EventEmitter, name: ClusterMessageName, data: unknown, log: Logger): void {
  for (const handler of emitter.listeners(name)) {
    try {
      (handler as (d: unknown) => void)(data);
    } catch (error) {
      log.error('cluster bus: a handler failed', { name, error });
    }
  }
}
