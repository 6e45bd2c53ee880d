import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { composePlan, FPS, gridOf, TILE_HEIGHT, TILE_WIDTH, type ComposeTrack } from '../server/recording/composePlan.ts';
import { runFfmpeg } from '../server/recording/composeRun.ts';

/*
 * recording → compose: the time to compose one minute of a three-person session into the
 * reviewable file, with the composer's own command (server/recording/composePlan.ts): three
 * 640x480 VP8 camera tracks (one participant reconnects halfway, so four video stretches) and
 * three Opus tracks, made once from lavfi test sources like the SFU's recorder would write them,
 * then composed to WebM (VP8 + Opus, realtime deadline) `RUNS` times. The child's CPU time comes
 * from bash's `times` (user + sys of the finished ffmpeg).
 */

const run = promisify(execFile);
const SESSION_SECONDS = 60;
const RUNS = 2;

async function track(file: string, kind: 'audio' | 'video', seconds: number, tone: number): Promise<void> {
  const input = kind === 'video' ? ['-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=15'] : ['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`];
  const codec = kind === 'video' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k'] : ['-c:a', 'libopus', '-b:a', '32k'];
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...input, '-t', seconds.toFixed(3), ...codec, '-f', 'webm', file]);
}

/** One composition as the composer runs it (progress parsed); wall-clock milliseconds. */
async function timedCompose(args: string[], expectedSeconds: number): Promise<number> {
  const started = performance.now();
  await runFfmpeg(args, { expectedSeconds });
  return performance.now() - started;
}

/** The same command under bash, whose `times` reports the finished ffmpeg's user + system CPU seconds. */
async function cpuOfCompose(args: string[]): Promise<number> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const { stderr } = await run('bash', ['-c', `ffmpeg ${quoted} >/dev/null; times >&2`], { maxBuffer: 1 << 20 });
  // `times`: the shell's line, then the children's: "0m12.345s 0m0.678s"
  const lines = stderr.trim().split('\n');
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines.at(-1) ?? '');
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

export async function benchRecordingCompose(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-bench-compose-'));
  try {
    const t0 = new Date('2026-01-05T01:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const stretches: Array<{ identity: string; from: number; to: number; tone: number }> = [
      { identity: 'mediator', from: 0, to: 60, tone: 440 },
      { identity: 'applicant', from: 2, to: 28, tone: 550 },
      { identity: 'applicant', from: 32, to: 59, tone: 550 },
      { identity: 'respondent', from: 3, to: 58, tone: 660 },
    ];
    process.stderr.write('recording compose: making the track files…\n');
    const tracks: ComposeTrack[] = [];
    for (const [n, s] of stretches.entries()) {
      for (const kind of ['video', 'audio'] as const) {
        const file = path.join(dir, `${n}-${kind}.webm`);
        await track(file, kind, s.to - s.from, s.tone);
        tracks.push({ file, identity: s.identity, kind, startedAt: at(s.from), endedAt: at(s.to) });
      }
    }
    const output = path.join(dir, 'composed.webm');
    const metadataFile = path.join(dir, 'composed.ffmetadata');
    const plan = composePlan({
      startedAt: t0,
      endedAt: at(SESSION_SECONDS),
      tracks,
      chapters: [{ title: '背对背 Caucus', from: at(20), to: at(35) }],
      output,
      metadataFile,
    });
    writeFileSync(metadataFile, plan.ffmetadata);
    const runs: Array<{ wall_ms: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`recording compose: run ${i + 1}/${RUNS}…\n`);
      runs.push({ wall_ms: Math.round(await timedCompose(plan.args, plan.durationSeconds)) });
    }
    process.stderr.write('recording compose: CPU time…\n');
    const cpuSeconds = await cpuOfCompose(plan.args.filter((a) => a !== '-progress' && a !== 'pipe:1'));
    const best = Math.min(...runs.map((r) => r.wall_ms));
    const bytes = statSync(output).size;
    return {
      compose_session_seconds: SESSION_SECONDS,
      compose_participants: 3,
      compose_track_files: tracks.length,
      compose_output: `${gridOf(3).cols * TILE_WIDTH}x${gridOf(3).rows * TILE_HEIGHT} VP8 ${FPS} fps + Opus, WebM`,
      compose_ms_per_minute_best: Math.round((best / SESSION_SECONDS) * 60),
      compose_ms_per_minute_median: Math.round(([...runs].sort((a, b) => a.wall_ms - b.wall_ms)[Math.floor(runs.length / 2)]!.wall_ms / SESSION_SECONDS) * 60),
      compose_realtime_factor: Math.round(((SESSION_SECONDS * 1000) / best) * 100) / 100,
      compose_cpu_seconds_per_minute: Math.round((cpuSeconds / SESSION_SECONDS) * 60 * 100) / 100,
      composed_bytes_per_minute: Math.round((bytes / SESSION_SECONDS) * 60),
      compose_runs: runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
