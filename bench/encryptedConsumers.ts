/**
 * encrypted_consumers: what SRTP costs the worker, and how many encrypted consumers one worker
 * core can serve. One publisher (bench/publisher.ts: VP8 + Opus, plain RTP in) is fanned out to N
 * subscribers that are real WebRTC endpoints (werift in child processes: ICE, DTLS, SRTP; each a
 * WebRtcTransport with one audio and one video consumer) and, at the same N, to N PlainTransport
 * sinks (plain RTP, kernel-counted like bench/consumers.ts). At each step both sets exist; one is
 * paused while the other is measured, so the plain and encrypted windows see the same stream,
 * counts and machine. See bench/README.md.
 */
import './workerBin.ts';
import * as mediasoup from 'mediasoup';
import type { Consumer, PlainTransport, Router, RtpCapabilities, WebRtcTransport, Worker } from 'mediasoup/types';
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startPublisher, type Publisher } from './publisher.ts';
import { cpuCount, linearFit, readMachineCpu, readProcessCpuTicks, round } from './stats.ts';
import { SubscriberHosts } from './subscriberHosts.ts';
import { workerBinPath } from './workerBin.ts';
import { readUdpDrops, startSinkHolder } from './udpSinks.ts';

const run = promisify(execFile);
const LOCALHOST = '127.0.0.1';
/** Linux clock ticks per second (USER_HZ) in /proc/<pid>/stat. */
const TICKS_PER_S = 100;
const SRTP_PROFILES: Record<number, string> = { 1: 'AES_CM_128_HMAC_SHA1_80', 7: 'AEAD_AES_128_GCM' };

export interface EncryptedOptions {
  /** Subscriber counts to step through (each subscriber = 1 audio + 1 video consumer). */
  steps: number[];
  /** Child processes hosting the werift subscribers. */
  hosts: number;
  settleMs: number;
  windowMs: number;
  workerCpuLimitPct: number;
  lossLimitPct: number;
  /** A subscriber host at this % of one core counts as saturated (its loss is its own). */
  hostCpuLimitPct: number;
  timeBudgetMs: number;
  /** perf record the worker at the last step, once encrypted and once plain (0 = off). */
  profileSeconds: number;
  /**
   * Nice values for the worker and the subscriber hosts (negative = more CPU than neighbours; needs
   * root, else left as is). On a shared 2-core machine a starved worker or subscriber loses packets
   * that say nothing about the worker's cost; a production worker has its core.
   */
  workerNice: number;
  hostNice: number;
}

const DEFAULTS: EncryptedOptions = {
  steps: [10, 25, 50, 100, 150, 200, 300, 400, 500, 600, 800, 1000],
  hosts: 2,
  settleMs: 1500,
  windowMs: 4000,
  workerCpuLimitPct: 80,
  lossLimitPct: 1,
  hostCpuLimitPct: 90,
  timeBudgetMs: 420_000,
  profileSeconds: 8,
  workerNice: -10,
  hostNice: -5,
};

function optionsFromEnv(): Partial<EncryptedOptions> {
  const env = process.env;
  const o: Partial<EncryptedOptions> = {};
  if (env['BENCH_ENCRYPTED_STEPS']) o.steps = env['BENCH_ENCRYPTED_STEPS'].split(',').map(Number);
  if (env['BENCH_ENCRYPTED_HOSTS']) o.hosts = Number(env['BENCH_ENCRYPTED_HOSTS']);
  if (env['BENCH_ENCRYPTED_PROFILE_S']) o.profileSeconds = Number(env['BENCH_ENCRYPTED_PROFILE_S']);
  if (env['BENCH_ENCRYPTED_BUDGET_MS']) o.timeBudgetMs = Number(env['BENCH_ENCRYPTED_BUDGET_MS']);
  return o;
}

type Mode = 'encrypted' | 'plain';

interface Row {
  subscribers: number;
  consumers: number;
  mode: Mode;
  window: number;
  worker_cpu_pct: number;
  sent_pps: number;
  expected_pps: number;
  forwarded_pps: number;
  loss_pct: number;
  worker_us_per_packet: number;
  /** werift hosts' CPU, % of one core each (encrypted windows only). */
  host_cpu_pct: string;
  node_cpu_pct: number;
  machine_idle_pct: number;
  silent_subscribers: number;
  /** Encrypted: datagrams the kernel dropped at the subscribers' sockets (receive buffer full: the subscriber process did not read in time). */
  subscriber_socket_drops: number;
  /** Encrypted: WebRtcTransports whose ICE is not connected/completed or DTLS not connected at the window's end. */
  transports_down: number;
}

/** Capabilities of a receiver that sends no congestion feedback and negotiates no header extensions. */
function receiverCaps(router: Router): RtpCapabilities {
  return {
    codecs: (router.rtpCapabilities.codecs ?? []).map((c) => ({
      ...c,
      rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => fb.type === 'nack' || fb.type === 'ccm'),
    })),
    headerExtensions: [],
  };
}

/** Shared objects that do SRTP and its crypto: libsrtp, NSS (softokn/freebl), OpenSSL's libcrypto. */
const CRYPTO_DSO = /srtp|softokn|freebl|nss|libcrypto/;

interface Perf {
  seconds: number;
  samples: string;
  /** Share of the worker's samples in CRYPTO_DSO. */
  crypto_pct: number;
  by_dso: { pct: number; dso: string }[];
  top_symbols: { pct: number; dso: string; symbol: string }[];
}

/** `perf record` of one process for `seconds`; flat profile by shared object and by symbol. */
async function profile(pid: number, seconds: number): Promise<Perf | { error: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-perf-'));
  const file = path.join(dir, 'perf.data');
  try {
    await run('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)]);
    const report = async (sort: string) =>
      (
        await run('perf', ['report', '-i', file, '--stdio', '--no-children', '--sort', sort, '--percent-limit', '0.5'], {
          maxBuffer: 16 * 1024 * 1024,
        })
      ).stdout;
    const byDso = (await report('dso'))
      .split('\n')
      .map((l) => /^\s+([\d.]+)%\s+(\S.*?)\s*$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pct: Number(m[1]), dso: m[2]! }));
    const symText = await report('dso,sym');
    const top = symText
      .split('\n')
      .map((l) => /^\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*?)\s*$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .slice(0, 25)
      .map((m) => ({ pct: Number(m[1]), dso: m[2]!, symbol: m[3]! }));
    const samples = /^# Samples: (\S+)/m.exec(symText)?.[1] ?? '?';
    const crypto = byDso.filter((d) => CRYPTO_DSO.test(d.dso)).reduce((a, d) => a + d.pct, 0);
    return { seconds, samples, crypto_pct: round(crypto, 1), by_dso: byDso, top_symbols: top };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function perfUsable(): Promise<boolean> {
  try {
    await run('perf', ['--version']);
    return true;
  } catch {
    return false;
  }
}

interface EncSub {
  id: number;
  transport: WebRtcTransport;
  consumers: Consumer[];
}

interface PlainSink {
  port: number;
  transport: PlainTransport;
  consumers: Consumer[];
}

export async function benchEncryptedConsumers(options: Partial<EncryptedOptions> = {}): Promise<Record<string, unknown>> {
  const opts: EncryptedOptions = { ...DEFAULTS, ...optionsFromEnv(), ...options };
  const log = (line: string) => process.stderr.write(`[encrypted] ${line}\n`);
  const t0 = performance.now();
  const cores = cpuCount();
  const maxSubs = Math.max(...opts.steps);

  let worker: Worker | undefined;
  let workerDied: Error | undefined;
  let publisher: Publisher | undefined;
  let hosts: SubscriberHosts | undefined;
  let holder: ChildProcess | undefined;
  let rtcpSock: dgram.Socket | undefined;
  const enc: EncSub[] = [];
  const plain: PlainSink[] = [];
  const rows: Row[] = [];
  const srtpProfiles = new Map<string, number>();
  const connectMs: number[] = [];
  let stopReason = 'steps_done';
  let stopDetail = '';
  let profiles: Record<string, unknown> | null = null;
  const reniced = { worker: false, hosts: false };

  try {
    worker = await mediasoup.createWorker({ logLevel: 'error' });
    worker.on('died', (e) => (workerDied = e));
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      ],
    });
    const caps = receiverCaps(router);
    const workerPid = worker.pid;
    reniced.worker = renice(workerPid, opts.workerNice);
    publisher = await startPublisher(router);
    hosts = new SubscriberHosts(opts.hosts);
    reniced.hosts = hosts.pids.every((pid) => renice(pid, opts.hostNice));
    const h = await startSinkHolder(maxSubs, opts.timeBudgetMs + 120_000);
    holder = h.child;
    const holderPorts = h.ports;
    rtcpSock = dgram.createSocket('udp4');
    rtcpSock.on('message', () => undefined);
    await new Promise<void>((resolve) => rtcpSock!.bind(0, LOCALHOST, resolve));

    const addEncrypted = async (id: number): Promise<void> => {
      const started = performance.now();
      const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCALHOST }] });
      const consumers = [
        await transport.consume({ producerId: publisher!.audio.id, rtpCapabilities: caps }),
        await transport.consume({ producerId: publisher!.video.id, rtpCapabilities: caps }),
      ];
      const { answer, connected } = hosts!.offer({
        type: 'add',
        id,
        ice: transport.iceParameters,
        candidates: transport.iceCandidates.map((c) => ({
          ip: c.address,
          port: c.port,
          protocol: c.protocol,
          priority: c.priority,
          foundation: c.foundation,
        })),
        fingerprints: transport.dtlsParameters.fingerprints,
        consumers: consumers.map((c) => {
          const codec = c.rtpParameters.codecs[0]!;
          return {
            kind: c.kind,
            payloadType: codec.payloadType,
            mimeType: codec.mimeType,
            clockRate: codec.clockRate,
            ...(codec.channels ? { channels: codec.channels } : {}),
            ssrc: c.rtpParameters.encodings![0]!.ssrc!,
            cname: c.rtpParameters.rtcp?.cname ?? 'sfu',
            rtcpFeedback: (codec.rtcpFeedback ?? []).map((fb) => ({
              type: fb.type,
              ...(fb.parameter ? { parameter: fb.parameter } : {}),
            })),
          };
        }),
      });
      const fingerprints = await answer;
      await transport.connect({
        dtlsParameters: {
          role: 'client',
          fingerprints: fingerprints.map((f) => ({ algorithm: f.algorithm as 'sha-256', value: f.value })),
        },
      });
      const profileId = await Promise.race([
        connected,
        sleep(60_000).then(() => {
          throw new Error(`subscriber ${id} got no media within 60 s (dtls ${transport.dtlsState}, ice ${transport.iceState})`);
        }),
      ]);
      const name = profileId === null ? 'unknown' : (SRTP_PROFILES[profileId] ?? String(profileId));
      srtpProfiles.set(name, (srtpProfiles.get(name) ?? 0) + 1);
      connectMs.push(performance.now() - started);
      enc.push({ id, transport, consumers });
    };

    const addPlain = async (): Promise<void> => {
      const port = holderPorts.shift();
      if (port === undefined) throw new Error('out of sink sockets');
      const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCALHOST }, rtcpMux: false });
      await transport.connect({ ip: LOCALHOST, port, rtcpPort: rtcpSock!.address().port });
      const consumers = [
        await transport.consume({ producerId: publisher!.audio.id, rtpCapabilities: caps }),
        await transport.consume({ producerId: publisher!.video.id, rtpCapabilities: caps }),
      ];
      plain.push({ port, transport, consumers });
    };

    const setActive = async (mode: Mode): Promise<void> => {
      const on = mode === 'encrypted' ? enc : plain;
      const off = mode === 'encrypted' ? plain : enc;
      await Promise.all(off.flatMap((s) => s.consumers.filter((c) => !c.paused).map((c) => c.pause())));
      await Promise.all(on.flatMap((s) => s.consumers.filter((c) => c.paused).map((c) => c.resume())));
    };

    interface Snap {
      t: number;
      workerUs: number;
      nodeUs: number;
      sent: number;
      arrived: Map<number, number>;
      /** Encrypted only: packets each subscriber should have received, from RTP sequence numbers. */
      seqExpected: Map<number, number>;
      subscriberDrops: number;
      hostUs: number[];
      machine: { busy: number; total: number };
    }
    const snap = async (mode: Mode): Promise<Snap> => {
      const arrived = new Map<number, number>();
      const seqExpected = new Map<number, number>();
      let hostUs: number[] = [];
      let subscriberDrops = 0;
      if (mode === 'encrypted') {
        const c = await hosts!.counts();
        for (const s of enc) {
          const [received, expected] = c.packets.get(s.id) ?? [0, 0];
          arrived.set(s.id, received);
          seqExpected.set(s.id, expected);
        }
        hostUs = c.cpuUs;
        const drops = readUdpDrops();
        for (const s of enc) subscriberDrops += drops.get(s.transport.iceSelectedTuple?.remotePort ?? -1) ?? 0;
      } else {
        const drops = readUdpDrops();
        plain.forEach((s, i) => arrived.set(i, drops.get(s.port) ?? 0));
      }
      // Everything below is read synchronously, at one instant: the publisher's counter, the
      // worker's CPU (/proc, clock ticks) and the kernel's sink counters above for plain.
      const u = process.cpuUsage();
      return {
        t: performance.now(),
        workerUs: (readProcessCpuTicks(workerPid) * 1e6) / TICKS_PER_S,
        nodeUs: u.user + u.system,
        sent: publisher!.sentPackets(),
        arrived,
        seqExpected,
        subscriberDrops,
        hostUs,
        machine: readMachineCpu(),
      };
    };

    const measure = async (mode: Mode, window: number, windowMs: number): Promise<Row> => {
      const a = await snap(mode);
      await sleep(windowMs);
      const b = await snap(mode);
      if (workerDied) throw new Error(`worker died: ${workerDied.message}`);
      const wallS = (b.t - a.t) / 1000;
      const n = mode === 'encrypted' ? enc.length : plain.length;
      let arrived = 0;
      let silent = 0;
      for (const [k, v] of b.arrived) {
        const d = v - (a.arrived.get(k) ?? 0);
        arrived += d;
        if (d === 0) silent++;
      }
      const sent = b.sent - a.sent;
      // Encrypted: loss from the subscribers' own sequence numbers (counts and sequence numbers are
      // read at the same instant in the subscriber, so a busy subscriber process skews no window
      // edge). Plain: arrivals at the kernel-counted sinks against what the publisher sent.
      const expected = sent * n;
      let forwarded = arrived;
      let lossPct = expected > 0 ? (1 - arrived / expected) * 100 : 0;
      if (mode === 'encrypted') {
        let seqExpected = 0;
        for (const [k, v] of b.seqExpected) seqExpected += v - (a.seqExpected.get(k) ?? 0);
        lossPct = seqExpected > 0 ? (1 - arrived / seqExpected) * 100 : 0;
        // What the worker sent, as far as the subscribers' sequence numbers show: subscribers
        // it stopped sending to (ICE lost) show up as silent, not as loss.
        forwarded = seqExpected;
      }
      const workerUs = b.workerUs - a.workerUs;
      const machineTotal = b.machine.total - a.machine.total;
      return {
        subscribers: n,
        consumers: 2 * n,
        mode,
        window,
        worker_cpu_pct: round(workerUs / 1e4 / wallS),
        sent_pps: Math.round(sent / wallS),
        expected_pps: Math.round(expected / wallS),
        forwarded_pps: Math.round(forwarded / wallS),
        loss_pct: round(lossPct, 2),
        worker_us_per_packet: forwarded > 0 ? round(workerUs / forwarded, 2) : NaN,
        host_cpu_pct: b.hostUs.map((us, i) => round((us - (a.hostUs[i] ?? 0)) / 1e4 / wallS)).join('/'),
        node_cpu_pct: round((b.nodeUs - a.nodeUs) / 1e4 / wallS),
        machine_idle_pct: machineTotal > 0 ? round(100 - ((b.machine.busy - a.machine.busy) / machineTotal) * 100) : NaN,
        silent_subscribers: silent,
        subscriber_socket_drops: b.subscriberDrops - a.subscriberDrops,
        transports_down:
          mode === 'encrypted'
            ? enc.filter((e) => !['connected', 'completed'].includes(e.transport.iceState) || e.transport.dtlsState !== 'connected').length
            : 0,
      };
    };

    /** Which limits a window trips, most specific first (a saturated host or machine explains loss). */
    const limits = (r: Row): string[] => {
      const out: string[] = [];
      if (r.worker_cpu_pct >= opts.workerCpuLimitPct) out.push('worker_cpu');
      if (r.transports_down > 0 || r.silent_subscribers > 0) out.push('subscribers_disconnected');
      if (hostCpuMax(r) >= opts.hostCpuLimitPct) out.push('subscribers_cpu');
      if (r.loss_pct > opts.lossLimitPct) {
        if (hostCpuMax(r) >= opts.hostCpuLimitPct) out.push('loss_at_saturated_subscribers');
        else if (r.machine_idle_pct < 5 && r.worker_cpu_pct < opts.workerCpuLimitPct) out.push('loss_machine_saturated');
        else out.push('loss');
      }
      return out;
    };

    const perStepMs = () => (rows.length ? (performance.now() - t0) / Math.max(1, new Set(rows.map((r) => r.subscribers)).size) : 30_000);
    let notOwnInARow = 0;
    for (const target of opts.steps) {
      if (performance.now() - t0 + perStepMs() * 1.5 > opts.timeBudgetMs) {
        stopReason = 'time_budget';
        stopDetail = `no time left for ${target} subscribers`;
        break;
      }
      await setActive('encrypted');
      const created = performance.now();
      const ids: number[] = [];
      for (let id = enc.length; id < target; id++) ids.push(id);
      try {
        for (let i = 0; i < ids.length; i += 10) await Promise.all(ids.slice(i, i + 10).map(addEncrypted));
      } catch (err) {
        // A subscriber that cannot connect ends the run; the steps measured so far stand.
        stopReason = 'subscribers_connect_failed';
        stopDetail = `adding subscribers up to ${target}: ${err instanceof Error ? err.message : String(err)}`;
        log(stopDetail);
        break;
      }
      while (plain.length < target) await addPlain();
      log(`${target} subscribers connected in ${Math.round(performance.now() - created)} ms (encrypted and plain)`);

      await setActive('encrypted');
      await sleep(opts.settleMs);
      let e = await measure('encrypted', 1, opts.windowMs);
      rows.push(e);
      let hit = limits(e);
      if (hit.length > 0) {
        e = await measure('encrypted', 2, opts.windowMs * 2);
        rows.push(e);
        hit = limits(e);
      }
      await setActive('plain');
      await sleep(opts.settleMs);
      const p = await measure('plain', 1, opts.windowMs);
      rows.push(p);
      log(
        `${target}: encrypted cpu ${e.worker_cpu_pct}% ${e.worker_us_per_packet} µs/pkt loss ${e.loss_pct}% hosts ${e.host_cpu_pct}%` +
          ` | plain cpu ${p.worker_cpu_pct}% ${p.worker_us_per_packet} µs/pkt loss ${p.loss_pct}% | idle ${e.machine_idle_pct}%`,
      );
      // Loss the worker did not cause (a starved subscriber process, a machine without idle time)
      // does not end the run at once: the worker's CPU per packet is still measured. Twice in a
      // row does.
      const ownLimit = hit.filter((l) => l === 'worker_cpu' || l === 'subscribers_cpu' || l === 'loss' || l === 'subscribers_disconnected');
      notOwnInARow = hit.length > 0 && ownLimit.length === 0 ? notOwnInARow + 1 : 0;
      if (ownLimit.length > 0 || notOwnInARow >= 2) {
        stopReason = ownLimit[0] ?? hit[0]!;
        stopDetail = `${hit.join(', ')} at ${target} subscribers (worker ${e.worker_cpu_pct}%, loss ${e.loss_pct}%, hosts ${e.host_cpu_pct}%, machine idle ${e.machine_idle_pct}%)`;
        break;
      }
    }

    if (opts.profileSeconds > 0 && worker.pid && (await perfUsable())) {
      // Profile a load the subscribers could take: back to the last step under every limit
      // (a step with dropping subscribers is full of NACKs and retransmissions).
      const keep =
        lastUnderLimits(
          rows.filter((r) => r.mode === 'encrypted'),
          opts,
        )?.subscribers ?? enc.length;
      for (const s of enc.splice(keep)) {
        s.transport.close();
        hosts.remove(s.id);
      }
      for (const s of plain.splice(keep)) s.transport.close();
      log(`profiling the worker at ${enc.length} subscribers, ${opts.profileSeconds} s per mode`);
      await setActive('encrypted');
      await sleep(opts.settleMs);
      const encrypted = await profile(worker.pid, opts.profileSeconds);
      await setActive('plain');
      await sleep(opts.settleMs);
      const plainProfile = await profile(worker.pid, opts.profileSeconds);
      profiles = { subscribers: enc.length, encrypted, plain: plainProfile };
    }
  } finally {
    hosts?.close();
    holder?.kill('SIGKILL');
    publisher?.close();
    rtcpSock?.close();
    worker?.close();
  }

  const summarize = (mode: Mode) => {
    // Windows where every subscriber was connected and loss was under the limit: elsewhere the
    // forwarded count is not what the worker was asked to do.
    const rs = rows.filter((r) => r.mode === mode && r.loss_pct <= opts.lossLimitPct && r.transports_down === 0 && r.silent_subscribers === 0);
    const fit = linearFit(
      rs.map((r) => r.forwarded_pps),
      rs.map((r) => r.worker_cpu_pct * 1e4),
    );
    const cpuFit = linearFit(
      rs.map((r) => r.consumers),
      rs.map((r) => r.worker_cpu_pct),
    );
    return {
      windows_fitted: rs.length,
      us_per_packet: fit ? round(fit.slope, 2) : null,
      fixed_worker_cpu_pct: fit ? round(fit.intercept / 1e4, 1) : null,
      consumers_at_80pct_extrapolated: cpuFit && cpuFit.slope > 0 ? Math.floor((opts.workerCpuLimitPct - cpuFit.intercept) / cpuFit.slope) : null,
    };
  };
  const encSum = summarize('encrypted');
  const plainSum = summarize('plain');
  const encRows = rows.filter((r) => r.mode === 'encrypted');
  const lastUnder = lastUnderLimits(encRows, opts);
  const workerLimited = stopReason === 'worker_cpu' || stopReason === 'loss';
  const sortedConnect = [...connectMs].sort((a, b) => a - b);
  return {
    encrypted_consumers_per_worker_core: workerLimited ? (lastUnder?.consumers ?? 0) : encSum.consumers_at_80pct_extrapolated,
    is_extrapolated: !workerLimited,
    encrypted_consumers_last_under_limits: lastUnder?.consumers ?? 0,
    encrypted_subscribers_last_under_limits: lastUnder?.subscribers ?? 0,
    worker_cpu_pct_last_under_limits: lastUnder?.worker_cpu_pct ?? null,
    stop_reason: stopReason,
    stop_detail: stopDetail,
    encrypted_us_per_packet: encSum.us_per_packet,
    plain_us_per_packet: plainSum.us_per_packet,
    windows_fitted: { encrypted: encSum.windows_fitted, plain: plainSum.windows_fitted },
    encrypted_over_plain: encSum.us_per_packet && plainSum.us_per_packet ? round(encSum.us_per_packet / plainSum.us_per_packet, 2) : null,
    encrypted_consumers_at_80pct_extrapolated: encSum.consumers_at_80pct_extrapolated,
    plain_consumers_at_80pct_extrapolated: plainSum.consumers_at_80pct_extrapolated,
    encrypted_fixed_worker_cpu_pct: encSum.fixed_worker_cpu_pct,
    plain_fixed_worker_cpu_pct: plainSum.fixed_worker_cpu_pct,
    srtp_profiles: Object.fromEntries(srtpProfiles),
    subscriber_connect_p50_ms: Math.round(sortedConnect[Math.floor(sortedConnect.length / 2)] ?? NaN),
    worker_bin: workerBinPath ?? null,
    worker_libs: linkedLibs(workerBinPath),
    cores,
    loadavg_at_end: os.loadavg().map((l) => round(l, 2)),
    config: { ...opts },
    reniced,
    steps: rows,
    profile: profiles,
  };
}

function hostCpuMax(r: Row): number {
  return Math.max(0, ...r.host_cpu_pct.split('/').map(Number).filter(Number.isFinite));
}

/** The last encrypted window under every limit, every subscriber connected. */
function lastUnderLimits(encRows: Row[], opts: EncryptedOptions): Row | undefined {
  return [...encRows]
    .reverse()
    .find(
      (r) =>
        r.worker_cpu_pct < opts.workerCpuLimitPct &&
        r.loss_pct <= opts.lossLimitPct &&
        hostCpuMax(r) < opts.hostCpuLimitPct &&
        r.transports_down === 0 &&
        r.silent_subscribers === 0,
    );
}

function renice(pid: number, nice: number): boolean {
  try {
    os.setPriority(pid, nice);
    return true;
  } catch {
    return false;
  }
}

/** The crypto-relevant shared libraries the worker binary links (ldd), e.g. libsrtp2 and its backend. */
function linkedLibs(bin: string | undefined): string[] {
  if (!bin) return [];
  try {
    return execFileSync('ldd', [bin], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(' ')[0] ?? '')
      .filter((l) => /srtp|ssl|crypto|nss|nspr/.test(l));
  } catch {
    return [];
  }
}
