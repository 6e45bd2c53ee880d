import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

/** Every setting comes from the environment, validated here once; nothing else reads process.env. */
const envSchema = z
  .object({
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Public base URL used in invitation links; defaults to http://localhost:PORT. */
    PUBLIC_URL: z.url().optional(),
    DATA_DIR: z.string().default(path.resolve('data')),
    DATABASE_URL: z.string().optional(),
    JWT_SECRET: z.string().optional(),
    JWT_ISSUER: z.string().default('cloud-mediation'),
    STAFF_SESSION_HOURS: z.coerce.number().positive().default(12),
    INVITATION_HOURS: z.coerce.number().positive().default(72),
    MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
    RTC_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
    /** Address given to browsers in ICE candidates; required when RTC_LISTEN_IP is 0.0.0.0. */
    RTC_ANNOUNCED_IP: z.string().optional(),
    RTC_MIN_PORT: port.default(40000),
    RTC_MAX_PORT: port.default(40999),
    /** How long a room waits for a dropped lead mediator before another mediator present takes the lead. */
    LEAD_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    /** The organisation whose electronic seal signs every agreement PDF (the seal certificate's subject). */
    SEAL_ORGANISATION: z.string().trim().min(1).max(100).default('云调解人民调解委员会'),
    /** The centre's public phone, shown to parties at the end of a session (whom to call). */
    CENTRE_PHONE: z.string().trim().max(40).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    DEMO: z.stringbool().default(false),
  })
  .refine((e) => e.RTC_MIN_PORT <= e.RTC_MAX_PORT, {
    message: 'RTC_MIN_PORT must not exceed RTC_MAX_PORT',
    path: ['RTC_MIN_PORT'],
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
    minPort: number;
    maxPort: number;
    /** Grace period for a dropped lead mediator (LEAD_GRACE_MS, default 60 s). */
    leadGraceMs?: number;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  demo: boolean;
  /** SEAL_ORGANISATION: names the seal key generated on first sealing (server/agreement/orgKey.ts). */
  sealOrganisation: string;
  /** CENTRE_PHONE: the number parties may call about their case; null when not configured. */
  centrePhone: string | null;
}

export const MIN_JWT_SECRET_BYTES = 32;

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  return {
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(dataDir, 'cloud-mediation.db')}`,
    jwt: { secret: loadOrCreateSecret(dataDir, e.JWT_SECRET), issuer: e.JWT_ISSUER },
    staffSessionSeconds: Math.round(e.STAFF_SESSION_HOURS * 3600),
    invitationSeconds: Math.round(e.INVITATION_HOURS * 3600),
    mediasoup: {
      numWorkers: e.MEDIASOUP_WORKERS,
      listenIp: e.RTC_LISTEN_IP,
      announcedAddress: e.RTC_ANNOUNCED_IP,
      minPort: e.RTC_MIN_PORT,
      maxPort: e.RTC_MAX_PORT,
      leadGraceMs: e.LEAD_GRACE_MS,
    },
    logLevel: e.LOG_LEVEL,
    demo: e.DEMO,
    sealOrganisation: e.SEAL_ORGANISATION,
    centrePhone: e.CENTRE_PHONE || null,
  };
}
