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

/** A day: longer than any mediation session; the keys go by themselves afterwards. */
const TTL_SECONDS = 24 * 3600;

/**
 * One process: kept in memory, each session's entry for a day after its last write (as Redis keeps
 * it), so a long-running node does not keep every session it ever hosted. Expired entries are
 * dropped on the next write of any session.
 */
export class LocalSessionMemory implements SessionMemory {
  readonly #sessions = new Map<string, { removed: Set<string>; lead: string | null; writtenAt: number }>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Sessions remembered now (for tests and metrics). */
  get size(): number {
    return this.#sessions.size;
  }

  async load(sessionId: string): Promise<RememberedRoom> {
    const entry = this.#live(sessionId);
    return { removed: [...(entry?.removed ?? [])], lead: entry?.lead ?? null };
  }

  async addRemoved(sessionId: string, identity: string): Promise<void> {
    this.#write(sessionId, (entry) => entry.removed.add(identity));
  }

  async setLead(sessionId: string, identity: string | null): Promise<void> {
    this.#write(sessionId, (entry) => (entry.lead = identity));
  }

  #live(sessionId: string) {
    const entry = this.#sessions.get(sessionId);
    return entry && this.#now() - entry.writtenAt < TTL_SECONDS * 1000 ? entry : undefined;
  }

  #write(sessionId: string, change: (entry: { removed: Set<string>; lead: string | null }) => void): void {
    const now = this.#now();
    for (const [id, entry] of this.#sessions) if (now - entry.writtenAt >= TTL_SECONDS * 1000) this.#sessions.delete(id);
    const entry = this.#sessions.get(sessionId) ?? { removed: new Set<string>(), lead: null, writtenAt: now };
    change(entry);
    entry.writtenAt = now;
    if (entry.removed.size === 0 && entry.lead === null) this.#sessions.delete(sessionId);
    else this.#sessions.set(sessionId, entry);
  }
}

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
