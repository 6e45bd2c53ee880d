/**
 * `npm run bench` — runs every bench in BENCHES in sequence, prints a readable report to stdout
 * (progress goes to stderr) and writes bench/results/latest.json.
 *
 *   npm run bench                         # all benches
 *   npm run bench -- --only consumers_per_worker_core
 *   npm run bench -- --list
 *
 * A bench that throws is recorded as { error: message } and the run continues; the exit code is
 * non-zero only if every bench that ran failed. With --only, the other benches' previous entries in
 * latest.json are kept (each entry carries its own timestamp).
 */
import './workerBin.ts'; // before mediasoup: picks the worker binary
import * as mediasoup from 'mediasoup';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench } from './bench.ts';
import { benchCaseWrites } from './caseWrites.ts';
import { benchConsumersPerCore } from './consumers.ts';
import { benchEncryptedConsumers } from './encryptedConsumers.ts';
import { benchJoinStorm } from './joinStorm.ts';
import { benchJoinToFirstFrame } from './joinToFirstFrame.ts';
import { benchRecording } from './recording.ts';
import { benchRecordingCompose } from './recordingCompose.ts';
import { benchSignallingPerCore } from './signallingPerCore.ts';
import { benchSignallingThroughput } from './signallingThroughput.ts';
import { workerBinPath, workerBinSource } from './workerBin.ts';

/** Add a bench here: one more entry, run in this order. */
const BENCHES: Bench[] = [
  {
    name: 'consumers_per_worker_core',
    run: async () => ({ ...(await benchConsumersPerCore()) }),
  },
  { name: 'encrypted_consumers', run: () => benchEncryptedConsumers() },
  { name: 'join_to_first_frame_ms', run: async () => ({ ...(await benchJoinToFirstFrame()) }) },
  { name: 'case_writes', run: benchCaseWrites },
  { name: 'signalling_throughput', run: benchSignallingThroughput },
  { name: 'signalling_per_core', run: benchSignallingPerCore },
  { name: 'join_storm', run: benchJoinStorm },
  /** Recording: the recorder's CPU and bytes per participant, and the composer's time per minute of a 3-person session. */
  { name: 'recording', run: async () => ({ ...(await benchRecording()), compose: await benchRecordingCompose() }) },
];

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'latest.json');

interface BenchEntry {
  timestamp: string;
  duration_ms: number;
  [metric: string]: unknown;
}

function usage(): string {
  return `usage: node --import tsx bench/run.ts [--only <name>] [--list]\nbenches: ${BENCHES.map((b) => b.name).join(', ')}`;
}

function parseArgs(argv: string[]): { only?: string; list: boolean } {
  let only: string | undefined;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only') {
      only = argv[++i];
      if (!only) throw new Error('--only needs a bench name');
    } else if (a.startsWith('--only=')) only = a.slice('--only='.length);
    else if (a === '--list') list = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${usage()}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return only === undefined ? { list } : { only, list };
}

const loadavg = (): number[] => os.loadavg().map((l) => Math.round(l * 100) / 100);

function machineInfo(loadavgAtStart: number[]): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model ?? 'unknown',
    cpu_count: cpus.length,
    node_version: process.version,
    mediasoup_version: mediasoup.version,
    mediasoup_worker_bin: workerBinPath ?? null,
    mediasoup_worker_bin_source: workerBinSource,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    total_mem_mb: Math.round(os.totalmem() / 1024 / 1024),
    loadavg_at_start: loadavgAtStart,
    loadavg_at_end: loadavg(),
  };
}

// ---- rendering -------------------------------------------------------------------------------

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'n/a';
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(fmt).join(', ');
  return JSON.stringify(v);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Scalars as key/value rows, nested objects as one compact row each, arrays of objects as tables. */
function render(name: string, entry: Record<string, unknown>): string {
  const out: string[] = [`== ${name} ==`];
  if ('error' in entry) {
    out.push(`ERROR: ${fmt(entry['error'])}`);
    return out.join('\n');
  }
  const kv: string[][] = [];
  const nested: string[][] = [];
  const tables: string[] = [];
  for (const [k, v] of Object.entries(entry)) {
    if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
      const cols = [...new Set(v.flatMap((r) => Object.keys(r)))];
      tables.push(
        `${k}:\n${table(
          cols,
          v.map((r) => cols.map((c) => fmt(r[c]))),
        )}`,
      );
    } else if (isPlainObject(v)) {
      nested.push([
        k,
        Object.entries(v)
          .map(([ck, cv]) => `${ck}=${fmt(cv)}`)
          .join(' '),
      ]);
    } else {
      kv.push([k, fmt(v)]);
    }
  }
  out.push(table(['metric', 'value'], kv));
  for (const [k, v] of nested) out.push(`${k}: ${v}`);
  out.push(...tables);
  return out.join('\n\n');
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let args: { only?: string; list: boolean };
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage()}\n`);
    return 2;
  }
  if (args.list) {
    process.stdout.write(`${BENCHES.map((b) => b.name).join('\n')}\n`);
    return 0;
  }
  const selected = args.only ? BENCHES.filter((b) => b.name === args.only) : BENCHES;
  if (selected.length === 0) {
    process.stderr.write(`no bench named ${args.only}\n${usage()}\n`);
    return 2;
  }

  const started = new Date();
  const loadavgAtStart = loadavg();
  const results: Record<string, BenchEntry | { error: string; timestamp: string; duration_ms: number; loadavg: unknown }> = {};
  let failures = 0;
  for (const bench of selected) {
    const t = Date.now();
    const loadStart = loadavg();
    process.stderr.write(`running ${bench.name}...\n`);
    try {
      const metrics = await bench.run();
      results[bench.name] = {
        timestamp: new Date(t).toISOString(),
        duration_ms: Date.now() - t,
        loadavg: { start: loadStart, end: loadavg() },
        ...metrics,
      };
    } catch (err) {
      failures++;
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${bench.name} failed: ${err instanceof Error ? (err.stack ?? message) : message}\n`);
      results[bench.name] = {
        error: message,
        timestamp: new Date(t).toISOString(),
        duration_ms: Date.now() - t,
        loadavg: { start: loadStart, end: loadavg() },
      };
    }
  }

  // Keep other benches' previous results when running a subset.
  let previous: Record<string, unknown> = {};
  if (args.only && existsSync(RESULTS_FILE)) {
    try {
      const old = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { benches?: Record<string, unknown> };
      previous = old.benches ?? {};
    } catch {
      previous = {};
    }
  }
  const report = {
    timestamp: started.toISOString(),
    duration_ms: Date.now() - started.getTime(),
    machine: machineInfo(loadavgAtStart),
    benches: { ...previous, ...results },
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);

  const m = report.machine;
  process.stdout.write(
    `Cloud Mediation benchmarks — ${report.timestamp}\n` +
      `machine: ${fmt(m['cpu_count'])} x ${fmt(m['cpu_model'])}, node ${fmt(m['node_version'])}, mediasoup ${fmt(m['mediasoup_version'])}\n\n`,
  );
  for (const [name, entry] of Object.entries(results)) process.stdout.write(`${render(name, entry)}\n\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
  return failures === selected.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench runner crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
