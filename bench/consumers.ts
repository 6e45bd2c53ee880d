/**
 * consumers_per_worker_core: how many consumers one mediasoup worker (one core) can serve.
 *
 * One worker, one router (Opus + VP8). Rooms of `roomSize` simulated participants are added one
 * at a time; each participant sends real RTP (VP8 ~600 kbps @ 30 fps + Opus 50 pps) from Node over
 * UDP into a PlainTransport, and consumes every other room member's audio+video on its own sink
 * PlainTransport, whose RTP lands on a local UDP socket. Sinks of the first `nodeCountedRooms`
 * rooms are read by Node and count packets per consumer SSRC (end-to-end verification); the
 * others are held by a child process that never reads them, and the kernel's per-socket drop
 * counter counts their arrivals at no CPU cost (see sinkHolder.ts). After each room is added we
 * measure over a window: worker CPU (getResourceUsage), Node CPU, forwarded packets/s and loss
 * at the sinks, memory. We stop at the first limit hit.
 * See bench/README.md for the metric definitions.
 */
import './workerBin.ts';
import * as mediasoup from 'mediasoup';
import type {
  Consumer,
  PlainTransport,
  Producer,
  Router,
  RouterRtpCodecCapability,
  RtpCapabilities,
  RtpParameters,
  Worker,
  WorkerResourceUsage,
} from 'mediasoup/types';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuCount, linearFit, readMachineCpu, round } from './stats.ts';
import { readUdpDrops, startSinkHolder } from './udpSinks.ts';
import { workerBinPath, workerBinSource } from './workerBin.ts';
import { hasKeyframeRequest, isRtcp, opusPayloadTemplate, rtpHeader, RTP_HEADER_BYTES, VP8_DESCRIPTOR_BYTES, vp8Header, vp8PayloadTemplates } from './rtp.ts';

export interface ConsumersPerCoreOptions {
  /** Participants per room; every participant consumes the others' audio + video. Default 5. */
  roomSize?: number;
  /** Hard cap on rooms (steps). Default 60. */
  maxRooms?: number;
  /** Total time budget including setup; no step is started that would overrun it. Default 240 s. */
  timeBudgetMs?: number;
  /** Wait after adding a room before measuring (keyframes, PLIs settle). Default 750 ms. */
  settleMs?: number;
  /** Measurement window per step. Default 3000 ms. */
  windowMs?: number;
  /** Stop when worker CPU reaches this % of one core. Default 80. */
  workerCpuLimitPct?: number;
  /** Stop when loss at the sinks exceeds this %. Default 1. */
  lossLimitPct?: number;
  /** The Node sender/sink harness counts as saturated at this % of one core. Default 90. */
  nodeCpuLimitPct?: number;
  /** ...or when it sent less than this % of the packets it was scheduled to send. Default 98. */
  senderOnTimeMinPct?: number;
  /** Sender timer period; each tick sends everything that is due (catch-up). Default 5 ms. */
  tickMs?: number;
  /** Video: bitrate of RTP (headers included), fps, RTP packet size, keyframe cadence. */
  videoBitrateBps?: number;
  videoFps?: number;
  videoPacketBytes?: number;
  keyframeIntervalMs?: number;
  keyframePackets?: number;
  /** Opus payload bytes per 20 ms packet. Default 100. */
  audioPayloadBytes?: number;
  /** SO_RCVBUF for the Node-read sink sockets (kernel caps at net.core.rmem_max). Default 2 MiB. */
  sinkRecvBufferBytes?: number;
  /**
   * Rooms (from the first) whose sinks Node reads and counts per consumer SSRC. Later rooms use
   * kernel-counted sinks. Default 1. Set ≥ maxRooms to read every sink in Node (then the Node
   * harness, not the worker, is usually the limit on a 2-core machine).
   */
  nodeCountedRooms?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface StepRow {
  /** Step = rooms in the worker. */
  step: number;
  /** 1, or 2 for the (twice as long) confirmation window measured when window 1 tripped a limit. */
  window: number;
  participants: number;
  producers: number;
  consumers: number;
  create_ms: number;
  worker_cpu_pct: number;
  node_cpu_pct: number;
  /** CPU used by everything else on the machine (other processes, softirq), in cores. */
  other_busy_cores: number;
  /** Idle share of all cores (/proc/stat). Near 0: the worker and the sender compete for CPU. */
  machine_idle_pct: number;
  sent_pps: number;
  expected_pps: number;
  forwarded_pps: number;
  loss_pct: number;
  /** End-to-end loss on the Node-read sinks only (includes drops by the Node harness itself). */
  verified_loss_pct: number;
  worker_rx_drops: number;
  node_sink_drops: number;
  silent_consumers: number;
  silent_sinks: number;
  sink_rtcp_pps: number;
  sender_on_time_pct: number;
  loop_delay_p99_ms: number;
  worker_rss_mb: number;
  node_rss_mb: number;
}

export interface DrainCheck {
  seconds: number;
  /** RTP packets Node sent → producers' packetCount in the worker. */
  node_sent: number;
  worker_received: number;
  ingress_loss_pct: number;
  /** Σ over consumers of their producer's received packets → consumers' sent packetCount. */
  worker_should_forward: number;
  worker_forwarded: number;
  worker_loss_pct: number;
  /** Consumers' sent packets → RTP packets Node read at the sinks. */
  node_read: number;
  egress_loss_pct: number;
}

export type StopReason = 'worker_cpu' | 'loss' | 'machine_saturated' | 'sender_saturated' | 'max_rooms' | 'time_budget';

export interface ConsumersPerCoreResult {
  /** Consumers at the stopping point (a lower bound when `is_lower_bound`). */
  consumers_per_worker_core: number;
  /** True when the stop was not the worker's own limit (CPU or loss), i.e. the worker had headroom left. */
  is_lower_bound: boolean;
  stop_reason: StopReason;
  stop_detail: string;
  /** Every limit that tripped at the stopping step. */
  limits_hit: StopReason[];
  /**
   * Room 1 (Node-verified) end-to-end accounting from the first window to the end, after stopping
   * the sender and letting queues drain: where packets were lost, free of window-edge effects.
   */
  drain_check: DrainCheck | null;
  at_stop: StepRow | null;
  /** Last step under the worker CPU limit, the loss limit and the sender-saturation limit. */
  last_under_limits: StepRow | null;
  consumers_last_under_limits: number;
  worker_cpu_pct: number;
  packets_per_second_forwarded: number;
  loss_pct: number;
  node_cpu_pct: number;
  /** Least-squares fit of worker CPU% vs consumers over all steps, solved for the CPU limit. */
  consumers_at_cpu_limit_extrapolated: number | null;
  worker_cpu_pct_per_1000_consumers: number | null;
  /** Worker CPU per 10k forwarded packets/s (fit over steps). */
  worker_cpu_pct_per_10k_pps: number | null;
  worker_rss_mb_per_participant: number | null;
  node_rss_mb_per_participant: number | null;
  worker_rss_baseline_mb: number;
  node_rss_baseline_mb: number;
  offered_video_kbps_per_participant: number;
  offered_audio_kbps_per_participant: number;
  offered_pps_per_participant: number;
  duration_ms: number;
  config: Required<Omit<ConsumersPerCoreOptions, 'log'>> & { worker_bin: string | null; worker_bin_source: string };
  steps: StepRow[];
}

const DEFAULTS: Required<Omit<ConsumersPerCoreOptions, 'log'>> = {
  roomSize: 5,
  maxRooms: 60,
  timeBudgetMs: 240_000,
  settleMs: 750,
  windowMs: 3000,
  workerCpuLimitPct: 80,
  lossLimitPct: 1,
  nodeCpuLimitPct: 90,
  senderOnTimeMinPct: 98,
  tickMs: 5,
  videoBitrateBps: 600_000,
  videoFps: 30,
  videoPacketBytes: 1100,
  keyframeIntervalMs: 4000,
  keyframePackets: 10,
  audioPayloadBytes: 100,
  sinkRecvBufferBytes: 2 * 1024 * 1024,
  nodeCountedRooms: 1,
};

const LOCALHOST = '127.0.0.1';
const VIDEO_PT = 96;
const AUDIO_PT = 111;
/** Frames further behind schedule than this are skipped (like a real encoder dropping frames). */
const MAX_CATCH_UP_MS = 200;
/** Below this % idle CPU on the machine, loss with the worker under its CPU limit is blamed on the machine. */
const MACHINE_IDLE_MIN_PCT = 5;
/** Keyframe requests (PLI/FIR) closer together than this share one keyframe. */
const MIN_KEYFRAME_GAP_MS = 300;

const mediaCodecs: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

interface Sender {
  ssrc: number;
  seq: number;
  /** Next due time (performance.now() ms). */
  nextAt: number;
  sentPackets: number;
  sentBytes: number;
  /** Frames/packets that were due but skipped because the sender fell too far behind. */
  skipped: number;
  /** Frames/packets sent (audio: packets; video: frames). */
  sentUnits: number;
}

interface Participant {
  index: number;
  room: number;
  sendSock: dgram.Socket;
  /** Node-read sink socket, or undefined for a kernel-counted sink (held by the child process). */
  sinkSock: dgram.Socket | undefined;
  sinkPort: number;
  producerTransport: PlainTransport;
  sinkTransport: PlainTransport;
  videoProducer: Producer;
  audioProducer: Producer;
  video: Sender & { frame: number; pictureId: number; budget: number; keyframeWanted: boolean; lastKeyframeAt: number };
  audio: Sender;
  /** Consumer SSRC → RTP packets read on this participant's sink (Node-read sinks only). */
  sinkCounts: Map<number, { n: number }>;
  consumers: Consumer[];
  startedAt: number;
}

interface Snapshot {
  t: number;
  workerCpuMs: number;
  nodeCpuUs: number;
  machine: { busy: number; total: number };
  /** Per participant: RTP packets sent, packets arrived at its sink socket, packets Node read there. */
  sent: number[];
  arrived: number[];
  read: number[];
  nodeSinkDrops: number;
  workerRxDrops: number;
  perConsumer: Map<Consumer, number>;
  scheduledUnits: number;
  sentUnits: number;
  rtcp: number;
}

function randomSsrc(): number {
  return (Math.floor(Math.random() * 0xfffffff0) + 1) >>> 0;
}

function bindSocket(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, LOCALHOST, () => {
      sock.off('error', reject);
      resolve();
    });
  });
}

function connectSocket(sock: dgram.Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(port, LOCALHOST, () => {
      sock.off('error', reject);
      resolve();
    });
  });
}

function readRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function sumPorts(drops: Map<number, number>, ports: Iterable<number>): number {
  let n = 0;
  for (const p of ports) n += drops.get(p) ?? 0;
  return n;
}

/** Capabilities the sink "endpoints" announce: the router's, minus congestion-control feedback they never send. */
function sinkRtpCapabilities(router: Router): RtpCapabilities {
  const caps = router.rtpCapabilities;
  return {
    codecs: (caps.codecs ?? []).map((c) => ({
      ...c,
      rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => fb.type === 'nack' || fb.type === 'ccm'),
    })),
    headerExtensions: (caps.headerExtensions ?? []).filter((h) => !h.uri.includes('transport-wide-cc') && !h.uri.includes('abs-send-time')),
  };
}

export async function benchConsumersPerCore(options: ConsumersPerCoreOptions = {}): Promise<ConsumersPerCoreResult> {
  const opts: Required<Omit<ConsumersPerCoreOptions, 'log'>> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined && k !== 'log') (opts as Record<string, unknown>)[k] = v;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const t0 = performance.now();
  const cores = cpuCount();

  const frameIntervalMs = 1000 / opts.videoFps;
  const audioIntervalMs = 20;
  const videoPayloadBytes = opts.videoPacketBytes - RTP_HEADER_BYTES - VP8_DESCRIPTOR_BYTES;
  const vp8 = vp8PayloadTemplates(videoPayloadBytes);
  const opus = opusPayloadTemplate(opts.audioPayloadBytes);
  const bytesPerFrame = opts.videoBitrateBps / 8 / opts.videoFps;

  const participants: Participant[] = [];
  const allConsumers: Consumer[] = [];
  /** Worker-side ports that receive the producers' RTP (their drops = worker ingress drops). */
  const workerIngressPorts: number[] = [];
  const steps: StepRow[] = [];
  let worker: Worker | undefined;
  let workerDied: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let holder: ChildProcess | undefined;
  let holderPorts: number[] = [];
  let rtcpSock: dgram.Socket | undefined;
  let rtcpCount = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });

  function sendVideoFrame(p: Participant, now: number): void {
    const v = p.video;
    const periodic = now - v.lastKeyframeAt >= opts.keyframeIntervalMs;
    const requested = v.keyframeWanted && now - v.lastKeyframeAt >= MIN_KEYFRAME_GAP_MS;
    const key = v.frame === 0 || periodic || requested;
    // Rate control: a byte budget per frame; keyframes borrow from the following frames.
    v.budget += bytesPerFrame;
    const packets = key ? opts.keyframePackets : Math.max(1, Math.round(v.budget / opts.videoPacketBytes));
    v.budget = Math.max(v.budget - packets * opts.videoPacketBytes, -2 * opts.keyframePackets * opts.videoPacketBytes);
    if (key) {
      v.keyframeWanted = false;
      v.lastKeyframeAt = now;
    }
    const ts = (v.frame * (90000 / opts.videoFps)) >>> 0;
    const pictureId = v.pictureId & 0x7fff;
    for (let i = 0; i < packets; i++) {
      const first = i === 0;
      const header = vp8Header(VIDEO_PT, i === packets - 1, v.seq, ts, v.ssrc, first, pictureId);
      const payload = first ? (key ? vp8.keyStart : vp8.deltaStart) : vp8.cont;
      p.sendSock.send([header, payload]);
      v.seq = (v.seq + 1) & 0xffff;
      v.sentPackets++;
      v.sentBytes += header.length + payload.length;
    }
    v.frame++;
    v.pictureId++;
    v.sentUnits++;
  }

  function sendAudioPacket(p: Participant): void {
    const a = p.audio;
    const header = rtpHeader(AUDIO_PT, false, a.seq, (a.sentUnits + a.skipped) * 960, a.ssrc);
    p.sendSock.send([header, opus]);
    a.seq = (a.seq + 1) & 0xffff;
    a.sentPackets++;
    a.sentBytes += header.length + opus.length;
    a.sentUnits++;
  }

  /** Timer loop: send everything that is due; skip what is hopelessly late (and count it). */
  function tick(): void {
    const now = performance.now();
    for (const p of participants) {
      const v = p.video;
      for (let guard = 0; v.nextAt <= now && guard < 64; guard++) {
        if (now - v.nextAt > MAX_CATCH_UP_MS) {
          v.skipped++;
          v.frame++;
          v.pictureId++;
        } else {
          sendVideoFrame(p, now);
        }
        v.nextAt += frameIntervalMs;
      }
      const a = p.audio;
      for (let guard = 0; a.nextAt <= now && guard < 64; guard++) {
        if (now - a.nextAt > MAX_CATCH_UP_MS) a.skipped++;
        else sendAudioPacket(p);
        a.nextAt += audioIntervalMs;
      }
    }
  }

  async function addParticipant(router: Router, room: number): Promise<Participant> {
    const index = participants.length;
    const sendSock = dgram.createSocket('udp4');
    sendSock.on('error', (err) => log(`send socket ${index} error: ${err.message}`));
    await bindSocket(sendSock);

    const producerTransport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: LOCALHOST },
      rtcpMux: true,
      comedia: false,
    });
    // comedia: false → the worker accepts RTP only from the connected tuple, and sends RTCP (PLI) there.
    await producerTransport.connect({ ip: LOCALHOST, port: sendSock.address().port });
    await connectSocket(sendSock, producerTransport.tuple.localPort);
    workerIngressPorts.push(producerTransport.tuple.localPort);

    const videoSsrc = randomSsrc();
    const audioSsrc = randomSsrc();
    const cname = `bench-${index}`;
    const videoRtp: RtpParameters = {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: VIDEO_PT,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        },
      ],
      encodings: [{ ssrc: videoSsrc }],
      rtcp: { cname, reducedSize: true },
    };
    const audioRtp: RtpParameters = {
      codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: audioSsrc }],
      rtcp: { cname, reducedSize: true },
    };
    const videoProducer = await producerTransport.produce({ kind: 'video', rtpParameters: videoRtp });
    const audioProducer = await producerTransport.produce({ kind: 'audio', rtpParameters: audioRtp });

    // Sink: RTP to its own socket (Node-read or kernel-counted), RTCP (rtcpMux off) to one shared Node socket.
    let sinkSock: dgram.Socket | undefined;
    let sinkPort: number;
    if (room <= opts.nodeCountedRooms) {
      sinkSock = dgram.createSocket({ type: 'udp4', recvBufferSize: opts.sinkRecvBufferBytes });
      sinkSock.on('error', (err) => log(`sink socket ${index} error: ${err.message}`));
      await bindSocket(sinkSock);
      sinkPort = sinkSock.address().port;
    } else {
      const port = holderPorts.shift();
      if (port === undefined) throw new Error('out of kernel-counted sink sockets');
      sinkPort = port;
    }
    const sinkTransport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: LOCALHOST },
      rtcpMux: false,
      comedia: false,
    });
    await sinkTransport.connect({ ip: LOCALHOST, port: sinkPort, rtcpPort: rtcpSock!.address().port });

    const now = performance.now();
    const newSender = (ssrc: number, phaseMs: number): Sender => ({
      ssrc,
      seq: Math.floor(Math.random() * 0xffff),
      nextAt: now + Math.random() * phaseMs,
      sentPackets: 0,
      sentBytes: 0,
      skipped: 0,
      sentUnits: 0,
    });
    const p: Participant = {
      index,
      room,
      sendSock,
      sinkSock,
      sinkPort,
      producerTransport,
      sinkTransport,
      videoProducer,
      audioProducer,
      video: {
        ...newSender(videoSsrc, frameIntervalMs),
        frame: 0,
        pictureId: Math.floor(Math.random() * 0x7fff),
        budget: 0,
        keyframeWanted: false,
        lastKeyframeAt: now,
      },
      audio: newSender(audioSsrc, audioIntervalMs),
      sinkCounts: new Map(),
      consumers: [],
      startedAt: now,
    };
    // RTCP from the worker (PLI/FIR from new consumers, receiver reports) arrives on the sending socket.
    sendSock.on('message', (msg) => {
      if (isRtcp(msg) && hasKeyframeRequest(msg)) p.video.keyframeWanted = true;
    });
    if (sinkSock) {
      const counts = p.sinkCounts;
      sinkSock.on('message', (msg) => {
        if (msg.length < RTP_HEADER_BYTES || isRtcp(msg)) return;
        const c = counts.get(msg.readUInt32BE(8));
        if (c) c.n++;
      });
    }
    participants.push(p);
    return p;
  }

  async function consume(consumerP: Participant, producer: Producer, sinkCaps: RtpCapabilities): Promise<void> {
    const consumer = await consumerP.sinkTransport.consume({ producerId: producer.id, rtpCapabilities: sinkCaps });
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    if (ssrc === undefined) throw new Error('consumer has no SSRC');
    consumerP.sinkCounts.set(ssrc, { n: 0 });
    consumerP.consumers.push(consumer);
    allConsumers.push(consumer);
  }

  function assertWorkerAlive(): void {
    const err = workerDied as Error | undefined; // set from the 'died' handler
    if (err) throw new Error(`mediasoup worker died: ${err.message}`);
  }

  async function snapshot(w: Worker): Promise<Snapshot> {
    let drops = readUdpDrops();
    const ports = [...workerIngressPorts, ...participants.map((p) => p.sinkPort)];
    for (let i = 0; i < 3 && drops.size > 0 && ports.some((port) => !drops.has(port)); i++) drops = readUdpDrops();
    if (drops.size > 0 && ports.some((port) => !drops.has(port))) log('[consumers] warning: some sockets missing from /proc/net/udp');
    const u = process.cpuUsage();
    const s: Omit<Snapshot, 'workerCpuMs'> = {
      t: performance.now(),
      nodeCpuUs: u.user + u.system,
      machine: readMachineCpu(),
      sent: [],
      arrived: [],
      read: [],
      nodeSinkDrops: 0,
      workerRxDrops: sumPorts(drops, workerIngressPorts),
      perConsumer: new Map(),
      scheduledUnits: 0,
      sentUnits: 0,
      rtcp: rtcpCount,
    };
    for (const p of participants) {
      s.sent.push(p.video.sentPackets + p.audio.sentPackets);
      s.scheduledUnits += p.video.sentUnits + p.video.skipped + p.audio.sentUnits + p.audio.skipped;
      s.sentUnits += p.video.sentUnits + p.audio.sentUnits;
      const sinkDrops = drops.get(p.sinkPort) ?? 0;
      if (p.sinkSock) {
        let read = 0;
        for (const c of p.sinkCounts.values()) read += c.n;
        s.read.push(read);
        s.arrived.push(read + sinkDrops);
        s.nodeSinkDrops += sinkDrops;
        for (const c of p.consumers) {
          const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
          s.perConsumer.set(c, ssrc === undefined ? 0 : (p.sinkCounts.get(ssrc)?.n ?? 0));
        }
      } else {
        s.read.push(0);
        s.arrived.push(sinkDrops); // never read: every arrival is a kernel drop
      }
    }
    const ru: WorkerResourceUsage = await w.getResourceUsage();
    return { ...s, workerCpuMs: ru.ru_utime + ru.ru_stime };
  }

  /** One measurement window over the current load. */
  async function measure(w: Worker, step: number, window: number, createMs: number, windowMs: number): Promise<StepRow> {
    const a = await snapshot(w);
    loopDelay.reset();
    await sleep(windowMs);
    const b = await snapshot(w);
    assertWorkerAlive();
    const wallMs = b.t - a.t;
    // Expected at participant i's sink: everything the other members of its room sent.
    const roomSent = new Map<number, number>();
    participants.forEach((p, i) => roomSent.set(p.room, (roomSent.get(p.room) ?? 0) + (b.sent[i]! - (a.sent[i] ?? 0))));
    let sent = 0;
    let expected = 0;
    let arrived = 0;
    let expectedNode = 0;
    let readNode = 0;
    let silentSinks = 0;
    participants.forEach((p, i) => {
      const sentI = b.sent[i]! - (a.sent[i] ?? 0);
      const expI = roomSent.get(p.room)! - sentI;
      const arrI = b.arrived[i]! - (a.arrived[i] ?? 0);
      sent += sentI;
      expected += expI;
      arrived += arrI;
      if (arrI === 0) silentSinks++;
      if (p.sinkSock) {
        expectedNode += expI;
        readNode += b.read[i]! - (a.read[i] ?? 0);
      }
    });
    let silent = 0;
    for (const [c, n] of b.perConsumer) if (n - (a.perConsumer.get(c) ?? 0) === 0) silent++;
    const machineTotal = b.machine.total - a.machine.total;
    const scheduled = b.scheduledUnits - a.scheduledUnits;
    const workerCpu = ((b.workerCpuMs - a.workerCpuMs) / wallMs) * 100;
    const nodeCpu = ((b.nodeCpuUs - a.nodeCpuUs) / 1000 / wallMs) * 100;
    const machineBusyCores = machineTotal > 0 ? ((b.machine.busy - a.machine.busy) / machineTotal) * cores : NaN;
    const row: StepRow = {
      step,
      window,
      participants: participants.length,
      producers: participants.length * 2,
      consumers: allConsumers.length,
      create_ms: Math.round(createMs),
      worker_cpu_pct: round(workerCpu),
      node_cpu_pct: round(nodeCpu),
      other_busy_cores: round(Math.max(0, machineBusyCores - workerCpu / 100 - nodeCpu / 100), 2),
      machine_idle_pct: round(100 - (machineBusyCores / cores) * 100),
      sent_pps: Math.round((sent / wallMs) * 1000),
      expected_pps: Math.round((expected / wallMs) * 1000),
      forwarded_pps: Math.round((arrived / wallMs) * 1000),
      loss_pct: expected > 0 ? round((1 - arrived / expected) * 100, 2) : 0,
      verified_loss_pct: expectedNode > 0 ? round((1 - readNode / expectedNode) * 100, 2) : 0,
      worker_rx_drops: b.workerRxDrops - a.workerRxDrops,
      node_sink_drops: b.nodeSinkDrops - a.nodeSinkDrops,
      silent_consumers: silent,
      silent_sinks: silentSinks,
      sink_rtcp_pps: round(((b.rtcp - a.rtcp) / wallMs) * 1000),
      sender_on_time_pct: scheduled > 0 ? round(((b.sentUnits - a.sentUnits) / scheduled) * 100, 2) : 100,
      loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 1),
      worker_rss_mb: round(readRssMb(w.pid)),
      node_rss_mb: round(process.memoryUsage().rss / 1024 / 1024),
    };
    log(
      `[consumers] room ${step}${window > 1 ? ` (window ${window})` : ''}: ${row.consumers} consumers, worker ${row.worker_cpu_pct}% cpu, node ${row.node_cpu_pct}%, ` +
        `other ${row.other_busy_cores} cores, ${row.forwarded_pps} pps fwd, loss ${row.loss_pct}% ` +
        `(verified ${row.verified_loss_pct}%), on-time ${row.sender_on_time_pct}%, rss worker ${row.worker_rss_mb} MB node ${row.node_rss_mb} MB`,
    );
    return row;
  }

  /** Which limits a window trips. Loss at the Node-read sinks that the kernel counters show did arrive is the harness's limit. */
  function evaluate(row: StepRow): { hit: StopReason[]; details: string[] } {
    const hit: StopReason[] = [];
    const details: string[] = [];
    // No idle CPU left on the machine: loss or a late sender then says more about the neighbours
    // than about the worker (it cannot get its core).
    const machineSaturated = row.machine_idle_pct < MACHINE_IDLE_MIN_PCT && row.worker_cpu_pct < opts.workerCpuLimitPct;
    const contention = `machine ${row.machine_idle_pct}% idle, other processes ${row.other_busy_cores} cores`;
    if (row.worker_cpu_pct >= opts.workerCpuLimitPct) {
      hit.push('worker_cpu');
      details.push(`worker CPU ${row.worker_cpu_pct}% ≥ ${opts.workerCpuLimitPct}%`);
    }
    if (row.loss_pct > opts.lossLimitPct) {
      hit.push(machineSaturated ? 'machine_saturated' : 'loss');
      details.push(
        `loss ${row.loss_pct}% > ${opts.lossLimitPct}% (${row.expected_pps - row.forwarded_pps} packets/s; ` +
          `worker ingress socket drops ${row.worker_rx_drops}; worker CPU ${row.worker_cpu_pct}%; ${contention})`,
      );
    }
    const harnessLoss = row.verified_loss_pct > opts.lossLimitPct && row.loss_pct <= opts.lossLimitPct;
    if (row.node_cpu_pct >= opts.nodeCpuLimitPct || row.sender_on_time_pct < opts.senderOnTimeMinPct || harnessLoss) {
      const reason: StopReason = machineSaturated && row.node_cpu_pct < opts.nodeCpuLimitPct ? 'machine_saturated' : 'sender_saturated';
      if (!hit.includes(reason)) hit.push(reason);
      details.push(
        `Node harness at ${row.node_cpu_pct}% CPU (limit ${opts.nodeCpuLimitPct}%), sent ${row.sender_on_time_pct}% of schedule, ` +
          `Node-read sink loss ${row.verified_loss_pct}% (socket drops ${row.node_sink_drops}); ${contention}`,
      );
    }
    const order: StopReason[] = ['worker_cpu', 'loss', 'machine_saturated', 'sender_saturated'];
    hit.sort((x, y) => order.indexOf(x) - order.indexOf(y));
    return { hit, details };
  }

  /** Worker-side counters for the Node-verified participants (room 1): producer in, consumer out. */
  async function workerCounters(ps: Participant[]): Promise<{ producerIn: Map<string, number>; consumerOut: Map<Consumer, number> }> {
    const producerIn = new Map<string, number>();
    const consumerOut = new Map<Consumer, number>();
    for (const p of ps) {
      for (const producer of [p.videoProducer, p.audioProducer]) {
        producerIn.set(
          producer.id,
          (await producer.getStats()).reduce((n, st) => n + st.packetCount, 0),
        );
      }
      for (const c of p.consumers) {
        const out = (await c.getStats()).filter((st) => st.type === 'outbound-rtp');
        consumerOut.set(
          c,
          out.reduce((n, st) => n + st.packetCount, 0),
        );
      }
    }
    return { producerIn, consumerOut };
  }

  function nodeCounters(ps: Participant[]): { sent: Map<string, number>; read: Map<Consumer, number> } {
    const sent = new Map<string, number>();
    const read = new Map<Consumer, number>();
    for (const p of ps) {
      sent.set(p.videoProducer.id, p.video.sentPackets);
      sent.set(p.audioProducer.id, p.audio.sentPackets);
      for (const c of p.consumers) read.set(c, p.sinkCounts.get(c.rtpParameters.encodings?.[0]?.ssrc ?? -1)?.n ?? 0);
    }
    return { sent, read };
  }

  let stopReason: StopReason | undefined;
  let stopDetail = '';
  let limitsHit: StopReason[] = [];
  let workerRssBase: number;
  let nodeRssBase: number;
  let sendingStoppedAt = Infinity;
  let drainBase: { t: number; node: ReturnType<typeof nodeCounters>; worker: Awaited<ReturnType<typeof workerCounters>> } | undefined;
  let drainCheck: DrainCheck | null = null;

  try {
    log(`[consumers] worker binary: ${workerBinPath ?? '(mediasoup default)'} (${workerBinSource})`);
    const kernelSinks = Math.max(0, opts.maxRooms - opts.nodeCountedRooms) * opts.roomSize;
    if (kernelSinks > 0) {
      const h = await startSinkHolder(kernelSinks, opts.timeBudgetMs + 60_000);
      holder = h.child;
      holderPorts = h.ports;
    }
    rtcpSock = dgram.createSocket('udp4');
    rtcpSock.on('message', () => {
      rtcpCount++;
    });
    await bindSocket(rtcpSock);

    worker = await mediasoup.createWorker({ logLevel: 'error' });
    worker.on('died', (err: Error) => {
      workerDied = err;
    });
    const router = await worker.createRouter({ mediaCodecs });
    const sinkCaps = sinkRtpCapabilities(router);
    await sleep(200);
    workerRssBase = readRssMb(worker.pid);
    nodeRssBase = process.memoryUsage().rss / 1024 / 1024;

    timer = setInterval(tick, opts.tickMs);
    loopDelay.enable();
    let lastStepMs = opts.settleMs + opts.windowMs + 500;

    for (let step = 1; step <= opts.maxRooms; step++) {
      const elapsed = performance.now() - t0;
      if (elapsed + lastStepMs > opts.timeBudgetMs) {
        stopReason = 'time_budget';
        stopDetail = `next step would exceed the ${opts.timeBudgetMs / 1000} s budget (elapsed ${round(elapsed / 1000)} s)`;
        limitsHit = ['time_budget'];
        break;
      }
      const stepStart = performance.now();

      // One new room: roomSize participants, each consuming everyone else's audio + video.
      const room: Participant[] = [];
      for (let i = 0; i < opts.roomSize; i++) room.push(await addParticipant(router, step));
      const consumes: Promise<void>[] = [];
      for (const sub of room) {
        for (const pub of room) {
          if (sub === pub) continue;
          consumes.push(consume(sub, pub.audioProducer, sinkCaps), consume(sub, pub.videoProducer, sinkCaps));
        }
      }
      await Promise.all(consumes);
      const createMs = performance.now() - stepStart;

      await sleep(opts.settleMs);
      assertWorkerAlive();

      if (step === 1 && opts.nodeCountedRooms >= 1) {
        const verified = participants.slice(0, opts.roomSize);
        drainBase = { t: performance.now(), node: nodeCounters(verified), worker: await workerCounters(verified) };
      }
      let row = await measure(worker, step, 1, createMs, opts.windowMs);
      steps.push(row);
      let verdict = evaluate(row);
      if (verdict.hit.length > 0) {
        // Confirm with a second, twice as long window before stopping: one window can be skewed by a
        // scheduling hiccup (packets in flight at a window edge) on a shared machine.
        row = await measure(worker, step, 2, createMs, 2 * opts.windowMs);
        steps.push(row);
        verdict = evaluate(row);
      }
      if (verdict.hit.length > 0) {
        stopReason = verdict.hit[0]!;
        limitsHit = verdict.hit;
        stopDetail = verdict.details.join('; ');
        break;
      }
      lastStepMs = performance.now() - stepStart;
      if (step === opts.maxRooms) {
        stopReason = 'max_rooms';
        limitsHit = ['max_rooms'];
        stopDetail = `reached the cap of ${opts.maxRooms} rooms`;
      }
    }

    // Drain check on room 1 (Node-verified): stop sending, let queues drain, then compare cumulative
    // counters since the first window at each hop. No window edges here, so this locates real loss.
    if (drainBase && worker) {
      clearInterval(timer);
      timer = undefined;
      sendingStoppedAt = performance.now();
      await sleep(500);
      const verified = participants.slice(0, opts.roomSize);
      const node = nodeCounters(verified);
      const wk = await workerCounters(verified);
      let nodeSent = 0;
      let workerIn = 0;
      let shouldForward = 0;
      let workerOut = 0;
      let nodeRead = 0;
      for (const [id, n] of node.sent) nodeSent += n - (drainBase.node.sent.get(id) ?? 0);
      for (const [id, n] of wk.producerIn) workerIn += n - (drainBase.worker.producerIn.get(id) ?? 0);
      for (const p of verified) {
        for (const c of p.consumers) {
          shouldForward += (wk.producerIn.get(c.producerId) ?? 0) - (drainBase.worker.producerIn.get(c.producerId) ?? 0);
          workerOut += (wk.consumerOut.get(c) ?? 0) - (drainBase.worker.consumerOut.get(c) ?? 0);
          nodeRead += (node.read.get(c) ?? 0) - (drainBase.node.read.get(c) ?? 0);
        }
      }
      const pct = (lost: number, of: number) => (of > 0 ? round((lost / of) * 100, 3) : 0);
      drainCheck = {
        seconds: round((sendingStoppedAt - drainBase.t) / 1000),
        node_sent: nodeSent,
        worker_received: workerIn,
        ingress_loss_pct: pct(nodeSent - workerIn, nodeSent),
        worker_should_forward: shouldForward,
        worker_forwarded: workerOut,
        worker_loss_pct: pct(shouldForward - workerOut, shouldForward),
        node_read: nodeRead,
        egress_loss_pct: pct(workerOut - nodeRead, workerOut),
      };
      log(`[consumers] drain check (room 1, cumulative): ${JSON.stringify(drainCheck)}`);
    }
  } finally {
    if (timer) clearInterval(timer);
    sendingStoppedAt = Math.min(sendingStoppedAt, performance.now());
    loopDelay.disable();
    worker?.close();
    holder?.kill('SIGKILL');
    const socks = [rtcpSock, ...participants.flatMap((p) => [p.sendSock, p.sinkSock])].filter((s): s is dgram.Socket => s !== undefined);
    await Promise.all(
      socks.map(
        (s) =>
          new Promise<void>((resolve) => {
            try {
              s.close(() => resolve());
            } catch {
              resolve();
            }
          }),
      ),
    );
  }

  const durationMs = performance.now() - t0;
  const last = steps[steps.length - 1] ?? null;
  const underLimits = steps.filter(
    (s) =>
      s.worker_cpu_pct < opts.workerCpuLimitPct &&
      s.loss_pct <= opts.lossLimitPct &&
      s.verified_loss_pct <= opts.lossLimitPct &&
      s.node_cpu_pct < opts.nodeCpuLimitPct &&
      s.sender_on_time_pct >= opts.senderOnTimeMinPct &&
      s.verified_loss_pct <= opts.lossLimitPct,
  );
  const lastUnder = underLimits[underLimits.length - 1] ?? null;
  const cpuFit = linearFit(
    steps.map((s) => s.consumers),
    steps.map((s) => s.worker_cpu_pct),
  );
  const ppsFit = linearFit(
    steps.map((s) => s.forwarded_pps),
    steps.map((s) => s.worker_cpu_pct),
  );
  const reason = stopReason ?? 'max_rooms';

  // Offered load per participant, from what the sender actually sent.
  let videoBytes = 0;
  let audioBytes = 0;
  let pkts = 0;
  let participantSeconds = 0;
  for (const p of participants) {
    videoBytes += p.video.sentBytes;
    audioBytes += p.audio.sentBytes;
    pkts += p.video.sentPackets + p.audio.sentPackets;
    participantSeconds += (sendingStoppedAt - p.startedAt) / 1000;
  }
  const ps = participantSeconds > 0 ? participantSeconds : NaN;

  return {
    consumers_per_worker_core: last?.consumers ?? 0,
    is_lower_bound: reason !== 'worker_cpu' && reason !== 'loss',
    stop_reason: reason,
    stop_detail: stopDetail,
    limits_hit: limitsHit,
    consumers_last_under_limits: lastUnder?.consumers ?? 0,
    worker_cpu_pct: last?.worker_cpu_pct ?? NaN,
    packets_per_second_forwarded: last?.forwarded_pps ?? NaN,
    loss_pct: last?.loss_pct ?? NaN,
    node_cpu_pct: last?.node_cpu_pct ?? NaN,
    consumers_at_cpu_limit_extrapolated: cpuFit && cpuFit.slope > 0 ? Math.round((opts.workerCpuLimitPct - cpuFit.intercept) / cpuFit.slope) : null,
    worker_cpu_pct_per_1000_consumers: cpuFit ? round(cpuFit.slope * 1000, 2) : null,
    worker_cpu_pct_per_10k_pps: ppsFit ? round(ppsFit.slope * 10_000, 2) : null,
    worker_rss_mb_per_participant: last ? round((last.worker_rss_mb - workerRssBase) / last.participants, 3) : null,
    node_rss_mb_per_participant: last ? round((last.node_rss_mb - nodeRssBase) / last.participants, 3) : null,
    worker_rss_baseline_mb: round(workerRssBase),
    node_rss_baseline_mb: round(nodeRssBase),
    offered_video_kbps_per_participant: round((videoBytes * 8) / 1000 / ps),
    offered_audio_kbps_per_participant: round((audioBytes * 8) / 1000 / ps),
    offered_pps_per_participant: round(pkts / ps),
    duration_ms: Math.round(durationMs),
    drain_check: drainCheck,
    at_stop: last,
    last_under_limits: lastUnder,
    config: { ...opts, worker_bin: workerBinPath ?? null, worker_bin_source: workerBinSource },
    steps,
  };
}
