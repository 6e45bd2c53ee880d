import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { openDb, type Db } from './db/client.ts';
import { createHttpApp } from './http/app.ts';
import { createLogger, type Logger } from './logger.ts';
import { RoomRegistry, WorkerPool } from './media/index.ts';
import { readMediaCapabilities } from './media/mediaCapabilities.ts';
import { createServices, type Services } from './services.ts';
import { attachSignalling, type Signalling } from './signalling/SignallingServer.ts';
import { forbidden } from './errors.ts';
import { actionInSession } from './access/caseAccess.ts';
import { createSignallingObserver } from './signalling/observe.ts';
import { iceServersFor } from './signalling/turnCredentials.ts';
import { ConnectivityProbes, type ConnectivityProbesOptions } from './connectivity/ConnectivityProbes.ts';
import { firewallPorts } from './connectivity/firewallPorts.ts';
import { Metrics } from './metrics/Metrics.ts';
import { listenForMetrics } from './metrics/listener.ts';
import { connectRedis, redisAnswers } from './cluster/redis.ts';
import type { Redis } from 'ioredis';
import { LocalClusterBus, RedisClusterBus, type ClusterBus } from './cluster/ClusterBus.ts';
import { NodeDirectory } from './cluster/NodeDirectory.ts';
import { RoomPlacement } from './cluster/RoomPlacement.ts';
import { RedisSessionMemory } from './cluster/SessionMemory.ts';
import { workerCpuSampler } from './cluster/workerCpu.ts';
import { AppError, fail } from './errors.ts';
import { FORWARDED_HEADER } from './http/deps.ts';
import type { MediaCapabilities, SessionMediaState } from './protocol/api.ts';

const packageVersion: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
const clientDist = path.resolve(import.meta.dirname, '../client/dist');

export interface App {
  config: Config;
  db: Db;
  services: Services;
  pool: WorkerPool;
  rooms: RoomRegistry;
  /** The pre-join connectivity probes (server/connectivity). */
  connectivity: ConnectivityProbes;
  signalling: Signalling;
  httpServer: HttpServer;
  log: Logger;
  metrics: Metrics;
  /** The cluster's Redis (cluster mode only). */
  redis: Redis | undefined;
  /** The METRICS_LISTEN listener, once listening. */
  metricsServer(): HttpServer | undefined;
  /** Base URL the server is listening on (after listen()). */
  url(): string;
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** The composition root: database, services, media workers, HTTP API, signalling, static client. */
export async function createApp(
  config: Config,
  options: {
    clock?: Clock;
    log?: Logger;
    /** socket.io heartbeat/recovery timing (tests shorten it). */
    signallingTiming?: { pingIntervalMs?: number; pingTimeoutMs?: number; recoveryMs?: number };
    /** The built client to serve (default client/dist); browser tests pass a private snapshot. */
    clientDir?: string;
    /** Probe lifetime and limits (tests shorten them). */
    connectivity?: ConnectivityProbesOptions;
  } = {},
): Promise<App> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger('server');
  const metrics = new Metrics();
  const db = openDb(config.databaseUrl, { observe: (model, operation, seconds) => metrics.dbDuration.observe({ model, operation }, seconds) });
  const cluster = config.cluster;
  const redis = cluster ? await connectRedis(cluster.redisUrl, log.child('redis'), `cm:${cluster.nodeId}`) : undefined;
  const bus: ClusterBus =
    redis && cluster ? await RedisClusterBus.create(redis, { nodeId: cluster.nodeId, log: log.child('bus') }) : new LocalClusterBus(log.child('bus'));
  const services = createServices({ config, db, clock, log, metrics, bus, ...(redis ? { redis } : {}) });
  // Crash recovery of agreement finalisation: orphan files removed, complete signings sealed.
  await services.agreement.finaliser.recoverAndResume();
  // The same for the mediation records (调解笔录).
  await services.agreement.record.sealer.recoverAndResume();
  await services.agreement.judicial.rulings.recover();
  // Recordings: queued compositions and due retention run in the background from now on.
  services.recordings.start();
  // Participations left open by a crash are closed (timeline: server restarted); who was admitted gets back in.
  const readmit = await services.sessions.closeInterrupted();
  const pool = await WorkerPool.create(config.mediasoup, log.child('workers'));
  let placement: RoomPlacement | undefined;
  const rooms = new RoomRegistry({
    pool,
    config: config.mediasoup,
    log: log.child('rooms'),
    ...(redis ? { memory: new RedisSessionMemory(redis) } : {}),
    prepare: async (room) => {
      // The session's recording (on, paused) and who confirmed the notice, before anyone joins.
      await services.recording.ready(room);
      const identities = readmit.get(room.sessionId);
      readmit.delete(room.sessionId);
      if (identities) room.readmit(identities);
      // Several nodes: this room may continue one whose node died; its people come back here.
      if (placement) room.readmit(await services.sessions.closeOrphaned(room.sessionId, await placement.liveNodeIds()));
    },
  });
  metrics.watchMedia({ rooms: () => rooms.rooms(), workers: () => pool.workers });
  const probeTurn = config.turn;
  const connectivity = new ConnectivityProbes({
    pool,
    config: config.mediasoup,
    log: log.child('connectivity'),
    windows: services.windows,
    ports: firewallPorts(pool.mediaPorts(), config.turn),
    nodeId: cluster?.nodeId ?? null,
    now: () => clock.now(),
    // A probe's TURN credential lasts as long as the probe (and never beyond the caller's token).
    ...(probeTurn
      ? {
          iceServers: (caller, until) =>
            iceServersFor(probeTurn, { identity: caller.identity, expiresAt: caller.expiresAt < until ? caller.expiresAt : until }, clock.now()),
        }
      : {}),
    ...options.connectivity,
  });
  let metricsServer: HttpServer | undefined;

  // Several nodes: this node's heartbeat (with its load) and its claims on the rooms it holds.
  let nodes: NodeDirectory | undefined;
  if (redis && cluster) {
    const cpu = workerCpuSampler(() => pool.workers);
    nodes = new NodeDirectory({
      redis,
      self: { id: cluster.nodeId, url: cluster.nodeUrl },
      load: async () => ({ ...rooms.stats(), cpu: await cpu() }),
      log: log.child('cluster'),
      // Cut off from Redis longer than a heartbeat lasts: another node may hold these rooms now.
      // Their people reconnect, and the claim (once Redis answers) decides where they land.
      onFenced: () => rooms.closeAll('reconnect'),
    });
    const boundPlacement = (placement = new RoomPlacement({ redis, nodes }));
    nodes.afterBeat(async () => {
      // A room whose claim another node holds now (this node was unreachable for a while) is
      // a stale copy: its people are sent to the owner.
      for (const sessionId of await boundPlacement.renew(rooms.rooms().map((r) => r.sessionId))) {
        log.warn('another node holds this room now; closing the local copy', { sessionId });
        rooms.close(sessionId, 'reconnect');
      }
    });
    rooms.on('roomClosed', (room) => {
      boundPlacement.release(room.sessionId).catch((error: unknown) => log.warn('could not release a room claim', { error }));
    });
    await nodes.start();
  }
  /** Cluster mode: refuses a handshake on a node that does not hold the session's room. */
  const placeSession = async (sessionId: string): Promise<void> => {
    if (!placement) return;
    const where = await placement.locate(sessionId);
    if (where.nodeId !== placement.selfId) throw fail('wrong_node', `This session's room is on node ${where.nodeId}`, { node: where.nodeId });
  };
  bus.subscribe('session.ended', ({ sessionId }) => rooms.close(sessionId, 'ended'));
  const startedAt = Date.now();
  /** Read once (a throwaway router); a failure is not kept, the next request tries again. */
  let mediaCapabilities: Promise<MediaCapabilities> | undefined;

  let signalling: Signalling | undefined;
  /** Set by close(): the rooms go down with the process, not because people left. */
  let stopping = false;
  const expressApp = createHttpApp({
    config,
    db,
    clock,
    log: log.child('http'),
    services,
    metrics,
    connectivity,
    hooks: {
      onSessionEnded: (sessionId) => bus.publish('session.ended', { sessionId }),
      onInvitationRevoked: (invitationId) => bus.publish('invitation.revoked', { invitationId }),
      mediaState: async (sessionId, via) => {
        if (rooms.get(sessionId) || !placement || via?.forwarded) return rooms.mediaState(sessionId);
        const owner = await placement.owner(sessionId);
        if (!owner || owner.nodeId === placement.selfId) return rooms.mediaState(sessionId);
        return askOwnerForMedia(owner.url, sessionId, via?.authorization, log);
      },
      mediaCapabilities: () => {
        mediaCapabilities ??= readMediaCapabilities(pool.next()).catch((error: unknown) => {
          mediaCapabilities = undefined;
          throw error;
        });
        return mediaCapabilities;
      },
      health: async () => {
        const [database, redisOk] = await Promise.all([databaseAnswers(db), redis ? redisAnswers(redis) : Promise.resolve(null)]);
        return {
          status: pool.size > 0 && database && redisOk !== false ? 'ok' : 'degraded',
          nodeId: cluster?.nodeId ?? null,
          now: () => clock.now(),
          workers: pool.size,
          ...rooms.stats(),
          database,
          redis: redisOk,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          version: packageVersion,
        };
      },
    },
    extend: (app) => serveClient(app, options.clientDir ?? clientDist),
  });

  const httpServer = createServer(expressApp);
  const roomRecord = services.roomRecord;
  const staffOf = (p: { staff: import('./auth/principals.ts').StaffPrincipal | null }) => {
    if (!p.staff) throw forbidden('A staff login is required');
    return p.staff;
  };
  const turn = config.turn;
  // eslint-disable-next-line prefer-const -- declared above, before the closures that read it
  signalling = attachSignalling(httpServer, {
    log: log.child('signalling'),
    rooms,
    verifyStaffToken: (token) => services.auth.verifyStaffToken(token),
    verifyInvitationToken: (token) => services.auth.verifyInvitationToken(token),
    staffSessions: services.staffSessions,
    getSession: (sessionId) => services.sessions.get(sessionId),
    mayEnter: (principal, session) => services.access.assert(principal, actionInSession(session.kind, 'session.enter'), session.caseId, 'socket handshake'),
    attendance: {
      recordJoin: (p, { admitted }) =>
        services.sessions.recordJoin({ sessionId: p.sessionId, identity: p.identity, role: p.role, displayName: p.displayName, admitted }),
      // Stopping (a restart, a deploy): participations stay open, so the next start closes them as
      // `server_restarted` and lets whoever was admitted straight back in, as after a crash.
      recordLeave: (id, reason) => (stopping ? Promise.resolve() : services.sessions.recordLeave(id, reason)),
      recordAdmission: (id, admitted) => services.sessions.recordAdmission(id, admitted),
    },
    controls: {
      revokeInvitation: async (invitationId, by) => {
        await services.invitations.revoke(invitationId, staffOf(by));
      },
      endSession: async (sessionId, by) => {
        await services.sessions.end(sessionId, staffOf(by));
      },
      saveChat: (sessionId, message, from, to) => roomRecord.saveChat(sessionId, message, from, to),
    },
    recording: services.recording,
    documents: services.agreement.documents,
    recordCaucus: (sessionId, event, record) => roomRecord.recordCaucus(sessionId, event, record),
    placeSession,
    ...(turn ? { iceServers: (p) => iceServersFor(turn, p, clock.now()) } : {}),
    observer: createSignallingObserver({ audit: services.audit, metrics }),
    ...(options.signallingTiming ? { timing: options.signallingTiming } : {}),
  });
  const boundSignalling = signalling;
  bus.subscribe('invitation.revoked', ({ invitationId }) => boundSignalling.removeInvitation(invitationId));

  return {
    config,
    db,
    services,
    pool,
    rooms,
    connectivity,
    signalling: boundSignalling,
    httpServer,
    log,
    metrics,
    redis,
    metricsServer: () => metricsServer,
    url() {
      const address = httpServer.address();
      if (!address || typeof address === 'string') throw new Error('not listening on a TCP port');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
    },
    async listen() {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      if (config.metrics.listen) metricsServer = await listenForMetrics(metrics, config.metrics.listen, config.metrics.token);
    },
    async close() {
      // Not 'ended': the mediation goes on. Clients keep reconnecting until the server is back.
      stopping = true;
      // Out of the directory first: the rooms' people reconnect to a node that is staying.
      await nodes?.stop();
      rooms.closeAll('reconnect');
      rooms.dispose();
      // Recorder children finish their files (and the rows are written) before the database goes.
      await services.recording.drain();
      connectivity.close();
      await services.recordings.close();
      await boundSignalling.close();
      pool.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (metricsServer) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
      await db.$disconnect();
      await bus.close();
      redis?.disconnect();
    },
  };
}

/** Several nodes: the media state of a room held by another node, asked with the caller's own credentials. */
async function askOwnerForMedia(ownerUrl: string, sessionId: string, authorization: string | undefined, log: Logger): Promise<SessionMediaState> {
  try {
    const res = await fetch(`${ownerUrl}/api/sessions/${encodeURIComponent(sessionId)}/media`, {
      headers: { ...(authorization ? { authorization } : {}), [FORWARDED_HEADER]: '1' },
      signal: AbortSignal.timeout(3000),
    });
    if (res.ok) return (await res.json()) as SessionMediaState;
    log.warn('the owner node refused a media-state request', { status: res.status });
  } catch (error) {
    log.warn('the owner node did not answer a media-state request', { error: error instanceof Error ? error.message : String(error) });
  }
  throw new AppError('unavailable', 'The node holding this room did not answer');
}

async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await db.$queryRawUnsafe('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/**
 * The built client (client/dist), with index.html for every non-API path (client-side routing).
 * The document is always revalidated (it names the hashed bundles), however it is asked for:
 * `/`, `/index.html` and every client route get it from the same handler with the same headers.
 */
function serveClient(app: express.Express, dir: string): void {
  const indexHtml = path.join(dir, 'index.html');
  if (!existsSync(indexHtml)) return;
  const sendDocument: express.RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexHtml);
  };
  app.get('/index.html', sendDocument);
  app.use(express.static(dir, { index: false, maxAge: '1h' }));
  app.get(/^(?!\/api\/|\/socket\.io\/).*/, sendDocument);
}
