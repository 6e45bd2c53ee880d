import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { databaseUrlSchema } from './db/provider.ts';
import { turnUrl } from './protocol/signalling.ts';

const port = z.coerce.number().int().min(1).max(65535);

/** coturn's static-auth-secret, shared with it: as long as a JWT secret. */
export const MIN_TURN_SECRET_BYTES = 32;

/** An address or subnet express can trust as a proxy, or one of its named ranges. */
const proxyAddress = z.union([z.enum(['loopback', 'linklocal', 'uniquelocal']), z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/**
 * TRUST_PROXY: unset, `false` or `0` → off (the socket address is the client); a number N → trust
 * the N nearest hops of X-Forwarded-For; otherwise a comma-separated list of proxy addresses or
 * subnets. `true` (trust every hop) is refused: any client could then choose its own address.
 */
const trustProxy = z
  .string()
  .trim()
  .default('')
  .transform((v, ctx): TrustProxy => {
    if (v === '' || v === 'false' || v === '0') return false;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops > 10) ctx.addIssue({ code: 'custom', message: 'at most 10 proxy hops' });
      return hops;
    }
    const list = v.split(',').map((a) => a.trim());
    for (const a of list) {
      if (!proxyAddress.safeParse(a).success) {
        ctx.addIssue({ code: 'custom', message: `"${a}" is not a hop count, an IP address, a subnet, loopback, linklocal or uniquelocal` });
      }
    }
    return list;
  });

/** express `trust proxy`: off, the number of hops, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

/** Every setting comes from the environment, validated here once; nothing else reads process.env. */
const envShape = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL used in invitation links; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default(path.resolve('data')),
  DATABASE_URL: databaseUrlSchema.optional(),
  JWT_SECRET: z.string().optional(),
  JWT_ISSUER: z.string().default('cloud-mediation'),
  STAFF_SESSION_HOURS: z.coerce.number().positive().default(12),
  INVITATION_HOURS: z.coerce.number().positive().default(72),
  MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
  RTC_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  /** Address given to browsers in ICE candidates; required when RTC_LISTEN_IP is 0.0.0.0. */
  RTC_ANNOUNCED_IP: z.string().optional(),
  /**
   * `server` (default): each worker has one WebRtcServer, UDP and TCP on RTC_PORT + i, shared by
   * all its transports. `range`: each transport takes its own ports from RTC_MIN_PORT…RTC_MAX_PORT.
   */
  RTC_PORT_MODE: z.enum(['server', 'range']).default('server'),
  /** Server mode: the first worker's media port (UDP and TCP); 0: each worker a free one from the range. */
  RTC_PORT: z.coerce.number().int().min(0).max(65535).default(40000),
  RTC_MIN_PORT: port.default(40000),
  RTC_MAX_PORT: port.default(40999),
  /** How long a room waits for a dropped lead mediator before another mediator present takes the lead. */
  LEAD_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** The organisation whose electronic seal signs every agreement PDF (the seal certificate's subject). */
  SEAL_ORGANISATION: z.string().trim().min(1).max(100).default('云调解人民调解委员会'),
  /** Where a newly generated seal root CA key is written once, for the admin to keep offline; unset: discarded. */
  SEAL_ROOT_KEY_OUT: z.string().min(1).optional(),
  /** An admin-provided seal (PKCS#12 with key and chain under their own CA) instead of a generated one. */
  SEAL_P12_PATH: z.string().min(1).optional(),
  SEAL_P12_PASSPHRASE: z.string().optional(),
  /** Trust root (PEM) for SEAL_P12_PATH when the PKCS#12 does not carry its self-signed root. */
  SEAL_ROOT_CERT_PATH: z.string().min(1).optional(),
  /** Judicial confirmation: days after the agreement takes effect (its sealing) within which the parties apply (民事诉讼法 art. 205: 30). */
  JUDICIAL_APPLICATION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Where each court's newly generated seal root CA key is written once (`<dir>/<courtUnitId>.root-key.pem`), for the admin to keep offline; unset: discarded. */
  COURT_SEAL_ROOT_KEY_DIR: z.string().min(1).optional(),
  /** The centre's IANA time zone: exported times (CSV) are written in it, with their offset. */
  /** A CJK font file for the sealed PDFs instead of the installed Noto/WenQuanYi fonts, and the face inside a .ttc. */
  AGREEMENT_FONT_PATH: z.string().min(1).optional(),
  AGREEMENT_FONT_FACE: z.string().min(1).optional(),
  CENTRE_TIME_ZONE: z
    .string()
    .trim()
    .default('Asia/Shanghai')
    .refine(isTimeZone, { message: 'CENTRE_TIME_ZONE must be an IANA time zone such as Asia/Shanghai' }),
  /** The centre's public phone, shown to parties at the end of a session (whom to call). */
  CENTRE_PHONE: z.string().trim().max(40).optional(),
  /** The grid map's optional base layer: an http(s) XYZ tile URL template with {z}, {x} and {y}; without it the map is drawn from the grids alone. */
  GRID_MAP_TILE_URL: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s"'<>]+$/, 'an http(s) URL')
    .refine((u) => ['{z}', '{x}', '{y}'].every((p) => u.includes(p)), 'a tile URL template with {z}, {x} and {y}')
    .optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Bearer token for GET /metrics; without it (and without METRICS_LISTEN) metrics are off. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').max(512).optional(),
  /** host:port of a separate listener serving only /metrics (e.g. 127.0.0.1:9464). */
  METRICS_LISTEN: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[0-9a-zA-Z.-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
    .optional(),
  DEMO: z.stringbool().default(false),
  /** Behind a reverse proxy: which X-Forwarded-For hops to believe for the client address (rate limits). */
  TRUST_PROXY: trustProxy,
  /** Cluster mode (several nodes behind one address): the shared Redis. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
    .optional(),
  /** Cluster mode: this node's name, unique in the cluster (the proxy routes `?node=` by it). */
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, at most 32')
    .optional(),
  /** Cluster mode: this node's own address, as the proxy and the other nodes reach it. */
  NODE_URL: z.url().optional(),
  /** TURN relay for browsers behind firewalls: comma-separated turn:/turns: URLs of the coturn next to the service. */
  TURN_URLS: z
    .string()
    .trim()
    .min(1)
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== ''),
    )
    .pipe(z.array(turnUrl).min(1).max(8))
    .optional(),
  /** The coturn `static-auth-secret` (use-auth-secret): credentials are minted from it per participant. */
  TURN_SECRET: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') >= MIN_TURN_SECRET_BYTES, `TURN_SECRET must be at least ${MIN_TURN_SECRET_BYTES} bytes`)
    .optional(),
  /** Where recordings are written: RECORDING_DIR/<recordingId>/ (track files, the composed file). Default DATA_DIR/recordings. */
  RECORDING_DIR: z.string().min(1).optional(),
  /** recording.start and resume are refused when the recording volume has less free space (MB). */
  RECORDING_MIN_FREE_MB: z.coerce.number().min(0).default(2048),
  /** Days after a recorded session ended until its files are deleted (the rows and timeline stay). */
  RECORDING_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(180),
  /** Caps the lifetime of TURN credentials (default: as long as the login or invitation they were minted for). */
  TURN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(600)
    .max(31 * 24 * 3600)
    .optional(),
});
const envSchema = envShape
  .refine((e) => e.RTC_MIN_PORT <= e.RTC_MAX_PORT, {
    message: 'RTC_MIN_PORT must not exceed RTC_MAX_PORT',
    path: ['RTC_MIN_PORT'],
  })
  .refine((e) => e.RTC_PORT_MODE === 'range' || e.RTC_PORT + e.MEDIASOUP_WORKERS - 1 <= 65535, {
    message: 'RTC_PORT + MEDIASOUP_WORKERS - 1 must be a port (at most 65535)',
    path: ['RTC_PORT'],
  });

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  jwt: { secret: string; issuer: string };
  staffSessionSeconds: number;
  invitationSeconds: number;
  mediasoup: {
    numWorkers: number;
    listenIp: string;
    announcedAddress: string | undefined;
    /** RTC_PORT_MODE: `server`, one WebRtcServer per worker (server/media/webRtcServer.ts); `range`, ports per transport. */
    portMode: 'server' | 'range';
    /** RTC_PORT: server mode, worker i listens on port + i; 0: on a free port from minPort…maxPort. */
    port: number;
    minPort: number;
    maxPort: number;
    /** Grace period for a dropped lead mediator (LEAD_GRACE_MS, default 60 s). */
    leadGraceMs?: number;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Prometheus metrics: GET /metrics with this bearer token, and/or a separate listener. */
  metrics: { token: string | undefined; listen: { host: string; port: number } | undefined };
  demo: boolean;
  /** TRUST_PROXY: express `trust proxy` (default off: the socket address is the client's). */
  trustProxy: TrustProxy;
  /** SEAL_ORGANISATION: names the seal key generated on first sealing (server/agreement/orgKey.ts). */
  sealOrganisation: string;
  seal: {
    /** SEAL_ROOT_KEY_OUT */
    rootKeyOut: string | undefined;
    /** SEAL_P12_PATH, SEAL_P12_PASSPHRASE, SEAL_ROOT_CERT_PATH */
    p12Path: string | undefined;
    p12Passphrase: string | undefined;
    rootCertPath: string | undefined;
  };
  judicial: {
    /** JUDICIAL_APPLICATION_DAYS */
    applicationDays: number;
    /** COURT_SEAL_ROOT_KEY_DIR */
    courtRootKeyDir: string | undefined;
  };
  /** AGREEMENT_FONT_PATH / AGREEMENT_FONT_FACE: the PDFs' font instead of the installed ones. */
  agreementFont: { path: string; face: string | undefined } | undefined;
  /** CENTRE_TIME_ZONE: IANA zone of the centre, for exported times. */
  centreTimeZone: string;
  /** CENTRE_PHONE: the number parties may call about their case; null when not configured. */
  centrePhone: string | null;
  /** GRID_MAP_TILE_URL: the grid map's XYZ tile URL template; null: vector grids only (no tile server on the intranet). */
  gridMapTileUrl: string | null;
  /** Cluster mode (REDIS_URL, NODE_ID, NODE_URL); null: one process, no Redis (the default). */
  cluster: ClusterConfig | null;
  /** TURN relay for the browsers; null: none (direct ICE to the SFU only, the default). */
  turn: TurnConfig | null;
  /** Session recording: RECORDING_DIR, RECORDING_MIN_FREE_MB, RECORDING_RETENTION_DAYS. */
  recording: { dir: string; minFreeMb: number; retentionDays: number };
}

/** TURN (TURN_URLS, TURN_SECRET, TURN_TTL_SECONDS): server/signalling/turnCredentials.ts mints from it. */
export interface TurnConfig {
  urls: string[];
  secret: string;
  /** Upper bound on a credential's lifetime; undefined: until the participant's login or invitation expires. */
  ttlSeconds: number | undefined;
}

export interface ClusterConfig {
  redisUrl: string;
  nodeId: string;
  nodeUrl: string;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const MIN_JWT_SECRET_BYTES = 32;

/** Where the data lives (DATA_DIR, DATABASE_URL), resolved like loadConfig but without creating anything (backup, restore). */
export interface DataLocations {
  dataDir: string;
  databaseUrl: string;
}

export function dataLocations(env: NodeJS.ProcessEnv = process.env): DataLocations {
  const parsed = envShape.pick({ DATA_DIR: true, DATABASE_URL: true }).parse({ DATA_DIR: env.DATA_DIR, DATABASE_URL: env.DATABASE_URL });
  const dataDir = path.resolve(parsed.DATA_DIR);
  return { dataDir, databaseUrl: parsed.DATABASE_URL ?? `file:${path.join(dataDir, 'cloud-mediation.db')}` };
}

/**
 * The JWT secret is generated once and kept in the data directory, so restarts
 * keep issued invitations valid without the operator having to invent a secret.
 */
function loadOrCreateSecret(dataDir: string, given: string | undefined): string {
  if (given !== undefined) {
    if (Buffer.byteLength(given, 'utf8') < MIN_JWT_SECRET_BYTES) {
      throw new Error(`JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes`);
    }
    return given;
  }
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (Buffer.byteLength(stored, 'utf8') >= MIN_JWT_SECRET_BYTES) return stored;
  }
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

function hostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  const host = value.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(i + 1));
  if (port > 65535) throw new Error(`Invalid configuration:\n  METRICS_LISTEN: port out of range`);
  return { host, port };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const { dataDir, databaseUrl } = dataLocations(env);
  const cluster = clusterConfig(e, databaseUrl);
  const turn = turnConfig(e);
  mkdirSync(dataDir, { recursive: true });
  return {
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl,
    jwt: { secret: loadOrCreateSecret(dataDir, e.JWT_SECRET), issuer: e.JWT_ISSUER },
    staffSessionSeconds: Math.round(e.STAFF_SESSION_HOURS * 3600),
    invitationSeconds: Math.round(e.INVITATION_HOURS * 3600),
    mediasoup: {
      numWorkers: e.MEDIASOUP_WORKERS,
      listenIp: e.RTC_LISTEN_IP,
      announcedAddress: e.RTC_ANNOUNCED_IP,
      portMode: e.RTC_PORT_MODE,
      port: e.RTC_PORT,
      minPort: e.RTC_MIN_PORT,
      maxPort: e.RTC_MAX_PORT,
      leadGraceMs: e.LEAD_GRACE_MS,
    },
    logLevel: e.LOG_LEVEL,
    metrics: { token: e.METRICS_TOKEN, listen: e.METRICS_LISTEN === undefined ? undefined : hostPort(e.METRICS_LISTEN) },
    demo: e.DEMO,
    trustProxy: e.TRUST_PROXY,
    sealOrganisation: e.SEAL_ORGANISATION,
    seal: {
      rootKeyOut: e.SEAL_ROOT_KEY_OUT && path.resolve(e.SEAL_ROOT_KEY_OUT),
      p12Path: e.SEAL_P12_PATH && path.resolve(e.SEAL_P12_PATH),
      p12Passphrase: e.SEAL_P12_PASSPHRASE,
      rootCertPath: e.SEAL_ROOT_CERT_PATH && path.resolve(e.SEAL_ROOT_CERT_PATH),
    },
    judicial: {
      applicationDays: e.JUDICIAL_APPLICATION_DAYS,
      courtRootKeyDir: e.COURT_SEAL_ROOT_KEY_DIR && path.resolve(e.COURT_SEAL_ROOT_KEY_DIR),
    },
    agreementFont: e.AGREEMENT_FONT_PATH ? { path: path.resolve(e.AGREEMENT_FONT_PATH), face: e.AGREEMENT_FONT_FACE } : undefined,
    centreTimeZone: e.CENTRE_TIME_ZONE,
    centrePhone: e.CENTRE_PHONE || null,
    gridMapTileUrl: e.GRID_MAP_TILE_URL ?? null,
    cluster,
    turn,
    recording: {
      dir: path.resolve(e.RECORDING_DIR ?? path.join(dataDir, 'recordings')),
      minFreeMb: e.RECORDING_MIN_FREE_MB,
      retentionDays: e.RECORDING_RETENTION_DAYS,
    },
  };
}

/** TURN_URLS and TURN_SECRET go together: one without the other is a half-configured relay, refused. */
function turnConfig(e: z.infer<typeof envShape>): TurnConfig | null {
  if (e.TURN_URLS === undefined && e.TURN_SECRET === undefined) {
    if (e.TURN_TTL_SECONDS !== undefined)
      throw new Error('Invalid configuration (TURN):\n  TURN_TTL_SECONDS: set TURN_URLS and TURN_SECRET too, or leave it unset');
    return null;
  }
  const problems: string[] = [];
  if (e.TURN_URLS === undefined) problems.push('TURN_URLS: the turn:/turns: URLs browsers reach coturn at (turn:turn.example.org:3478?transport=udp,…)');
  if (e.TURN_SECRET === undefined) problems.push("TURN_SECRET: coturn's static-auth-secret (use-auth-secret), at least 32 bytes");
  if (problems.length > 0) throw new Error(`Invalid configuration (TURN):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { urls: e.TURN_URLS!, secret: e.TURN_SECRET!, ttlSeconds: e.TURN_TTL_SECONDS };
}

/**
 * Any of REDIS_URL, NODE_ID, NODE_URL asks for cluster mode, which then needs all three, a
 * PostgreSQL database (SQLite is one process's file) and an explicit JWT_SECRET shared by every
 * node (a generated one would differ per node, and each would refuse the others' tokens).
 */
function clusterConfig(e: z.infer<typeof envShape>, databaseUrl: string): ClusterConfig | null {
  if (e.REDIS_URL === undefined && e.NODE_ID === undefined && e.NODE_URL === undefined) return null;
  const problems: string[] = [];
  if (e.REDIS_URL === undefined) problems.push('REDIS_URL: cluster mode needs the shared Redis (redis://host:6379)');
  if (e.NODE_ID === undefined) problems.push("NODE_ID: cluster mode needs this node's name, unique in the cluster");
  if (e.NODE_URL === undefined) problems.push("NODE_URL: cluster mode needs this node's own address (http://10.0.0.11:3000)");
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL: cluster mode needs PostgreSQL (postgresql://…); SQLite serves one process');
  if (e.JWT_SECRET === undefined) problems.push('JWT_SECRET: cluster mode needs one explicit secret shared by every node');
  if (problems.length > 0) throw new Error(`Invalid configuration (cluster mode):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { redisUrl: e.REDIS_URL!, nodeId: e.NODE_ID!, nodeUrl: e.NODE_URL!.replace(/\/$/, '') };
}
