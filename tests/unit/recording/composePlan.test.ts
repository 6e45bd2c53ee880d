import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { chaptersMetadata, composePlan, gridOf } from '../../../server/recording/composePlan.ts';
import { runFfmpeg } from '../../../server/recording/composeRun.ts';
import { probe, writeTrackFile } from '../../helpers/recordingFiles.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-compose-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const t0 = new Date('2026-01-05T01:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

test('tiles: side by side up to three, then a near-square grid', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 7, 9].map((n) => gridOf(n)),
    [
      { cols: 1, rows: 1 },
      { cols: 2, rows: 1 },
      { cols: 3, rows: 1 },
      { cols: 2, rows: 2 },
      { cols: 3, rows: 2 },
      { cols: 3, rows: 3 },
      { cols: 3, rows: 3 },
    ],
  );
});

test('chapters: clipped to the session, sorted, in milliseconds, special characters escaped', () => {
  const text = chaptersMetadata(t0, 10_000, [
    { title: 'b=2;#', from: at(6), to: at(12) },
    { title: 'a', from: at(-1), to: at(2) },
    { title: 'outside', from: at(11), to: at(12) },
  ]);
  assert.equal(
    text,
    ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=a\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=6000\nEND=10000\ntitle=b\\=2\\;\\#\n',
  );
});

test('a participant’s later stretch (after a reconnect) goes into the same tile; progress is reported up to the end', async () => {
  const file = (name: string) => path.join(dir, name);
  writeTrackFile(file('a1.webm'), { kind: 'video', from: 0, to: 2 });
  writeTrackFile(file('a2.webm'), { kind: 'video', from: 3, to: 5 });
  writeTrackFile(file('b.webm'), { kind: 'video', from: 1, to: 4, size: '320x240' });
  writeTrackFile(file('b-audio.webm'), { kind: 'audio', from: 1, to: 4 });
  const plan = composePlan({
    startedAt: t0,
    endedAt: at(6),
    tracks: [
      { file: file('a1.webm'), identity: 'a', kind: 'video', startedAt: at(0), endedAt: at(2) },
      { file: file('a2.webm'), identity: 'a', kind: 'video', startedAt: at(3), endedAt: at(5) },
      { file: file('b.webm'), identity: 'b', kind: 'video', startedAt: at(1), endedAt: at(4) },
      { file: file('b-audio.webm'), identity: 'b', kind: 'audio', startedAt: at(1), endedAt: at(4) },
    ],
    chapters: [],
    output: file('out.webm'),
    metadataFile: file('meta.txt'),
  });
  assert.equal(plan.durationSeconds, 6);
  writeFileSync(file('meta.txt'), plan.ffmetadata);
  const seen: number[] = [];
  await runFfmpeg(plan.args, { expectedSeconds: plan.durationSeconds, onProgress: (f) => seen.push(f) });
  assert.ok(seen.length >= 1 && seen.at(-1)! > 0.95, `progress ${seen.join(',')}`);
  assert.deepEqual(
    seen,
    [...seen].sort((x, y) => x - y),
    'progress only grows',
  );
  const info = probe(file('out.webm'));
  const video = info.streams.find((s) => s.codec_type === 'video') as unknown as { width: number; height: number };
  assert.deepEqual([video.width, video.height], [1280, 360], 'two tiles, not three');
  assert.ok(Math.abs(Number(info.format.duration) - 6) <= 0.5, info.format.duration);
});

test('ffmpeg failing rejects with its error, never hangs', async () => {
  await assert.rejects(runFfmpeg(['-v', 'error', '-i', path.join(dir, 'missing.webm'), '-f', 'null', '-'], { expectedSeconds: 1 }), /ffmpeg exited with 1/);
});
