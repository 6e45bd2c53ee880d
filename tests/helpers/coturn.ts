import { execFileSync, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort.ts';
import { killAndClean } from './processes.ts';
import { until } from './wait.ts';

/*
 * A real coturn (Debian's `turnserver` 4.6) for the tests: loopback only, TURN REST credentials
 * (use-auth-secret) with a random shared secret, no DTLS, no CLI, its user database and log in a
 * temp dir. Loopback peers are allowed (the SFU listens on 127.0.0.1 here; coturn refuses loopback
 * peers by default). Stopped by PID; the directory goes with it.
 *
 * Without `tls` it listens on 127.0.0.1 (UDP and TCP, a free port) and offers no TLS. With `tls`
 * it also serves TURN over TLS on `tls.port` (443 by default: binding it needs root, as in CI) with
 * a self-signed certificate made for it by openssl in its temp dir; then it listens on an address of
 * its own in 127.0.0.0/8, so that parallel runs do not fight over that one port.
 */
export interface Coturn {
  /** The address it listens on: 127.0.0.1, or with TLS a random 127.x.y.z. */
  host: string;
  /** The port it listens on, UDP and TCP. */
  port: number;
  /** With `tls`: its TURN-over-TLS port. */
  tlsPort: number | undefined;
  /** Its static-auth-secret. */
  secret: string;
  realm: string;
  pid: number;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

const BIN = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';
const OPENSSL = process.env.OPENSSL_BIN ?? 'openssl';
export const TEST_REALM = 'cloud-mediation.test';

/** A self-signed certificate for `host` (as its IP SAN and CN), key and certificate in `dir`. */
function selfSignedCertificate(dir: string, host: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=IP:${host}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key };
}

/** `host`: listen there instead (e.g. a firewalled network's host end, tests/helpers/netns.ts). */
export async function startCoturn(options: { tls?: { port?: number }; host?: string } = {}): Promise<Coturn> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-coturn-'));
  const host = options.host ?? (options.tls ? `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}` : '127.0.0.1');
  const tlsPort = options.tls ? (options.tls.port ?? 443) : undefined;
  const tls = options.tls ? selfSignedCertificate(dir, host) : undefined;
  const port = await freePort();
  const secret = randomBytes(32).toString('base64url');
  const logFile = path.join(dir, 'turnserver.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(
    BIN,
    [
      '-n',
      `--listening-ip=${host}`,
      `--relay-ip=${host}`,
      `--listening-port=${port}`,
      ...(tls ? [`--tls-listening-port=${tlsPort}`, `--cert=${tls.cert}`, `--pkey=${tls.key}`] : ['--no-tls']),
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      `--realm=${TEST_REALM}`,
      '--no-cli',
      '--no-dtls',
      '--allow-loopback-peers',
      '--fingerprint',
      '--no-software-attribute',
      `--userdb=${path.join(dir, 'turndb')}`,
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
    ],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  child.unref();
  const pid = child.pid!;
  /** All of its log so far ('' before the file exists). */
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const at = host.replaceAll('.', '\\.');
  const listening = [new RegExp(`UDP listener opened on: ${at}:${port}`), new RegExp(`TCP listener opened on : ${at}:${port}`)];
  if (tlsPort !== undefined) listening.push(new RegExp(`TLS/TCP listener opened on : ${at}:${tlsPort}`));
  await until(
    () => child.exitCode !== null || listening.every((line) => line.test(log())),
    () => `turnserver to listen on ${host}:${port}${tlsPort === undefined ? '' : ` and TLS ${tlsPort}`}; its log:\n${log().slice(-2000)}`,
    15_000,
    50,
  );
  if (child.exitCode !== null) throw new Error(`turnserver exited at start-up:\n${log().slice(-2000)}`);
  return {
    host,
    port,
    tlsPort,
    secret,
    realm: TEST_REALM,
    pid,
    log,
    stop: () => killAndClean(pid, 'turnserver', dir),
  };
}

// ---- a minimal TURN client: one Allocate over UDP (RFC 5766), long-term credentials (RFC 5389 §10.2) ----

const MAGIC = 0x2112a442;
const ALLOCATE = 0x0003;
const ATTR = { username: 0x0006, integrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015, transport: 0x0019 } as const;

function attribute(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function allocateRequest(auth?: { username: string; password: string; realm: string; nonce: Buffer }): Buffer {
  const attrs = [attribute(ATTR.transport, Buffer.from([17, 0, 0, 0]))];
  if (auth) attrs.push(attribute(ATTR.username, Buffer.from(auth.username)), attribute(ATTR.realm, Buffer.from(auth.realm)), attribute(ATTR.nonce, auth.nonce));
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(ALLOCATE, 0);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  if (!auth) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY: HMAC-SHA1 over the message so far, its length already counting the 24-byte attribute.
  header.writeUInt16BE(body.length + 24, 2);
  const key = createHash('md5').update(`${auth.username}:${auth.realm}:${auth.password}`).digest();
  const mac = createHmac('sha1', key)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, attribute(ATTR.integrity, mac)]);
}

interface StunAnswer {
  /** 0x0103 success, 0x0113 error. */
  type: number;
  errorCode: number | null;
  attrs: Map<number, Buffer>;
}

function parse(message: Buffer): StunAnswer {
  const attrs = new Map<number, Buffer>();
  let at = 20;
  while (at + 4 <= message.length) {
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 2);
    attrs.set(type, message.subarray(at + 4, at + 4 + length));
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  const error = attrs.get(ATTR.errorCode);
  return { type: message.readUInt16BE(0), errorCode: error ? error[2]! * 100 + error[3]! : null, attrs };
}

/** One UDP socket (coturn ties a nonce to the client's address and port): request, answer, request, answer. */
function turnClient(port: number) {
  const socket = createSocket('udp4');
  const waiting: Array<(message: Buffer) => void> = [];
  socket.on('message', (message) => waiting.shift()?.(message));
  return {
    exchange(request: Buffer): Promise<StunAnswer> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from TURN at 127.0.0.1:${port}`)), 3000);
        waiting.push((message) => {
          clearTimeout(timer);
          resolve(parse(message));
        });
        socket.send(request, port, '127.0.0.1');
      });
    },
    close: () => socket.close(),
  };
}

/**
 * Asks coturn for a UDP relay allocation with these credentials, as a browser would: first
 * unauthenticated (401 with realm and nonce), then with MESSAGE-INTEGRITY. Returns 'allocated' or
 * the STUN error code of the refusal (401: wrong or expired credential).
 */
export async function allocate(port: number, username: string, password: string): Promise<'allocated' | number> {
  const client = turnClient(port);
  try {
    const challenge = await client.exchange(allocateRequest());
    const realm = challenge.attrs.get(ATTR.realm);
    const nonce = challenge.attrs.get(ATTR.nonce);
    if (challenge.errorCode !== 401 || !realm || !nonce) throw new Error(`expected a 401 challenge, got ${challenge.type.toString(16)} ${challenge.errorCode}`);
    const answer = await client.exchange(allocateRequest({ username, password, realm: realm.toString('utf8'), nonce }));
    if (answer.type === 0x0103) return 'allocated';
    return answer.errorCode ?? -1;
  } finally {
    client.close();
  }
}
