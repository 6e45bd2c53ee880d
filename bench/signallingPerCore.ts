/**
 * signalling_per_core: acknowledged socket.io requests per second per core of one node, for a
 * cheap request (`hand.set`, toggled, so every request changes the room and is broadcast to its
 * members) and a media one (`consumer.create` of a producer the caller already consumes: the
 * server closes the held consumer and creates a new one in the mediasoup worker).
 *
 * One server process (`server/main.ts`, SQLite, one mediasoup worker, no proxy) and the clients
 * in this process, straight to the node. Each session: a mediator publishing one VP8 producer
 * and parties admitted from the waiting room, every party with a receive transport. Each party
 * sends one request in a closed loop (one in flight). "Per core" is acknowledged requests ÷ CPU
 * seconds the node process used in the window (/proc/<pid>/stat); the worker's CPU is reported
 * next to it (for consume it does part of the work).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChildServer, type ChildServer } from '../tests/helpers/childServer.ts';
import { enterRoom, stateWhere, type Member } from '../tests/helpers/room.ts';
import { vp8Parameters } from '../tests/helpers/rtp.ts';
import type { TestSocket } from '../tests/helpers/socketClient.ts';
import { percentile, readMachineCpu, readProcessCpuTicks, round } from './stats.ts';

const SESSIONS = Number(process.env.BENCH_SIGNALLING_CORE_SESSIONS ?? 4);
const PARTIES_PER_SESSION = 5;
const WARMUP_MS = 1000;
const WINDOW_MS = Number(process.env.BENCH_SIGNALLING_CORE_WINDOW_MS ?? 5000);
const ROUNDS = Number(process.env.BENCH_SIGNALLING_CORE_ROUNDS ?? 3);
/** Linux clock ticks per second (USER_HZ) in /proc/<pid>/stat. */
const TICKS_PER_S = 100;

type Kind = 'hand.set' | 'consumer.create';

interface Loader {
  party: Member;
  producerId: string;
  raised: boolean;
}

interface WindowResult {
  seconds: number;
  latencies: number[];
  nodeCpuS: number;
  workerCpuS: number;
  machineIdle: number;
}

/** Child processes of `pid` (the server's mediasoup workers). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

const requestOf: Record<Kind, (l: Loader, s: TestSocket) => Promise<{ ok: boolean }>> = {
  'hand.set': (l, s) => {
    l.raised = !l.raised;
    return s.send('hand.set', { raised: l.raised });
  },
  'consumer.create': (l, s) => s.send('consumer.create', { transportId: l.party.recvId, producerId: l.producerId }),
};

export async function benchSignallingPerCore(): Promise<Record<string, unknown>> {
  let server: ChildServer | undefined;
  const sockets: TestSocket[] = [];
  try {
    server = await startChildServer({ env: { LOG_LEVEL: 'warn' } });
    const baseUrl = server.baseUrl;
    const loaders: Loader[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const { token, session } = await server.mediatorWithSession();
      const mediator = await enterRoom(baseUrl, sockets, { kind: 'staff', token, sessionId: session.id });
      const send = await mediator.s.request('transport.create', { direction: 'send' });
      const { producerId } = await mediator.s.request('producer.create', {
        transportId: send.id,
        kind: 'video',
        source: 'webcam',
        rtpParameters: vp8Parameters(),
      });
      const parties: Member[] = [];
      for (let p = 0; p < PARTIES_PER_SESSION; p++) {
        const inv = await server.invite(token, session.id, {
          role: 'party',
          displayName: `当事人${p + 1}`,
          side: p % 2 === 0 ? 'applicant' : 'respondent',
        });
        parties.push(await enterRoom(baseUrl, sockets, { kind: 'invitation', token: inv.token }));
      }
      await stateWhere(mediator.s, (st) => st.roster.filter((r) => r.place === 'lobby').length === PARTIES_PER_SESSION, 'parties in the waiting room', 10_000);
      await mediator.s.request('lobby.admitAll', {});
      for (const party of parties) {
        await stateWhere(party.s, (st) => st.self.place === 'main', 'admitted', 10_000);
        loaders.push({ party, producerId, raised: false });
      }
    }
    const nodePid = server.pid;
    const workerPids = childPids(nodePid);
    if (workerPids.length === 0) throw new Error('no mediasoup worker under the server process');

    const window = async (kind: Kind): Promise<WindowResult> => {
      let stopping = false;
      let opens = Infinity;
      let closes = Infinity;
      const latencies: number[] = [];
      const failures: string[] = [];
      const loops = loaders.map(async (l) => {
        while (!stopping) {
          const sent = performance.now();
          const result = await requestOf[kind](l, l.party.s).catch((e: unknown) => ({ ok: false, error: String(e) }));
          const acked = performance.now();
          if (!result.ok) {
            failures.push(JSON.stringify(result));
            return;
          }
          if (sent >= opens && acked <= closes) latencies.push(acked - sent);
        }
      });
      await sleep(WARMUP_MS);
      const node0 = readProcessCpuTicks(nodePid);
      const worker0 = workerPids.reduce((a, p) => a + readProcessCpuTicks(p), 0);
      const m0 = readMachineCpu();
      opens = performance.now();
      closes = opens + WINDOW_MS;
      await sleep(WINDOW_MS);
      const node1 = readProcessCpuTicks(nodePid);
      const worker1 = workerPids.reduce((a, p) => a + readProcessCpuTicks(p), 0);
      const m1 = readMachineCpu();
      const seconds = (performance.now() - opens) / 1000;
      stopping = true;
      await Promise.all(loops);
      for (const s of sockets) s.notifications.length = 0;
      if (failures.length > 0) throw new Error(`${kind}: ${failures.length} requests failed, e.g. ${failures.slice(0, 2).join(' | ')}`);
      return {
        seconds,
        latencies,
        nodeCpuS: (node1 - node0) / TICKS_PER_S,
        workerCpuS: (worker1 - worker0) / TICKS_PER_S,
        machineIdle: m1.total > m0.total ? 1 - (m1.busy - m0.busy) / (m1.total - m0.total) : NaN,
      };
    };

    const kinds: Kind[] = ['hand.set', 'consumer.create'];
    const results: Record<Kind, WindowResult[]> = { 'hand.set': [], 'consumer.create': [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of kinds) {
        const w = await window(kind);
        results[kind].push(w);
        process.stderr.write(
          `  round ${r + 1}/${ROUNDS} ${kind}: ${Math.round(w.latencies.length / w.seconds)} requests/s, node ${round((w.nodeCpuS / w.seconds) * 100)}% CPU\n`,
        );
      }
    }

    const summary = (kind: Kind) => {
      const ws = results[kind];
      const seconds = ws.reduce((a, w) => a + w.seconds, 0);
      const acked = ws.reduce((a, w) => a + w.latencies.length, 0);
      const nodeCpuS = ws.reduce((a, w) => a + w.nodeCpuS, 0);
      const workerCpuS = ws.reduce((a, w) => a + w.workerCpuS, 0);
      const lat = ws.flatMap((w) => w.latencies).sort((a, b) => a - b);
      return {
        request: kind,
        clients: loaders.length,
        seconds: round(seconds, 2),
        acked,
        requests_per_s: Math.round(acked / seconds),
        node_cpu_pct: round((nodeCpuS / seconds) * 100),
        worker_cpu_pct: round((workerCpuS / seconds) * 100),
        requests_per_node_core_s: nodeCpuS > 0 ? Math.round(acked / nodeCpuS) : null,
        requests_per_core_s_node_and_worker: nodeCpuS + workerCpuS > 0 ? Math.round(acked / (nodeCpuS + workerCpuS)) : null,
        node_cpu_us_per_request: acked > 0 ? round((nodeCpuS * 1e6) / acked) : null,
        p50_ms: round(percentile(lat, 50), 2),
        p95_ms: round(percentile(lat, 95), 2),
        per_window: ws.map((w) => Math.round(w.latencies.length / w.seconds)).join(' '),
        machine_idle_pct: round((ws.reduce((a, w) => a + w.machineIdle * w.seconds, 0) / seconds) * 100),
      };
    };
    const hand = summary('hand.set');
    const consume = summary('consumer.create');
    return {
      sessions: SESSIONS,
      clients: loaders.length,
      window_s: WINDOW_MS / 1000,
      rounds: ROUNDS,
      hand_set_requests_per_core_s: hand.requests_per_node_core_s,
      hand_set_requests_per_s: hand.requests_per_s,
      hand_set_node_cpu_pct: hand.node_cpu_pct,
      consume_requests_per_core_s: consume.requests_per_node_core_s,
      consume_requests_per_core_s_with_worker: consume.requests_per_core_s_node_and_worker,
      consume_requests_per_s: consume.requests_per_s,
      consume_node_cpu_pct: consume.node_cpu_pct,
      runs: [hand, consume],
    };
  } finally {
    for (const s of sockets) s.close();
    await server?.close();
  }
}
