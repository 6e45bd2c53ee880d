/**
 * join_storm: 200 people joining at once. The real server as a child process (SQLite, one media
 * worker, `node server/main.ts` as operators run it); 200 socket.io clients in this process, each
 * doing what the browser's MediaSession does on entering: the handshake with its invitation token,
 * `room.getRouterRtpCapabilities`, `room.join`, then `transport.create` recv and send.
 *
 * Scenarios: 10 rooms of 20 parties, and 1 room of 200; in each room its mediator is already in
 * (connected and joined) before the storm. Two phases per scenario:
 * - `waiting`: everyone is new, so everyone lands in the waiting room (the mediator sees the list grow);
 * - `admitted`: the mediator admits everyone, all parties leave, then all come back at once: the room
 *   remembers whom the mediator admitted, so they go straight into the joint session, where every
 *   join is seen by everyone already in (peer.joined, room.state to the whole room).
 *
 * Measured per phase: the join ack (socket created → `room.join` answered) p50/p95/max, the same to
 * both transports created, the server's event-loop delay (prom-client's monitorEventLoopDelay, read
 * from /metrics, which resets it at each scrape) and the CPU of the server process, its media worker
 * and this process (the clients) over the storm. Each storm must end with every participation
 * recorded (open rows in SessionParticipation), else the bench fails.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { HandshakeAuth, RequestName, RequestResult, ResponseMap, ServerNotification } from '../server/protocol/signalling.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/protocol/signalling.ts';
import { startChildServer, type ChildServer } from '../tests/helpers/childServer.ts';
import { until } from '../tests/helpers/wait.ts';
import { cpuCount, percentile, readMachineCpu, readProcessCpuTicks, round } from './stats.ts';

const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';
/** Storms per phase; their samples are pooled. */
const ROUNDS = Number(process.env.BENCH_JOIN_STORM_ROUNDS ?? 2);
const CLIENTS = Number(process.env.BENCH_JOIN_STORM_CLIENTS ?? 200);
/** Linux clock ticks per second (USER_HZ) in /proc/<pid>/stat. */
const TICKS_PER_S = 100;
const REQUEST_TIMEOUT_MS = 60_000;
/** Name and number of rooms (the clients are spread evenly); BENCH_JOIN_STORM_ONLY=1x200 runs one. */
const SCENARIOS = (
  [
    ['10x20', 10],
    ['1x200', 1],
  ] as const
).filter(([name]) => !process.env.BENCH_JOIN_STORM_ONLY || process.env.BENCH_JOIN_STORM_ONLY === name);

type Phase = 'waiting' | 'admitted';

interface Client {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  notifications: Map<string, number>;
  request<N extends RequestName>(name: N, data: unknown): Promise<ResponseMap[N]>;
  close(): void;
}

function connect(baseUrl: string, auth: HandshakeAuth): Promise<Client> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: REQUEST_TIMEOUT_MS,
  });
  const notifications = new Map<string, number>();
  socket.on('notification', (n: ServerNotification) => notifications.set(n.name, (notifications.get(n.name) ?? 0) + 1));
  const client: Client = {
    socket,
    notifications,
    request: (name, data) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} timed out`)), REQUEST_TIMEOUT_MS);
        (socket.emit as (ev: string, ...args: unknown[]) => void)('request', { name, data }, (result: RequestResult<unknown>) => {
          clearTimeout(timer);
          if (result.ok) resolve(result.data as never);
          else reject(new Error(`${name}: ${result.error.code} ${result.error.message}`));
        });
      }),
    close: () => socket.disconnect(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.disconnect();
      reject(new Error(`handshake refused: ${error.message} ${JSON.stringify(error.data ?? null)}`));
    });
  });
}

/** What the browser does on entering: capabilities, join, then its two transports. */
async function enter(baseUrl: string, auth: HandshakeAuth, expectPlace: 'lobby' | 'main' | null) {
  const started = performance.now();
  const client = await connect(baseUrl, auth);
  const connected = performance.now();
  const { rtpCapabilities } = await client.request('room.getRouterRtpCapabilities', {});
  const joined = await client.request('room.join', { rtpCapabilities });
  const joinedAt = performance.now();
  if (expectPlace && joined.state.self.place !== expectPlace) throw new Error(`joined in ${joined.state.self.place}, expected ${expectPlace}`);
  await client.request('transport.create', { direction: 'recv' });
  await client.request('transport.create', { direction: 'send' });
  const transportsAt = performance.now();
  return { client, connectMs: connected - started, joinMs: joinedAt - started, transportsMs: transportsAt - started };
}

interface Room {
  sessionId: string;
  /** The mediator's staff login (invites more people). */
  staffToken: string;
  mediator: Client;
  tokens: string[];
}

async function metricsText(server: ChildServer): Promise<string> {
  const res = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!res.ok) throw new Error(`/metrics: ${res.status}`);
  return res.text();
}

const metric = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
};

/** The server's children (its media workers), from /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function openParticipations(server: ChildServer, sessionIds: string[]): Promise<number> {
  return server.testDb.db.sessionParticipation.count({ where: { sessionId: { in: sessionIds }, leftAt: null } });
}

interface StormResult {
  joins: number[];
  transports: number[];
  connects: number[];
  seconds: number;
  serverCpu: number;
  workerCpu: number;
  generatorCpu: number;
  machineBusyCores: number;
  loopMaxMs: number;
  loopP99Ms: number;
  loopMeanMs: number;
  notificationsPerClient: number;
  roomStatesPerClient: number;
  mediatorRoomStates: number;
  recordedMs: number;
  dropped: number;
}

/** Every party of every room enters at once; returns when all have entered and all participations are recorded. */
async function storm(server: ChildServer, rooms: Room[], phase: Phase): Promise<{ result: StormResult; clients: Client[] }> {
  const workers = childPids(server.pid);
  const mediatorStatesBefore = rooms.reduce((a, r) => a + (r.mediator.notifications.get('room.state') ?? 0), 0);
  await metricsText(server); // resets the event-loop delay histogram
  const cpuBefore = {
    server: readProcessCpuTicks(server.pid),
    workers: workers.map(readProcessCpuTicks),
    generator: process.cpuUsage(),
    machine: readMachineCpu(),
  };
  const t0 = performance.now();
  const entries = await Promise.all(
    rooms.flatMap((room) => room.tokens.map((token) => enter(server.baseUrl, { kind: 'invitation', token }, phase === 'waiting' ? 'lobby' : 'main'))),
  );
  const seconds = (performance.now() - t0) / 1000;
  const text = await metricsText(server);
  const generator = process.cpuUsage(cpuBefore.generator);
  const machine = readMachineCpu();
  const cpuAfter = { server: readProcessCpuTicks(server.pid), workers: workers.map(readProcessCpuTicks) };
  const sessionIds = rooms.map((r) => r.sessionId);
  const clients = entries.map((e) => e.client);
  // One open participation per mediator and per party still connected (on an overloaded machine a
  // socket can miss its pings and be dropped; those are counted, and their participations closed).
  const connected = () => rooms.length + clients.filter((c) => c.socket.connected).length;
  let open = 0;
  await until(
    async () => (open = await openParticipations(server, sessionIds)) === connected(),
    () => `every participation recorded: ${open} open, ${connected()} connected`,
    60_000,
    50,
  );
  const recordedMs = performance.now() - t0;
  const notifications = clients.reduce((a, c) => a + [...c.notifications.values()].reduce((x, y) => x + y, 0), 0);
  const roomStates = clients.reduce((a, c) => a + (c.notifications.get('room.state') ?? 0), 0);
  const busyShare = (machine.busy - cpuBefore.machine.busy) / Math.max(1, machine.total - cpuBefore.machine.total);
  return {
    clients,
    result: {
      joins: entries.map((e) => e.joinMs),
      transports: entries.map((e) => e.transportsMs),
      connects: entries.map((e) => e.connectMs),
      seconds,
      serverCpu: (cpuAfter.server - cpuBefore.server) / TICKS_PER_S,
      workerCpu: cpuAfter.workers.reduce((a, t, i) => a + t - cpuBefore.workers[i]!, 0) / TICKS_PER_S,
      generatorCpu: (generator.user + generator.system) / 1e6,
      machineBusyCores: busyShare * cpuCount(),
      loopMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
      loopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      loopMeanMs: metric(text, 'nodejs_eventloop_lag_mean_seconds') * 1000,
      notificationsPerClient: notifications / clients.length,
      roomStatesPerClient: roomStates / clients.length,
      mediatorRoomStates: (rooms.reduce((a, r) => a + (r.mediator.notifications.get('room.state') ?? 0), 0) - mediatorStatesBefore) / rooms.length,
      recordedMs,
      dropped: clients.filter((c) => !c.socket.connected).length,
    },
  };
}

/** Everyone leaves (the mediators stay): the server must see them gone before the next storm. */
async function leaveAll(server: ChildServer, rooms: Room[], clients: Client[]): Promise<void> {
  for (const c of clients) c.close();
  await until(
    async () =>
      (await openParticipations(
        server,
        rooms.map((r) => r.sessionId),
      )) === rooms.length,
    'the parties to have left',
    60_000,
    50,
  );
}

async function setUp(server: ChildServer, roomCount: number, perRoom: number): Promise<Room[]> {
  const rooms: Room[] = [];
  for (let r = 0; r < roomCount; r++) {
    const { token, session } = await server.mediatorWithSession();
    const mediator = (await enter(server.baseUrl, { kind: 'staff', token, sessionId: session.id }, 'main')).client;
    const room: Room = { sessionId: session.id, staffToken: token, mediator, tokens: Array.from({ length: perRoom }, () => '') };
    room.tokens = await freshTokens(server, room);
    rooms.push(room);
  }
  return rooms;
}

interface Row {
  scenario: string;
  phase: Phase;
  joins: number;
  /** Sockets the server dropped (missed pings) before the storm was over. */
  dropped: number;
  join_p50_ms: number;
  join_p95_ms: number;
  join_max_ms: number;
  connect_p50_ms: number;
  transports_p95_ms: number;
  storm_s: number;
  recorded_s: number;
  loop_delay_max_ms: number;
  loop_delay_p99_ms: number;
  server_cpu_pct: number;
  /** CPU seconds the server spent on one storm: less dependent on what else the machine runs than the times. */
  server_cpu_s: number;
  worker_cpu_pct: number;
  generator_cpu_pct: number;
  machine_busy_cores: number;
  notes_per_client: number;
  room_states_per_client: number;
  mediator_room_states: number;
}

function summarise(scenario: string, phase: Phase, results: StormResult[]): Row {
  const sorted = (f: (r: StormResult) => number[]) => results.flatMap(f).sort((a, b) => a - b);
  const joins = sorted((r) => r.joins);
  const seconds = results.reduce((a, r) => a + r.seconds, 0);
  const mean = (f: (r: StormResult) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
  const max = (f: (r: StormResult) => number) => Math.max(...results.map(f));
  const pct = (f: (r: StormResult) => number) => round((results.reduce((a, r) => a + f(r), 0) / seconds) * 100);
  return {
    scenario,
    phase,
    joins: joins.length,
    dropped: results.reduce((a, r) => a + r.dropped, 0),
    join_p50_ms: Math.round(percentile(joins, 50)),
    join_p95_ms: Math.round(percentile(joins, 95)),
    join_max_ms: Math.round(joins.at(-1) ?? NaN),
    connect_p50_ms: Math.round(
      percentile(
        sorted((r) => r.connects),
        50,
      ),
    ),
    transports_p95_ms: Math.round(
      percentile(
        sorted((r) => r.transports),
        95,
      ),
    ),
    storm_s: round(
      mean((r) => r.seconds),
      2,
    ),
    recorded_s: round(mean((r) => r.recordedMs) / 1000, 2),
    loop_delay_max_ms: Math.round(max((r) => r.loopMaxMs)),
    loop_delay_p99_ms: Math.round(max((r) => r.loopP99Ms)),
    server_cpu_pct: pct((r) => r.serverCpu),
    server_cpu_s: round(
      mean((r) => r.serverCpu),
      2,
    ),
    worker_cpu_pct: pct((r) => r.workerCpu),
    generator_cpu_pct: pct((r) => r.generatorCpu),
    machine_busy_cores: round(
      mean((r) => r.machineBusyCores),
      2,
    ),
    notes_per_client: round(
      mean((r) => r.notificationsPerClient),
      1,
    ),
    room_states_per_client: round(
      mean((r) => r.roomStatesPerClient),
      1,
    ),
    mediator_room_states: round(
      mean((r) => r.mediatorRoomStates),
      1,
    ),
  };
}

async function scenario(server: ChildServer, name: string, roomCount: number): Promise<Row[]> {
  const perRoom = Math.round(CLIENTS / roomCount);
  const rooms = await setUp(server, roomCount, perRoom);
  try {
    const byPhase: Record<Phase, StormResult[]> = { waiting: [], admitted: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Newcomers: all to the waiting room. The mediator's admission is remembered by identity…
      const waiting = await storm(server, rooms, 'waiting');
      byPhase.waiting.push(waiting.result);
      process.stderr.write(
        `  ${name} waiting ${round + 1}/${ROUNDS}: join p95 ${Math.round(
          percentile(
            [...waiting.result.joins].sort((a, b) => a - b),
            95,
          ),
        )} ms\n`,
      );
      for (const room of rooms) await room.mediator.request('lobby.admitAll', {});
      await leaveAll(server, rooms, waiting.clients);
      // …so the same people coming back go straight into the joint session.
      const admitted = await storm(server, rooms, 'admitted');
      byPhase.admitted.push(admitted.result);
      process.stderr.write(
        `  ${name} admitted ${round + 1}/${ROUNDS}: join p95 ${Math.round(
          percentile(
            [...admitted.result.joins].sort((a, b) => a - b),
            95,
          ),
        )} ms\n`,
      );
      await leaveAll(server, rooms, admitted.clients);
      // Next round: new people again.
      if (round + 1 < ROUNDS) {
        for (const room of rooms) room.tokens = await freshTokens(server, room);
      }
    }
    return (['waiting', 'admitted'] as const).map((phase) => summarise(name, phase, byPhase[phase]));
  } finally {
    for (const room of rooms) room.mediator.close();
  }
}

/** New invitations for a room (new identities: they wait again). */
async function freshTokens(server: ChildServer, room: Room): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < room.tokens.length; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, room.tokens.length - i) }, (_, k) =>
        server.invite(room.staffToken, room.sessionId, {
          role: 'party',
          displayName: `当事人${i + k + 1}`,
          side: (i + k) % 2 === 0 ? 'applicant' : 'respondent',
        }),
      ),
    );
    tokens.push(...batch.map((b) => b.token));
  }
  return tokens;
}

export async function benchJoinStorm(): Promise<Record<string, unknown>> {
  // e.g. `--import ./profile.mjs`: a preload that profiles the server (NODE_OPTIONS refuses --cpu-prof).
  const nodeOptions = process.env.BENCH_JOIN_STORM_SERVER_NODE_OPTIONS;
  const server = await startChildServer({
    env: {
      METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  });
  try {
    const rows: Row[] = [];
    for (const [name, roomCount] of SCENARIOS) rows.push(...(await scenario(server, name, roomCount)));
    const find = (s: string, p: Phase) => rows.find((r) => r.scenario === s && r.phase === p)?.join_p95_ms ?? null;
    const p50 = (s: string) => rows.find((r) => r.scenario === s && r.phase === 'waiting')?.join_p50_ms ?? null;
    return {
      clients: CLIENTS,
      rounds: ROUNDS,
      rooms_10x20_join_p50_ms: p50('10x20'),
      rooms_10x20_join_p95_ms: find('10x20', 'waiting'),
      rooms_10x20_admitted_join_p95_ms: find('10x20', 'admitted'),
      room_1x200_join_p50_ms: p50('1x200'),
      room_1x200_join_p95_ms: find('1x200', 'waiting'),
      room_1x200_admitted_join_p95_ms: find('1x200', 'admitted'),
      runs: rows,
    };
  } finally {
    await server.close();
  }
}
