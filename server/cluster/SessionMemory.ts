import type { Redis } from 'ioredis';

/** What a session's room must remember beyond its own life, so a new room (after a failover) continues it. */
export interface RememberedRoom {
  /** Identities the mediator removed: refused for the rest of the session. */
  removed: string[];
  /** The lead mediator's identity when the room died without closing; null after a normal close. */
  lead: string | null;
}

export interface SessionMemory {
  load(sessionId: string): Promise<RememberedRoom>;
  addRemoved(sessionId: string, identity: string): Promise<void>;
  setLead(sessionId: string, identity: string | null): Promise<void>;
}

/** One process: kept in memory for the process's life (a restart forgets it, as it forgets the room). */
export class LocalSessionMemory implements SessionMemory {
  readonly #removed = new Map<string, Set<string>>();
  readonly #lead = new Map<string, string>();

  async load(sessionId: string): Promise<RememberedRoom> {
    return { removed: [...(this.#removed.get(sessionId) ?? [])], lead: this.#lead.get(sessionId) ?? null };
  }

  async addRemoved(sessionId: string, identity: string): Promise<void> {
    const set = this.#removed.get(sessionId) ?? new Set<string>();
    set.add(identity);
    this.#removed.set(sessionId, set);
  }

  async setLead(sessionId: string, identity: string | null): Promise<void> {
    if (identity === null) this.#lead.delete(sessionId);
    else this.#lead.set(sessionId, identity);
  }
}

/** A day: longer than any mediation session; the keys go by themselves afterwards. */
const TTL_SECONDS = 24 * 3600;
const removedKey = (sessionId: string) => `cm:session:${sessionId}:removed`;
const leadKey = (sessionId: string) => `cm:session:${sessionId}:lead`;

/** Several nodes: in Redis, so the node that takes a room over knows whom to keep out and who leads. */
export class RedisSessionMemory implements SessionMemory {
  constructor(private readonly redis: Redis) {}

  async load(sessionId: string): Promise<RememberedRoom> {
    const [removed, lead] = await Promise.all([this.redis.smembers(removedKey(sessionId)), this.redis.get(leadKey(sessionId))]);
    return { removed, lead };
  }

  async addRemoved(sessionId: string, identity: string): Promise<void> {
    await this.redis.multi().sadd(removedKey(sessionId), identity).expire(removedKey(sessionId), TTL_SECONDS).exec();
  }

  async setLead(sessionId: string, identity: string | null): Promise<void> {
    if (identity === null) await this.redis.del(leadKey(sessionId));
    else await this.redis.set(leadKey(sessionId), identity, 'EX', TTL_SECONDS);
  }
}
