// Smoke test for a mediasoup-worker binary built by build.sh.
//
// Usage: MEDIASOUP_WORKER_BIN=/path/to/mediasoup-worker \
//          node smoke-test.mjs /path/to/node_modules/mediasoup
//
// Starts a worker, creates routers and a WebRTC transport on 127.0.0.1, and
// pushes RTP through SRTP-protected plain transports (every crypto suite) and
// an SRTP pipe between two routers, so the libsrtp2 compatibility layer is
// exercised for real (protect + unprotect). Exits non-zero on any failure.
import { createRequire } from 'node:module';
import path from 'node:path';

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
const SUITES = [
	'AES_CM_128_HMAC_SHA1_80',
	'AES_CM_128_HMAC_SHA1_32',
	'AEAD_AES_128_GCM',
	'AEAD_AES_256_GCM',
];
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

const routerA = await worker.createRouter({ mediaCodecs });
const routerB = await worker.createRouter({ mediaCodecs });

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
	const consumer = await directB.consume({ producerId });
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

const usage = await worker.getResourceUsage();
worker.close();
clearTimeout(timer);

const result = {
	workerPid: worker.pid,
	routerCodecs: routerA.rtpCapabilities.codecs.length,
	iceCandidates: webRtcTransport.iceCandidates.map((c) => `${c.protocol} ${c.address}:${c.port}`),
	srtpPacketsReceived: counters,
	maxRssKb: usage.ru_maxrss,
};
console.log(JSON.stringify(result));

const bad = Object.entries(counters).filter(([, n]) => n < PACKETS * 0.9);
if (died || bad.length) {
	console.error(`FAILED: too few SRTP packets through ${bad.map(([k]) => k).join(', ')}`);
	process.exit(1);
}
console.log('smoke test OK');
