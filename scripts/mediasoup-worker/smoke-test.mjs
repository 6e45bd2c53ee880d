// Smoke test for a mediasoup-worker binary built by build.sh.
//
// Usage: MEDIASOUP_WORKER_BIN=/path/to/mediasoup-worker \
//          node smoke-test.mjs /path/to/node_modules/mediasoup
//
// Starts a worker, creates routers and a WebRTC transport on 127.0.0.1, and
// pushes RTP through SRTP-protected plain transports (every crypto suite) and
// an SRTP pipe between two routers, so the libsrtp2 compatibility layer is
// exercised for real (protect + unprotect). If the `openssl` CLI is present,
// it also completes ICE (one STUN binding) and a DTLS 1.2 handshake with
// `openssl s_client` against the WebRTC transport: an unpatched worker dies
// with SIGSEGV there (patches/dtls-bio-cb-return.patch). Exits non-zero on
// any failure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const pkgRoot = path.resolve(process.argv[2] ?? 'node_modules/mediasoup');
if (!process.env.MEDIASOUP_WORKER_BIN) {
  console.error('MEDIASOUP_WORKER_BIN must be set');
  process.exit(2);
}
const require = createRequire(path.join(pkgRoot, 'package.json'));
const mediasoup = require(pkgRoot);

const mediaCodecs = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
  },
];
const SUITES = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM'];
const PACKETS = 30;

const timer = setTimeout(() => {
  console.error('smoke test timed out');
  process.exit(1);
}, 30000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function rtpPacket(seq, ssrc, payloadType) {
  const buf = Buffer.alloc(12 + 160);
  buf[0] = 0x80;
  buf[1] = payloadType & 0x7f;
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE((seq * 960) >>> 0, 4);
  buf.writeUInt32BE(ssrc, 8);
  buf.fill(seq & 0xff, 12);
  return buf;
}

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
let died = null;
worker.on('died', (error) => {
  died = error;
  console.error(`worker died: ${error}`);
  process.exit(1);
});

// Router B lives in a second worker: pipeToRouter() keeps the producer id, so
// both ends cannot be in the same worker.
const worker2 = await mediasoup.createWorker({ logLevel: 'warn' });
worker2.on('died', (error) => {
  died = error;
  console.error(`worker2 died: ${error}`);
  process.exit(1);
});
const routerA = await worker.createRouter({ mediaCodecs });
const routerB = await worker2.createRouter({ mediaCodecs });

const webRtcTransport = await routerA.createWebRtcTransport({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1' },
    { protocol: 'tcp', ip: '127.0.0.1' },
  ],
});
if (webRtcTransport.iceCandidates.length !== 2) {
  throw new Error(`expected 2 ICE candidates, got ${webRtcTransport.iceCandidates.length}`);
}

// Source of RTP: a DirectTransport producer in router A.
const opusPt = routerA.rtpCapabilities.codecs.find((c) => c.mimeType === 'audio/opus').preferredPayloadType;
const directA = await routerA.createDirectTransport();
const source = await directA.produce({
  kind: 'audio',
  rtpParameters: {
    codecs: [{ mimeType: 'audio/opus', payloadType: opusPt, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc: 11111111 }],
  },
});

const directB = await routerB.createDirectTransport();
const counters = {};
async function sink(name, producerId) {
  counters[name] = 0;
  const consumer = await directB.consume({ producerId, rtpCapabilities: routerB.rtpCapabilities });
  consumer.on('rtp', () => counters[name]++);
}

// One SRTP plain transport pair per crypto suite: A --SRTP--> B.
for (const suite of SUITES) {
  const opts = { listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: suite };
  const plainA = await routerA.createPlainTransport(opts);
  const plainB = await routerB.createPlainTransport(opts);
  await plainA.connect({ ip: '127.0.0.1', port: plainB.tuple.localPort, srtpParameters: plainB.srtpParameters });
  await plainB.connect({ ip: '127.0.0.1', port: plainA.tuple.localPort, srtpParameters: plainA.srtpParameters });
  const consumerA = await plainA.consume({ producerId: source.id, rtpCapabilities: routerA.rtpCapabilities });
  const producerB = await plainB.produce({ kind: 'audio', rtpParameters: consumerA.rtpParameters });
  await sink(`plain ${suite}`, producerB.id);
}

// SRTP pipe between the two routers (AEAD_AES_256_GCM).
const { pipeProducer } = await routerA.pipeToRouter({ producerId: source.id, router: routerB, enableSrtp: true });
await sink('pipe srtp', pipeProducer.id);

for (let seq = 1; seq <= PACKETS; seq++) {
  source.send(rtpPacket(seq, 11111111, opusPt));
  await sleep(10);
}
for (let i = 0; i < 100 && Object.values(counters).some((n) => n < PACKETS); i++) {
  await sleep(20);
}

const dtls = await dtlsCheck(webRtcTransport);

const usage = await worker.getResourceUsage();
const { liburing } = await worker.dump();
worker.close();
worker2.close();
clearTimeout(timer);

const result = {
  workerPid: worker.pid,
  routerCodecs: routerA.rtpCapabilities.codecs.length,
  iceCandidates: webRtcTransport.iceCandidates.map((c) => `${c.protocol} ${c.address}:${c.port}`),
  srtpPacketsReceived: counters,
  maxRssKb: usage.ru_maxrss,
  liburing: liburing ?? 'disabled',
  dtls,
};
console.log(JSON.stringify(result));

const bad = Object.entries(counters).filter(([, n]) => n < PACKETS * 0.9);
if (dtls !== 'connected' && !dtls.startsWith('skipped')) {
  console.error(`FAILED: DTLS handshake: ${dtls}`);
  process.exit(1);
}
if (died || bad.length) {
  console.error(`FAILED: too few SRTP packets through ${bad.map(([k]) => k).join(', ')}`);
  process.exit(1);
}
console.log('smoke test OK');

// ICE (one STUN Binding request, as a controlling ICE agent) + DTLS handshake
// with `openssl s_client` (DTLS client) against mediasoup (DTLS server).
async function dtlsCheck(transport) {
  const probe = spawnSync('openssl', ['s_client', '-help'], { encoding: 'utf8' });
  const help = `${probe.stdout ?? ''}${probe.stderr ?? ''}`;
  if (!help.includes('-bind') || !help.includes('-use_srtp')) {
    return 'skipped (no openssl CLI with -bind/-use_srtp)';
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-dtls-'));
  let client;
  // Also clean up when a worker death ends the process via process.exit().
  const cleanup = () => {
    client?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=cm-smoke',
      ],
      { stdio: 'ignore' },
    );
    const fingerprint = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']).toString().trim().split('=')[1];

    const states = [];
    const connected = new Promise((resolve) => {
      transport.on('dtlsstatechange', (state) => {
        states.push(state);
        if (state === 'connected' || state === 'failed' || state === 'closed') resolve(state);
      });
      setTimeout(() => resolve(`timeout (states: ${states.join(',') || 'none'})`), 8000);
    });
    await transport.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprint }] } });

    const udp = transport.iceCandidates.find((c) => c.protocol === 'udp');
    const sock = dgram.createSocket('udp4');
    await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const localPort = sock.address().port;
    const response = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), 3000);
      sock.once('message', (msg) => {
        clearTimeout(t);
        resolve(msg);
      });
      sock.send(stunBindingRequest(transport.iceParameters), udp.port, udp.address);
    });
    await new Promise((resolve) => sock.close(resolve));
    if (!response || response.readUInt16BE(0) !== 0x0101) {
      return 'STUN binding failed';
    }

    client = spawn(
      'openssl',
      [
        's_client',
        '-dtls1_2',
        '-bind',
        `127.0.0.1:${localPort}`,
        '-connect',
        `${udp.address}:${udp.port}`,
        '-cert',
        cert,
        '-key',
        key,
        '-use_srtp',
        'SRTP_AES128_CM_SHA1_80',
        '-quiet',
      ],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    return await connected;
  } finally {
    cleanup();
    process.off('exit', cleanup);
  }
}

function stunBindingRequest({ usernameFragment, password }) {
  const attr = (type, value) => {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  };
  const txid = crypto.randomBytes(12);
  const header = (len) => {
    const b = Buffer.alloc(20);
    b.writeUInt16BE(0x0001, 0);
    b.writeUInt16BE(len, 2);
    b.writeUInt32BE(0x2112a442, 4);
    txid.copy(b, 8);
    return b;
  };
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(1853824767);
  let body = Buffer.concat([
    attr(0x0006, Buffer.from(`${usernameFragment}:cmsmoke`)), // USERNAME
    attr(0x0024, priority), // PRIORITY
    attr(0x802a, crypto.randomBytes(8)), // ICE-CONTROLLING
    attr(0x0025, Buffer.alloc(0)), // USE-CANDIDATE
  ]);
  const integrity = crypto
    .createHmac('sha1', password)
    .update(Buffer.concat([header(body.length + 24), body]))
    .digest();
  body = Buffer.concat([body, attr(0x0008, integrity)]); // MESSAGE-INTEGRITY
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((zlib.crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0);
  body = Buffer.concat([body, attr(0x8028, crc)]); // FINGERPRINT
  return Buffer.concat([header(body.length), body]);
}
