/**
 * signalling_throughput: acknowledged socket.io requests per second through nginx, with one node
 * and with two nodes behind it, in the same run (tests/helpers/clusterTopology.ts: PostgreSQL,
 * Redis, the server processes in cluster mode and nginx from the cluster template, on loopback).
 *
 * Several sessions, each a mediator (staff login) and parties (invitation links); every client
 * connects through the proxy straight to its room's owner with ?node= and follows a `wrong_node`
 * refusal to the node it names, then sends `producer.list` in a closed loop (one request in flight
 * per client). `producer.list` is the cheapest request every role may send: the whole request
 * path (socket.io, the request context, metrics, the dispatcher's permission table and
 * validation) and no mediasoup call. The figure is requests acknowledged per second over all
 * clients, and the latency of one request from emit to ack.
 *
 * Both topologies run side by side, their clients connected, and take turns: ROUNDS rounds of one
 * window each, so a neighbour's load that comes and goes falls on both alike.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEARTBEAT_MS } from '../server/cluster/NodeDirectory.ts';
import type { WireError } from '../server/protocol/errors.ts';
import type { PartySide } from '../server/protocol/roles.ts';
import type { HandshakeAuth } from '../server/protocol/signalling.ts';
import { startClusterTopology, type ClusterTopology } from '../tests/helpers/clusterTopology.ts';
import { serverHelpers } from '../tests/helpers/fullServer.ts';
import { connectSocket, type TestSocket } from '../tests/helpers/socketClient.ts';
import { openTestDb, type TestDb } from '../tests/helpers/testDb.ts';
import { cpuCount, percentile, readMachineCpu, readProcessCpuTicks, round } from './stats.ts';

const SESSIONS = Number(process.env.BENCH_SIGNALLING_SESSIONS ?? 8);
/** Per session: the mediator and this many parties. */
const PARTIES_PER_SESSION = 5;
/** Each window: the loops run this long before the window opens. */
const WARMUP_MS = 1000;
const WINDOW_MS = Number(process.env.BENCH_SIGNALLING_WINDOW_MS ?? 5000);
const ROUNDS = Number(process.env.BENCH_SIGNALLING_ROUNDS ?? 3);
const REQUEST = 'producer.list';
const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';
/** Linux clock ticks per second (USER_HZ) in /proc/<pid>/stat. */
const TICKS_PER_S = 100;

export interface ThroughputRow {
  nodes: number;
  clients: number;
  sessions: number;
  seconds: number;
  acked: number;
  requests_per_s: number;
  /** requests/s of each window, in the order they ran. */
  per_window: string;
  p50_ms: number;
  p95_ms: number;
  errors: number;
  /** Clients sent on by wrong_node before they connected (their first guess was not the owner). */
  redirects: number;
  rooms_per_node: string;
  /** cm_socket_requests_total of REQUEST on each node's own /metrics, over the windows and their warm-ups. */
  served_per_node: string;
  /** % of one core over the windows: each server process, nginx, this process (the load generator), and the rest (Redis, PostgreSQL, the OS, neighbours). */
  node_cpu_pct: string;
  nginx_cpu_pct: number;
  generator_cpu_pct: number;
  others_cpu_pct: number;
  machine_idle_pct: number;
}

interface Client {
  socket: TestSocket;
  node: string;
}

/** Through the proxy to `node` (?node=); a `wrong_node` refusal is followed to the node it names. */
async function connectToOwner(proxyUrl: string, auth: HandshakeAuth, node: string): Promise<{ client: Client; redirects: number }> {
  let redirects = 0;
  for (;;) {
    try {
      const socket = await connectSocket(proxyUrl, auth, { query: { node } });
      return { client: { socket, node }, redirects };
    } catch (error) {
      const wire = (error as { wire?: WireError }).wire;
      const owner = wire?.code === 'wrong_node' ? wire.params?.node : undefined;
      if (typeof owner !== 'string' || redirects >= 3) throw error;
      node = owner;
      redirects++;
    }
  }
}

const health = async (topology: ClusterTopology, id: string) =>
  (await (await fetch(`${topology.node(id).baseUrl}/api/health`)).json()) as { rooms: number; peers: number };

/** cm_socket_requests_total{request=REQUEST} of one node, from its own /metrics (not through the proxy). */
async function servedBy(topology: ClusterTopology, id: string): Promise<number> {
  const res = await fetch(`${topology.node(id).baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!res.ok) throw new Error(`/metrics of node ${id}: ${res.status}`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`cm_socket_requests_total{request="${REQUEST}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const commOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

interface CpuSample {
  nodes: number[];
  nginx: number;
  generator: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
}

interface Window {
  seconds: number;
  latencies: number[];
  errors: number;
  /** CPU seconds over the window. */
  cpu: { nodes: number[]; nginx: number; generator: number; busyCores: number; idleShare: number };
}

/** One topology with its sessions and connected clients, ready to be loaded window by window. */
interface Rig {
  nodeIds: string[];
  clients: Client[];
  redirects: number;
  roomsPerNode: number[];
  window(ms: number): Promise<Window>;
  servedPerNode(): Promise<number[]>;
  close(): Promise<void>;
}

/** Sessions and clients on a running topology (stopped by the caller). */
async function rig(topology: ClusterTopology): Promise<Rig> {
  const nodeIds = topology.nodeIds;
  let testDb: TestDb | undefined;
  const clients: Client[] = [];
  const close = async () => {
    for (const c of clients) c.socket.close();
    await testDb?.db.$disconnect();
  };
  try {
    testDb = openTestDb(topology.dataDir, topology.databaseUrl);
    const s = serverHelpers(topology.proxyUrl, testDb);
    const sessions = [];
    for (let i = 0; i < SESSIONS; i++) {
      const { token, session } = await s.mediatorWithSession();
      const invitations = [];
      for (let p = 0; p < PARTIES_PER_SESSION; p++) {
        const side: PartySide = p % 2 === 0 ? 'applicant' : 'respondent';
        invitations.push(await s.invite(token, session.id, { role: 'party', displayName: `当事人${p + 1}`, side }));
      }
      sessions.push({ token, sessionId: session.id, invitations });
    }

    // Mediators first, one session at a time, each guessing a node in turn: the first handshake
    // places the room on the least-loaded node, which the others learn from the heartbeats (every
    // HEARTBEAT_MS), so waiting a beat between sessions spreads the rooms.
    let redirects = 0;
    const owners: string[] = [];
    for (const [i, session] of sessions.entries()) {
      const auth = { kind: 'staff' as const, token: session.token, sessionId: session.sessionId };
      const { client, redirects: r } = await connectToOwner(topology.proxyUrl, auth, nodeIds[i % nodeIds.length]!);
      clients.push(client);
      owners.push(client.node);
      redirects += r;
      await sleep(HEARTBEAT_MS + 200);
    }
    // The parties go straight to their room's owner.
    const parties = await Promise.all(
      sessions.flatMap((session, i) =>
        session.invitations.map((inv) => connectToOwner(topology.proxyUrl, { kind: 'invitation', token: inv.token }, owners[i]!)),
      ),
    );
    for (const p of parties) {
      clients.push(p.client);
      redirects += p.redirects;
    }

    // Every client is a peer on the node it talks to, and nowhere else.
    const placed = await Promise.all(nodeIds.map((id) => health(topology, id)));
    nodeIds.forEach((id, i) => {
      const expected = clients.filter((c) => c.node === id).length;
      if (placed[i]!.peers !== expected)
        throw new Error(`node ${id} holds ${placed[i]!.peers} peers, ${expected} clients talk to it: ${JSON.stringify(placed)}`);
    });

    const nodePids = nodeIds.map((id) => topology.node(id).pid);
    const nginxPids = topology.pids().filter((pid) => commOf(pid) === 'nginx');
    const sample = (): CpuSample => ({
      nodes: nodePids.map(readProcessCpuTicks),
      nginx: nginxPids.reduce((sum, pid) => sum + readProcessCpuTicks(pid), 0),
      generator: process.cpuUsage(),
      machine: readMachineCpu(),
    });

    // One request in flight per client; only what is sent and acknowledged inside the window counts.
    const window = async (ms: number): Promise<Window> => {
      let stopping = false;
      let opens = Infinity;
      let closes = Infinity;
      const latencies: number[] = [];
      let errors = 0;
      const failures: string[] = [];
      const loops = clients.map(async (client) => {
        while (!stopping) {
          const sent = performance.now();
          const result = await client.socket.send(REQUEST, {}).catch((error: unknown) => {
            failures.push(
              `${client.node} ${client.socket.socket.connected ? 'connected' : 'disconnected'}: ${String(error)}; notifications ${JSON.stringify(client.socket.notifications.slice(-3))}`,
            );
            return { ok: false as const };
          });
          const acked = performance.now();
          if (!result.ok && !client.socket.socket.connected) return;
          if (sent >= opens && acked <= closes) {
            if (result.ok) latencies.push(acked - sent);
            else errors++;
          }
        }
      });
      await sleep(WARMUP_MS);
      const before = sample();
      opens = performance.now();
      closes = opens + ms;
      await sleep(ms);
      const after = sample();
      const seconds = (performance.now() - opens) / 1000;
      stopping = true;
      await Promise.all(loops);
      if (failures.length > 0) throw new Error(`${nodeIds.length} node(s): ${failures.length} requests failed, e.g. ${failures.slice(0, 3).join(' | ')}`);
      const generator = process.cpuUsage(before.generator);
      const machineTotal = after.machine.total - before.machine.total;
      const busyShare = machineTotal > 0 ? (after.machine.busy - before.machine.busy) / machineTotal : NaN;
      return {
        seconds,
        latencies,
        errors,
        cpu: {
          nodes: nodePids.map((_, i) => (after.nodes[i]! - before.nodes[i]!) / TICKS_PER_S),
          nginx: (after.nginx - before.nginx) / TICKS_PER_S,
          generator: (generator.user + generator.system) / 1e6,
          busyCores: busyShare * cpuCount() * seconds,
          idleShare: 1 - busyShare,
        },
      };
    };

    return {
      nodeIds,
      clients,
      redirects,
      roomsPerNode: placed.map((h) => h.rooms),
      window,
      servedPerNode: () => Promise.all(nodeIds.map((id) => servedBy(topology, id))),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function summarise(r: Rig, windows: Window[], served: number[]): ThroughputRow {
  const seconds = windows.reduce((a, w) => a + w.seconds, 0);
  const latencies = windows.flatMap((w) => w.latencies).sort((a, b) => a - b);
  const cpuSum = (f: (w: Window) => number) => windows.reduce((a, w) => a + f(w), 0);
  const pct = (cpuSeconds: number) => round((cpuSeconds / seconds) * 100);
  const nodeCpu = r.nodeIds.map((_, i) => cpuSum((w) => w.cpu.nodes[i]!));
  const accounted = nodeCpu.reduce((a, b) => a + b, 0) + cpuSum((w) => w.cpu.nginx) + cpuSum((w) => w.cpu.generator);
  const perNode = (values: Array<number | string>) => r.nodeIds.map((id, i) => `${id}:${values[i]}`).join(' ');
  return {
    nodes: r.nodeIds.length,
    clients: r.clients.length,
    sessions: SESSIONS,
    seconds: round(seconds, 2),
    acked: latencies.length,
    requests_per_s: Math.round(latencies.length / seconds),
    per_window: windows.map((w) => Math.round(w.latencies.length / w.seconds)).join(' '),
    p50_ms: round(percentile(latencies, 50), 2),
    p95_ms: round(percentile(latencies, 95), 2),
    errors: windows.reduce((a, w) => a + w.errors, 0),
    redirects: r.redirects,
    rooms_per_node: perNode(r.roomsPerNode),
    served_per_node: perNode(served),
    node_cpu_pct: perNode(nodeCpu.map(pct)),
    nginx_cpu_pct: pct(cpuSum((w) => w.cpu.nginx)),
    generator_cpu_pct: pct(cpuSum((w) => w.cpu.generator)),
    others_cpu_pct: pct(cpuSum((w) => w.cpu.busyCores) - accounted),
    machine_idle_pct: round((cpuSum((w) => w.cpu.idleShare * w.seconds) / seconds) * 100),
  };
}

export async function benchSignallingThroughput(): Promise<Record<string, unknown>> {
  const topologies: ClusterTopology[] = [];
  const rigs: Rig[] = [];
  try {
    // Both topologies first: starting one blocks this process for seconds (initdb, migrations run
    // synchronously), long enough for connected clients to miss their pings.
    // The one-node topology's RTC ports must not overlap the two-node one's (42000–42399, per clusterTopology).
    topologies.push(await startClusterTopology({ nodes: ['a'], env: { METRICS_TOKEN, RTC_MIN_PORT: '42400', RTC_MAX_PORT: '42599' } }));
    topologies.push(await startClusterTopology({ nodes: ['a', 'b'], env: { METRICS_TOKEN } }));
    for (const t of topologies) rigs.push(await rig(t));
    const windows: Window[][] = rigs.map(() => []);
    const servedBefore = await Promise.all(rigs.map((r) => r.servedPerNode()));
    for (let turn = 0; turn < ROUNDS; turn++) {
      for (const [i, r] of rigs.entries()) {
        const w = await r.window(WINDOW_MS);
        windows[i]!.push(w);
        process.stderr.write(`  round ${turn + 1}/${ROUNDS}, ${r.nodeIds.length} node(s): ${Math.round(w.latencies.length / w.seconds)} requests/s\n`);
      }
    }
    const servedAfter = await Promise.all(rigs.map((r) => r.servedPerNode()));
    const rows = rigs.map((r, i) => {
      const served = servedAfter[i]!.map((n, j) => n - servedBefore[i]![j]!);
      const row = summarise(r, windows[i]!, served);
      // The servers' own count: at least every acknowledged request, and some on every node.
      if (served.reduce((a, b) => a + b, 0) < row.acked)
        throw new Error(`${row.nodes} node(s): the nodes counted ${served.join('+')} ${REQUEST} requests, fewer than the ${row.acked} acks`);
      if (served.some((n) => n === 0)) throw new Error(`${row.nodes} node(s): a node served no requests (${row.served_per_node})`);
      if (row.errors > 0) throw new Error(`${row.nodes} node(s): ${row.errors} requests were answered with an error`);
      return row;
    });
    const [one, two] = rows as [ThroughputRow, ThroughputRow];
    return {
      request: REQUEST,
      window_s: WINDOW_MS / 1000,
      rounds: ROUNDS,
      one_node_requests_per_s: one.requests_per_s,
      two_nodes_requests_per_s: two.requests_per_s,
      two_over_one: round(two.requests_per_s / one.requests_per_s, 2),
      one_node_p50_ms: one.p50_ms,
      one_node_p95_ms: one.p95_ms,
      two_nodes_p50_ms: two.p50_ms,
      two_nodes_p95_ms: two.p95_ms,
      runs: rows,
    };
  } finally {
    for (const r of rigs) await r.close();
    for (const t of topologies) await t.stop();
  }
}
