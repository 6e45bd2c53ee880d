/**
 * `recording`: what server-side recording costs (issue 11). A room of PARTICIPANTS people, each
 * publishing a real VP8 camera (320x240, ~300 kbps) and an Opus microphone sent by ffmpeg from a
 * pre-encoded clip (cheap to send, so the wall clock and media time agree), all recorded by the
 * engine of server/recording for SECONDS. Measured: the recorder children's CPU from
 * /proc/<pid>/stat (utime + stime, % of one core) per participant and per session, and the bytes
 * written per minute per participant.
 *
 * The entry is one flat object built from named parts (`recorder`, below): the composition bench
 * adds its own part (time to compose a minute of a 3-person session) next to it.
 */
import * as mediasoup from 'mediasoup';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, setLogLevel } from '../server/logger.ts';
import { mediaCodecs } from '../server/media/mediaCodecs.ts';
import { RoomRecording } from '../server/recording/RoomRecording.ts';
import type { TrackClosed } from '../server/recording/TrackSlot.ts';
import { ffmpegAudioSource, ffmpegVideoSource, type FfmpegRtpSource } from '../tests/helpers/ffmpegRtp.ts';

const PARTICIPANTS = Number(process.env.BENCH_RECORDING_PARTICIPANTS ?? 3);
const SECONDS = Number(process.env.BENCH_RECORDING_SECONDS ?? 30);
/** Linux clock ticks per second (USER_HZ) in /proc/<pid>/stat. */
const TICKS_PER_S = 100;

const log = (line: string) => process.stderr.write(`[recording] ${line}\n`);

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The recorder part of the entry: CPU and bytes while recording a session. */
async function recorder(): Promise<Record<string, unknown>> {
  setLogLevel('warn');
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-recording-'));
  const sources: FfmpegRtpSource[] = [];
  try {
    const router = await worker.createRouter({ mediaCodecs });
    for (let i = 0; i < PARTICIPANTS; i++) {
      sources.push(await ffmpegVideoSource(router, `peer-${i}`), await ffmpegAudioSource(router, `peer-${i}`));
    }
    await Promise.all(sources.map((s) => s.steady()));
    const recording = new RoomRecording({ router, log: createLogger('bench') });
    const closed: TrackClosed[] = [];
    let started = 0;
    recording.on('trackStarted', () => started++);
    recording.on('trackClosed', (t) => closed.push(t));
    recording.start({ recordingId: 'bench', rootDir: root, state: 'recording', since: new Date() });
    recording.reconcile(
      sources.map((s) => ({ producer: s.producer, identity: s.producer.appData.peerId, displayName: s.producer.appData.peerId, role: 'party', side: null })),
    );
    const deadline = Date.now() + 15_000;
    while (started < sources.length) {
      if (Date.now() > deadline) throw new Error(`only ${started} of ${sources.length} tracks started`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const pids = recording.slots.map((slot) => slot.pid).filter((pid): pid is number => pid !== undefined);
    const before = pids.map(cpuTicks);
    const t0 = performance.now();
    log(`recording ${PARTICIPANTS} participants (${pids.length} recorder children) for ${SECONDS} s`);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const ticks = pids.map((pid, i) => cpuTicks(pid) - before[i]!);
    const wall = (performance.now() - t0) / 1000;
    await recording.close();
    const cpuPct = (ticks.reduce((a, b) => a + b, 0) / TICKS_PER_S / wall) * 100;
    const bytes = closed.reduce((a, t) => a + t.bytes, 0);
    // Each participant has two tracks (camera, microphone): half the track time is participant time.
    const participantMinutes = closed.reduce((a, t) => a + (t.endedAt.getTime() - t.startedAt.getTime()), 0) / 60_000 / 2;
    const perParticipantMinute = bytes / participantMinutes;
    return {
      participants: PARTICIPANTS,
      recorded_seconds: round(wall, 1),
      recorder_children: pids.length,
      recorder_cpu_pct_per_session: round(cpuPct),
      recorder_cpu_pct_per_participant: round(cpuPct / PARTICIPANTS),
      recorder_cpu_pct_per_child_max: round((Math.max(...ticks) / TICKS_PER_S / wall) * 100),
      bytes_per_minute_per_participant: Math.round(perParticipantMinute),
      bytes_per_minute_per_session: Math.round(perParticipantMinute * PARTICIPANTS),
      files: closed.length,
      publish: 'VP8 320x240 ~300 kbps + Opus 48 kbps per participant, copied (no re-encoding)',
    };
  } finally {
    for (const s of sources) s.close();
    worker.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function benchRecording(): Promise<Record<string, unknown>> {
  return { ...(await recorder()) };
}
