import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderClusterConf } from '../../ops/nginx/render.ts';
import { freePort } from './freePort.ts';
import { alive, gone } from './processes.ts';
import { FULL_TEST_SECRET } from './fullServer.ts';
import { adminQuery, startCluster, stopCluster, TEMPLATE_DB, type PgCluster } from './postgresCluster.ts';
import { startRedis, type RedisServer } from './redisServer.ts';
import { until } from './wait.ts';

/*
 * Several nodes behind one address, all on loopback: PostgreSQL (one database copied from the
 * migrated template), Redis, N server processes in cluster mode (`node --import tsx server/main.ts`,
 * ids a, b, … sharing one DATA_DIR, disjoint RTC port ranges) and nginx configured from
 * ops/nginx/cluster.conf.template, the same template docker-compose.cluster.yml renders.
 * Every process is stopped by PID in stop(), and killed at process exit should a test not get there.
 *
 * Browser tests force first contact with a node through the proxy with the cm_node cookie:
 *   await context.addCookies([firstContactCookie(topology, 'b')]);
 * which is `{ name: 'cm_node', value: 'b', url: topology.proxyUrl }`.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mainFile = path.join(root, 'server/main.ts');
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
/** RTC ports: node i gets RTC_BASE + i·RTC_SPAN … + RTC_SPAN − 1. */
const RTC_BASE = 42000;
const RTC_SPAN = 200;

export interface TopologyNode {
  id: string;
  port: number;
  /** http://127.0.0.1:<port>, the node itself (NODE_URL), not through the proxy. */
  baseUrl: string;
  rtcPorts: { min: number; max: number };
  /** The server process's pid; 0 while it is not running. */
  readonly pid: number;
  readonly running: boolean;
  /** The last 8000 characters of what the current (or last) process wrote to stdout and stderr. */
  output(): string;
}

export interface ClusterTopology {
  /** http://127.0.0.1:<port> of nginx: every node behind one address (the nodes' PUBLIC_URL). */
  proxyUrl: string;
  /** postgresql://postgres@127.0.0.1:<port>/<database>, shared by the nodes. */
  databaseUrl: string;
  redisUrl: string;
  /** The nodes' shared DATA_DIR (the "shared volume"). */
  dataDir: string;
  nodeIds: string[];
  node(id: string): TopologyNode;
  /** Starts the node (again, same port, same settings) and waits until /api/health answers with its id. */
  start(id: string): Promise<void>;
  /** SIGKILL (a crash), and waits until the process is gone. */
  kill(id: string): Promise<void>;
  /** Stops everything by PID (nodes, nginx, Redis, PostgreSQL) and removes the temp dirs. Idempotent. */
  stop(): Promise<void>;
  /** Every process this topology started, with its helpers (mediasoup workers, nginx workers), so far. */
  pids(): number[];
  /** The nginx error log. */
  proxyLog(): string;
  /** Each node's output and the proxy log, for a failure message. */
  describe(): string;
}

export interface ClusterTopologyOptions {
  /** Node ids (default ['a', 'b']). */
  nodes?: string[];
  /** More environment for every node. */
  env?: Record<string, string>;
}

/** The cookie that sends a browser's first socket.io contact through the proxy to `nodeId`. */
export function firstContactCookie(topology: Pick<ClusterTopology, 'proxyUrl'>, nodeId: string): { name: string; value: string; url: string } {
  return { name: 'cm_node', value: nodeId, url: topology.proxyUrl };
}

/** The live descendants of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      visit(c);
    }
  };
  visit(pid);
  return out;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

function tail(file: string, chars = 4000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

const exitOf = (proc: ChildProcess) =>
  proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => proc.once('exit', () => resolve()));

export async function startClusterTopology(options: ClusterTopologyOptions = {}): Promise<ClusterTopology> {
  const ids = options.nodes ?? ['a', 'b'];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-topo-data-'));
  const nginxDir = mkdtempSync(path.join(os.tmpdir(), 'cm-topo-nginx-'));
  const proxyPort = await freePort();
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  const started = new Set<number>();
  let pg: PgCluster | undefined;
  /** The run's PostgreSQL (TEST_PG_URL from scripts/run-tests.sh) is only borrowed: our database is dropped, the cluster stays. */
  const borrowedPg = process.env.TEST_PG_URL;
  let databaseUrl = '';
  let redis: RedisServer | undefined;
  let nginx: ChildProcess | undefined;
  let stopped = false;

  interface NodeState extends TopologyNode {
    child: ChildProcess | undefined;
    log: string;
  }
  const nodes = new Map<string, NodeState>();

  const track = (pid: number | undefined) => {
    if (pid) {
      started.add(pid);
      for (const d of descendants(pid)) started.add(d);
    }
  };

  // Should the test process end without stop() (a crash, --test-force-exit): nothing may survive it.
  const onExit = () => {
    for (const pid of started) kill(pid, 'SIGKILL');
    if (pg) stopCluster(pg);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(nginxDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // redisServer's process handle is unref'd: without this timer the loop may end while we wait for its exit.
    const keepAlive = setInterval(() => {}, 1000);
    for (const n of nodes.values()) if (n.child) track(n.child.pid);
    if (nginx?.pid) track(nginx.pid);
    await Promise.all(
      [...nodes.values()].map(async (n) => {
        if (n.child && n.running) {
          n.child.kill('SIGKILL');
          await exitOf(n.child);
        }
      }),
    );
    if (nginx) {
      nginx.kill('SIGTERM');
      await exitOf(nginx);
    }
    await redis?.stop();
    if (borrowedPg && databaseUrl) {
      await adminQuery(borrowedPg, `DROP DATABASE IF EXISTS ${path.basename(databaseUrl)} WITH (FORCE)`).catch(() => {});
    }
    if (pg) {
      kill(pg.pid, 'SIGQUIT');
      await gone(pg.pid, 'PostgreSQL').catch(() => {});
      stopCluster(pg);
    }
    // Helpers of killed processes (mediasoup workers exit when their channel closes): give them a moment, then no mercy.
    const end = Date.now() + 5000;
    while ([...started].some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    for (const pid of started) if (alive(pid)) kill(pid, 'SIGKILL');
    clearInterval(keepAlive);
    process.removeListener('exit', onExit);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(nginxDir, { recursive: true, force: true });
  };

  try {
    const [cluster, redisServer] = await Promise.all([borrowedPg ? Promise.resolve(undefined) : startCluster(), startRedis()]);
    pg = cluster;
    redis = redisServer;
    track(pg?.pid);
    track(redis.pid);
    const pgUrl = borrowedPg ?? pg!.url;
    const dbName = `cm_topo_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(pgUrl, `CREATE DATABASE ${dbName} TEMPLATE ${TEMPLATE_DB}`);
    databaseUrl = `${pgUrl}/${dbName}`;

    for (const [i, id] of ids.entries()) {
      const port = await freePort();
      const rtcPorts = { min: RTC_BASE + i * RTC_SPAN, max: RTC_BASE + (i + 1) * RTC_SPAN - 1 };
      const state: NodeState = {
        id,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        rtcPorts,
        child: undefined,
        log: '',
        get pid() {
          return this.running ? this.child!.pid! : 0;
        },
        get running() {
          return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
        },
        output() {
          return this.log;
        },
      };
      nodes.set(id, state);
    }

    const nodeOf = (id: string): NodeState => {
      const n = nodes.get(id);
      if (!n) throw new Error(`no node "${id}" in this topology (${ids.join(', ')})`);
      return n;
    };

    const startNode = async (id: string) => {
      const n = nodeOf(id);
      if (n.running) throw new Error(`node ${id} is running already`);
      n.log = '';
      const proc = spawn(process.execPath, ['--import', 'tsx', mainFile], {
        cwd: root,
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: String(n.port),
          PUBLIC_URL: proxyUrl,
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          JWT_SECRET: FULL_TEST_SECRET,
          REDIS_URL: redis!.url,
          NODE_ID: id,
          NODE_URL: n.baseUrl,
          // The proxy is on loopback: its X-Forwarded-For names the client.
          TRUST_PROXY: 'loopback',
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          MEDIASOUP_WORKERS: '1',
          RTC_LISTEN_IP: '127.0.0.1',
          RTC_MIN_PORT: String(n.rtcPorts.min),
          RTC_MAX_PORT: String(n.rtcPorts.max),
          // Each node's worker on a free port of its own range.
          RTC_PORT: '0',
          DEMO: 'false',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      n.child = proc;
      track(proc.pid);
      const append = (d: Buffer) => (n.log = (n.log + d.toString('utf8')).slice(-8000));
      proc.stdout!.on('data', append);
      proc.stderr!.on('data', append);
      await until(
        async () => {
          if (!n.running) throw new Error(`node ${id} exited at start-up (${proc.exitCode ?? proc.signalCode}):\n${n.log}`);
          try {
            const res = await fetch(`${n.baseUrl}/api/health`);
            return res.ok && ((await res.json()) as { nodeId?: unknown }).nodeId === id;
          } catch {
            return false;
          }
        },
        () => `node ${id} to answer /api/health as "${id}"; its output:\n${n.log}`,
        60_000,
        100,
      );
      track(proc.pid); // its mediasoup workers exist by now
    };

    await Promise.all(ids.map(startNode));

    // nginx, as the current user; as root (CI), its workers stay root: nothing else may read the temp dirs.
    const conf = renderClusterConf({
      listen: `127.0.0.1:${proxyPort}`,
      nodes: ids.map((id) => ({ id, address: `127.0.0.1:${nodeOf(id).port}` })),
      main: process.getuid?.() === 0 ? ['user root;'] : [],
      http: ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => {
        mkdirSync(path.join(nginxDir, t));
        return `${t}_temp_path ${path.join(nginxDir, t)};`;
      }),
      // Which node answered: the tests compare it with the nodes' ports.
      server: ['add_header X-Upstream-Addr $upstream_addr always;'],
    });
    const confFile = path.join(nginxDir, 'nginx.conf');
    writeFileSync(confFile, conf);
    const errorLog = path.join(nginxDir, 'error.log');
    const fd = openSync(errorLog, 'a');
    nginx = spawn(NGINX, ['-p', nginxDir, '-c', confFile, '-g', `daemon off; pid ${path.join(nginxDir, 'nginx.pid')}; error_log ${errorLog};`], {
      stdio: ['ignore', fd, fd],
    });
    track(nginx.pid);
    const proxy = nginx;
    await until(
      async () => {
        if (proxy.exitCode !== null || proxy.signalCode !== null) throw new Error(`nginx exited at start-up:\n${tail(errorLog)}`);
        return fetch(`${proxyUrl}/api/health`).then(
          (res) => res.ok,
          () => false,
        );
      },
      () => `nginx to answer on ${proxyUrl}; its log:\n${tail(errorLog)}`,
      20_000,
      50,
    );
    track(nginx.pid); // its workers

    const topology: ClusterTopology = {
      proxyUrl,
      databaseUrl,
      redisUrl: redis.url,
      dataDir,
      nodeIds: [...ids],
      node: nodeOf,
      start: startNode,
      async kill(id) {
        const n = nodeOf(id);
        const proc = n.child;
        if (!proc || !n.running) return;
        track(proc.pid);
        proc.kill('SIGKILL');
        await exitOf(proc);
      },
      stop,
      pids: () => {
        for (const n of nodes.values()) if (n.running) track(n.child!.pid);
        if (nginx?.pid && nginx.exitCode === null) track(nginx.pid);
        return [...started];
      },
      proxyLog: () => tail(errorLog, 8000),
      describe: () =>
        [
          ...[...nodes.values()].map((n) => `--- node ${n.id} (${n.baseUrl}${n.running ? `, pid ${n.pid}` : ', not running'}):\n${n.log}`),
          `--- nginx error log:\n${tail(errorLog)}`,
        ].join('\n'),
    };
    return topology;
  } catch (error) {
    await stop();
    throw error;
  }
}
