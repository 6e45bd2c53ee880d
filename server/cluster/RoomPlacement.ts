import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import { LuaScript } from './luaScript.ts';
import { leastLoaded, nodeKey, type NodeDirectory, type NodeInfo } from './NodeDirectory.ts';

/** How long a room claim lasts without renewal; the owner renews it with every heartbeat. */
export const ROOM_CLAIM_TTL_MS = 15_000;
const claimKey = (sessionId: string) => `cm:room:${sessionId}`;

/*
 * Claim-or-read, atomically: the current owner while its heartbeat lives; otherwise the caller's
 * candidate becomes the owner. KEYS[1] claim; ARGV: candidate, ttl ms, node key prefix.
 * Returns { owner, previous owner when taken over from a dead node or '' }.
 */
const CLAIM = new LuaScript(`
local owner = redis.call('GET', KEYS[1])
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return {owner, ''} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], owner or ''}`);

/* Renews this node's claims; a vanished claim is taken again; returns the keys another node holds. */
const RENEW = new LuaScript(`
local lost = {}
for _, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2])
  elseif not owner then redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else table.insert(lost, key) end
end
return lost`);

/* Deletes the claim if this node still holds it. */
const RELEASE = new LuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

export interface RoomLocation {
  nodeId: string;
  url: string;
  /** The dead node the room was taken over from by this call, if it was. */
  takenOverFrom: string | null;
}

/**
 * Which node holds each live session's room (as LiveKit pins a room to one node): the first join
 * claims the session for the least-loaded live node; the owner renews the claim with each
 * heartbeat; when the owner's heartbeat expires, the next join claims it for a live node.
 */
export class RoomPlacement {
  readonly #redis: Redis;
  readonly #nodes: NodeDirectory;

  constructor(deps: { redis: Redis; nodes: NodeDirectory }) {
    this.#redis = deps.redis;
    this.#nodes = deps.nodes;
  }

  get selfId(): string {
    return this.#nodes.selfId;
  }

  /** Where the session's room lives, claiming it for the least-loaded live node if nobody (alive) holds it. */
  async locate(sessionId: string): Promise<RoomLocation> {
    const live = await this.#nodes.live();
    const candidate = leastLoaded(live);
    if (!candidate) throw new AppError('unavailable', 'No media node is alive');
    const [owner, previous] = (await CLAIM.run(this.#redis, [claimKey(sessionId)], [candidate.id, ROOM_CLAIM_TTL_MS, nodeKey('')])) as [string, string];
    const info: NodeInfo | undefined = live.find((n) => n.id === owner);
    return { nodeId: owner, url: info?.url ?? '', takenOverFrom: previous === '' ? null : previous };
  }

  /** Where the session's room lives now, without claiming it: null when nobody alive holds it. */
  async owner(sessionId: string): Promise<{ nodeId: string; url: string } | null> {
    const nodeId = await this.#redis.get(claimKey(sessionId));
    if (nodeId === null) return null;
    const node = (await this.#nodes.live()).find((n) => n.id === nodeId);
    return node ? { nodeId, url: node.url } : null;
  }

  /** Renews this node's claims on these sessions; returns the sessions another node now holds. */
  async renew(sessionIds: readonly string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const lost = (await RENEW.run(this.#redis, sessionIds.map(claimKey), [this.selfId, ROOM_CLAIM_TTL_MS])) as string[];
    return lost.map((key) => key.slice(claimKey('').length));
  }

  /** The room closed here: the claim goes (if still ours), so the next join places it afresh. */
  async release(sessionId: string): Promise<void> {
    await RELEASE.run(this.#redis, [claimKey(sessionId)], [this.selfId]);
  }

  /** The ids of the nodes alive now. */
  async liveNodeIds(): Promise<string[]> {
    return (await this.#nodes.live()).map((n) => n.id);
  }
}
