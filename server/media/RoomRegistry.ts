import type { Worker } from 'mediasoup/types';
import type { Config } from '../config.ts';
import type { SessionMediaState } from '../protocol/api.ts';
import type { CloseReason } from '../protocol/signalling.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Peer } from './Peer.ts';
import { Room } from './Room.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import { LocalSessionMemory, type SessionMemory } from '../cluster/SessionMemory.ts';
import type { WorkerPool } from './WorkerPool.ts';

export type RoomRegistryEvents = {
  roomCreated: [room: Room];
  /** The room is closed and no longer in the registry. */
  roomClosed: [room: Room, reason: CloseReason];
};

export interface RoomRegistryOptions {
  pool: WorkerPool;
  config: Config['mediasoup'];
  log: Logger;
  /** What a session's rooms remember beyond each room (removed people, the lead); default: this process. */
  memory?: SessionMemory;
  /** Runs on each new room before anyone enters it (e.g. letting back in who was admitted before a crash). */
  prepare?: (room: Room) => Promise<void>;
}

interface Pending {
  promise: Promise<Room>;
  /** Set when close(sessionId) arrives while the room is still being created. */
  cancelled?: CloseReason;
}

/** The live rooms, one per session id. Owns them: closes them on close()/closeAll(). */
export class RoomRegistry extends TypedEmitter<RoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly #config: Config['mediasoup'];
  readonly #log: Logger;
  readonly #memory: SessionMemory;
  readonly #prepare: ((room: Room) => Promise<void>) | undefined;
  readonly #rooms = new Map<string, Room>();
  readonly #pending = new Map<string, Pending>();
  readonly #onWorkerDied = (worker: Worker) => this.#closeRoomsOn(worker);

  constructor({ pool, config, log, memory, prepare }: RoomRegistryOptions) {
    super();
    this.#pool = pool;
    this.#config = config;
    this.#log = log;
    this.#memory = memory ?? new LocalSessionMemory();
    this.#prepare = prepare;
    pool.on('workerDied', this.#onWorkerDied);
  }

  /**
   * The session's room, created on first use. Serialised per session id: concurrent callers
   * share one creation; a failed creation is forgotten so the next call tries again.
   */
  getOrCreate(sessionId: string): Promise<Room> {
    const room = this.#rooms.get(sessionId);
    if (room && !room.closed) return Promise.resolve(room);
    const pending = this.#pending.get(sessionId);
    if (pending) return pending.promise;

    const entry: Pending = { promise: this.#create(sessionId) };
    this.#pending.set(sessionId, entry);
    entry.promise = entry.promise.finally(() => {
      if (this.#pending.get(sessionId) === entry) this.#pending.delete(sessionId);
    });
    return entry.promise;
  }

  /**
   * getOrCreate + room.addPeer with nothing in between, retrying if the room closed
   * (e.g. its last peer left) between creation and the add. Returns the room.
   */
  async addPeer(sessionId: string, peer: Peer, options: { mustWait?: boolean } = {}): Promise<Room> {
    for (let attempt = 0; ; attempt++) {
      const room = await this.getOrCreate(sessionId);
      if (!room.closed) {
        room.addPeer(peer, options);
        return room;
      }
      if (attempt >= 2) throw new AppError('unavailable', 'Media room unavailable, please retry');
    }
  }

  get(sessionId: string): Room | undefined {
    const room = this.#rooms.get(sessionId);
    return room && !room.closed ? room : undefined;
  }

  /** Closes the session's room (if any, also one still being created). */
  close(sessionId: string, reason: CloseReason): void {
    const pending = this.#pending.get(sessionId);
    if (pending) pending.cancelled = reason;
    this.#rooms.get(sessionId)?.close(reason);
  }

  closeAll(reason: CloseReason): void {
    for (const pending of this.#pending.values()) pending.cancelled = reason;
    for (const room of [...this.#rooms.values()]) room.close(reason);
  }

  /** Stops listening to the worker pool; call after closeAll() on shutdown. */
  dispose(): void {
    this.#pool.off('workerDied', this.#onWorkerDied);
  }

  /** Live media state of a session; `live: false` with no peers when it has no room. */
  mediaState(sessionId: string): SessionMediaState {
    return this.get(sessionId)?.mediaState() ?? { sessionId, live: false, peers: [] };
  }

  rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  stats(): { rooms: number; peers: number } {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.peerCount;
    return { rooms: this.#rooms.size, peers };
  }

  async #create(sessionId: string): Promise<Room> {
    let room: Room;
    try {
      room = await Room.create({ sessionId, worker: this.#pool.next(), config: this.#config, log: this.#log, leadGraceMs: this.#config.leadGraceMs });
    } catch (error) {
      // The chosen worker may have died in the meantime: one more try on another.
      if (!isWorkerGone(error)) throw error;
      this.#log.warn('room creation hit a closed worker; retrying', { sessionId });
      room = await Room.create({ sessionId, worker: this.#pool.next(), config: this.#config, log: this.#log, leadGraceMs: this.#config.leadGraceMs });
    }
    try {
      room.restore(await this.#memory.load(sessionId));
      await this.#prepare?.(room);
    } catch (error) {
      room.close('reconnect');
      throw error;
    }
    const cancelled = this.#pending.get(sessionId)?.cancelled;
    if (cancelled) {
      room.close(cancelled);
      throw new AppError('gone', 'The mediation room is closed');
    }
    if (room.closed) throw new AppError('unavailable', 'Media server restarted, please retry');

    this.#rooms.set(sessionId, room);
    room.on('empty', () => room.close('ended'));
    const remember = (what: string, write: Promise<void>) =>
      write.catch((error: unknown) => this.#log.warn(`could not remember ${what}`, { sessionId, error }));
    room.on('participantRemoved', (identity) => void remember('a removal', this.#memory.addRemoved(sessionId, identity)));
    room.on('leadChanged', (identity) => void remember('the lead', this.#memory.setLead(sessionId, identity)));
    room.once('closed', (reason) => {
      if (this.#rooms.get(sessionId) === room) this.#rooms.delete(sessionId);
      // Closed on purpose (everyone left, the session ended): the next room starts afresh. Closed
      // because this process is stopping or lost the room: the lead is kept for the next owner.
      if (reason === 'ended') void remember('the lead', this.#memory.setLead(sessionId, null));
      this.emit('roomClosed', room, reason);
    });
    this.emit('roomCreated', room);
    return room;
  }

  #closeRoomsOn(worker: Worker): void {
    for (const room of [...this.#rooms.values()]) {
      if (room.worker === worker) room.close('media_server_restarted');
    }
  }
}

function isWorkerGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidStateError';
}
