import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Router } from 'mediasoup/types';
import { mediaCodecs } from '../../../server/media/mediaCodecs.ts';
import type { MediaProducer } from '../../../server/media/Peer.ts';
import { RoomRecording } from '../../../server/recording/RoomRecording.ts';
import type { RecordableProducer } from '../../../server/recording/TrackSlot.ts';
import type { TrackClosed, TrackGap, TrackStarted } from '../../../server/recording/TrackSlot.ts';
import { ffmpegAudioSource, ffmpegVideoSource, type FfmpegRtpSource } from '../../helpers/ffmpegRtp.ts';
import { until } from '../../helpers/wait.ts';
import { createWorker, log } from '../media/helpers.ts';

const run = promisify(execFile);

let router: Router;
const root = mkdtempSync(path.join(os.tmpdir(), 'recording-test-'));
const sources: FfmpegRtpSource[] = [];

before(async () => {
  const worker = await createWorker();
  router = await worker.createRouter({ mediaCodecs });
});

after(() => {
  for (const s of sources) s.close();
  if (!process.env.KEEP_RECORDINGS) rmSync(root, { recursive: true, force: true });
});

interface Probe {
  streams: Array<{ codec_name: string; codec_type: string }>;
  format: { duration?: string; format_name: string };
}

async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(stdout) as Probe;
}

/** Decodes the whole file; returns ffmpeg's error output (empty when clean). */
async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-f', 'null', '-']);
  return stderr.trim();
}

function itemOf(producer: MediaProducer): RecordableProducer {
  return { producer, identity: 'invitation:abc', displayName: '张三', role: 'party', side: 'applicant' };
}

/** A RoomRecording with everything it reports collected. */
function recordingWith(recordingId: string) {
  const recording = new RoomRecording({ router, log });
  const started: TrackStarted[] = [];
  const closed: TrackClosed[] = [];
  const gaps: TrackGap[] = [];
  recording.on('trackStarted', (t) => started.push(t));
  recording.on('trackClosed', (t) => closed.push(t));
  recording.on('gap', (g) => gaps.push(g));
  recording.start({ recordingId, rootDir: root, state: 'recording', since: new Date() });
  return { recording, started, closed, gaps };
}

/** Waits for the wall clock to pass `ms` after `from` (the length of media being recorded). */
const publishFor = (from: number, ms: number) => until(() => Date.now() - from >= ms, `${ms} ms of publishing`, ms + 2000, 50);

function assertHashed(file: string, track: TrackClosed): void {
  assert.equal(track.bytes, statSync(file).size);
  assert.equal(track.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
}

async function assertPlayable(file: string, codec: 'vp8' | 'opus' | 'h264', seconds: number): Promise<void> {
  const info = await probe(file);
  const stream = info.streams[0];
  assert.equal(info.streams.length, 1, `${file}: one stream`);
  assert.equal(stream?.codec_name, codec);
  const duration = Number(info.format.duration);
  assert.ok(Math.abs(duration - seconds) <= 1, `${file}: duration ${duration} s, published ${seconds.toFixed(2)} s`);
  assert.equal(await decodeErrors(file), '', `${file} decodes without errors`);
}

test('records a VP8 camera and an Opus microphone into WebM files whose duration matches the publishing time', async () => {
  const video = await ffmpegVideoSource(router);
  const audio = await ffmpegAudioSource(router);
  sources.push(video, audio);
  await Promise.all([video.steady(), audio.steady()]);
  const { recording, started, closed } = recordingWith('rec-basic');
  recording.reconcile([itemOf(video.producer), itemOf(audio.producer)]);
  await until(() => started.length === 2, 'both tracks started', 10_000);
  const t0 = Math.max(...started.map((t) => t.startedAt.getTime()));
  await publishFor(t0, 3500);
  await recording.close();
  assert.equal(closed.length, 2);
  for (const track of closed) {
    const file = path.join(root, 'rec-basic', track.path);
    assert.match(track.path, /\.webm$/);
    assertHashed(file, track);
    await assertPlayable(file, track.kind === 'video' ? 'vp8' : 'opus', (track.endedAt.getTime() - track.startedAt.getTime()) / 1000);
    assert.deepEqual(track.gaps, []);
  }
  // close() is idempotent and the slots are gone.
  await recording.close();
  assert.equal(recording.slots.length, 0);
  video.close();
  audio.close();
});

test('a recorder child that dies is restarted: two usable files and the gap between them', async () => {
  const video = await ffmpegVideoSource(router);
  sources.push(video);
  await video.steady();
  const { recording, started, closed, gaps } = recordingWith('rec-restart');
  recording.reconcile([itemOf(video.producer)]);
  await until(() => started.length === 1, 'first part started', 10_000);
  await publishFor(started[0]!.startedAt.getTime(), 2000);
  const slot = recording.slots[0]!;
  const firstPid = slot.pid!;
  process.kill(firstPid, 'SIGKILL');
  await until(() => closed.length === 1, 'the dead part closed', 10_000);
  await until(() => started.length === 2 && gaps.length === 1, 'a second part started after the gap', 10_000);
  assert.notEqual(slot.pid, firstPid);
  assert.equal(slot.parts, 2);
  await publishFor(started[1]!.startedAt.getTime(), 2000);
  await recording.close();
  assert.equal(closed.length, 2);
  const gap = gaps[0]!.gap;
  assert.equal(gap.reason, 'recorder_restarted');
  assert.equal(gaps[0]!.trackId, started[1]!.trackId);
  assert.ok(new Date(gap.from) <= new Date(gap.to));
  assert.deepEqual(closed.find((t) => t.trackId === started[1]!.trackId)?.gaps, [gap]);
  for (const track of closed) {
    const file = path.join(root, 'rec-restart', track.path);
    assertHashed(file, track);
    await assertPlayable(file, 'vp8', (track.endedAt.getTime() - track.startedAt.getTime()) / 1000);
  }
  video.close();
});

test('pause and resume: one file spanning the pause, the pause kept as a gap', async () => {
  const video = await ffmpegVideoSource(router);
  const audio = await ffmpegAudioSource(router);
  sources.push(video, audio);
  await Promise.all([video.steady(), audio.steady()]);
  const { recording, started, closed } = recordingWith('rec-pause');
  recording.reconcile([itemOf(video.producer), itemOf(audio.producer)]);
  await until(() => started.length === 2, 'both tracks started', 10_000);
  await publishFor(Math.max(...started.map((t) => t.startedAt.getTime())), 1500);
  const pausedAt = new Date();
  recording.pause(pausedAt);
  assert.equal(recording.stateFor('invitation:abc', 'party').state, 'paused');
  await publishFor(pausedAt.getTime(), 1500);
  const resumedAt = new Date();
  recording.resume(resumedAt);
  await publishFor(resumedAt.getTime(), 1500);
  await recording.close();
  assert.equal(closed.length, 2);
  for (const track of closed) {
    assert.deepEqual(track.gaps, [{ from: pausedAt.toISOString(), to: resumedAt.toISOString(), reason: 'paused' }]);
    const file = path.join(root, 'rec-pause', track.path);
    await assertPlayable(file, track.kind === 'video' ? 'vp8' : 'opus', (track.endedAt.getTime() - track.startedAt.getTime()) / 1000);
  }
  video.close();
  audio.close();
});

test('a producer that closes ends its file; reconcile without it closes the slot', async () => {
  const video = await ffmpegVideoSource(router);
  sources.push(video);
  await video.steady();
  const { recording, started, closed } = recordingWith('rec-leave');
  recording.reconcile([itemOf(video.producer)]);
  await until(() => started.length === 1, 'track started', 10_000);
  await publishFor(started[0]!.startedAt.getTime(), 2000);
  video.close();
  recording.reconcile([]);
  await until(() => closed.length === 1, 'file closed', 10_000);
  const track = closed[0]!;
  await assertPlayable(path.join(root, 'rec-leave', track.path), 'vp8', (track.endedAt.getTime() - track.startedAt.getTime()) / 1000);
  await recording.close();
});

test('a simulcast camera is recorded from the lowest layer it sends (here only its highest is sent)', async () => {
  const video = await ffmpegVideoSource(router, 'peer-sim', { simulcast: true });
  sources.push(video);
  await video.steady();
  assert.equal(video.producer.type, 'simulcast');
  const { recording, started, closed } = recordingWith('rec-simulcast');
  recording.reconcile([itemOf(video.producer)]);
  await until(() => started.length === 1, 'simulcast track started', 10_000);
  await publishFor(started[0]!.startedAt.getTime(), 2500);
  await recording.close();
  const track = closed[0]!;
  await assertPlayable(path.join(root, 'rec-simulcast', track.path), 'vp8', (track.endedAt.getTime() - track.startedAt.getTime()) / 1000);
  const info = await probe(path.join(root, 'rec-simulcast', track.path));
  assert.equal((info.streams[0] as unknown as { width: number }).width, 320, 'the layer ffmpeg sends (mediasoup falls back to it)');
  video.close();
});

test('an H264 camera goes into a Matroska file', async () => {
  const video = await ffmpegVideoSource(router, 'peer-h264', { h264: true });
  sources.push(video);
  await video.steady();
  const { recording, started, closed } = recordingWith('rec-h264');
  recording.reconcile([itemOf(video.producer)]);
  await until(() => started.length === 1, 'H264 track started', 10_000);
  await publishFor(started[0]!.startedAt.getTime(), 2500);
  await recording.close();
  const track = closed[0]!;
  assert.match(track.path, /\.mkv$/);
  assert.equal(track.codec, 'video/H264');
  await assertPlayable(path.join(root, 'rec-h264', track.path), 'h264', (track.endedAt.getTime() - track.startedAt.getTime()) / 1000);
  video.close();
});
