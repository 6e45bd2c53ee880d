/*
 * The ffmpeg command that composes one session's reviewable file from its track files (pure: no
 * I/O, so it is tested and benchmarked on its own). Every track file is one participant's one
 * kind (audio or video) for one stretch of publishing; the file's first frame is its
 * `startedAt` (wall clock), and composition aligns every input by that, relative to the
 * recording's start:
 *   video  one tile per participant (identity), side by side (a grid above three), each scaled
 *          into a common tile; a later stretch of the same participant (after a reconnect) is
 *          overlaid into the same tile from its offset; black where nobody published
 *   audio  every audio track delayed to its offset (adelay) and mixed (amix), silence elsewhere
 *   marks  caucus periods and pauses as chapters (ffmetadata)
 * Output: WebM (VP8 + Opus, realtime deadline, moderate bitrate), which Chromium plays.
 */

export interface ComposeTrack {
  /** Absolute path of the track file. */
  file: string;
  identity: string;
  kind: 'audio' | 'video';
  startedAt: Date;
  endedAt: Date | null;
}

export interface ComposeChapter {
  title: string;
  from: Date;
  to: Date;
}

export interface ComposeInput {
  startedAt: Date;
  /** The session's end (the recording's endedAt; else the last track's end). */
  endedAt: Date;
  tracks: readonly ComposeTrack[];
  chapters: readonly ComposeChapter[];
  /** Where the composed file is written (WebM). */
  output: string;
  /** Where the chapters' ffmetadata file is written (the caller writes `ffmetadata` there). */
  metadataFile: string;
}

export interface ComposePlan {
  args: string[];
  /** The composed file's duration in seconds (progress is measured against it). */
  durationSeconds: number;
  /** ffmetadata text: the chapters. */
  ffmetadata: string;
}

export const TILE_WIDTH = 640;
export const TILE_HEIGHT = 360;
export const FPS = 15;
const VIDEO_BITRATE_PER_TILE = 350_000;

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** Tiles in a row: side by side up to three, then a near-square grid. */
export function gridOf(tiles: number): { cols: number; rows: number } {
  const cols = tiles <= 3 ? Math.max(1, tiles) : Math.ceil(Math.sqrt(tiles));
  return { cols, rows: Math.max(1, Math.ceil(tiles / cols)) };
}

/** ffmetadata escapes `=`, `;`, `#`, `\` and newlines with a backslash. */
function metaEscape(s: string): string {
  return s.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

export function chaptersMetadata(start: Date, durationMs: number, chapters: readonly ComposeChapter[]): string {
  const lines = [';FFMETADATA1'];
  const clipped = chapters
    .map((c) => ({ title: c.title, from: Math.max(0, c.from.getTime() - start.getTime()), to: Math.min(durationMs, c.to.getTime() - start.getTime()) }))
    .filter((c) => c.to > c.from)
    .sort((a, b) => a.from - b.from);
  for (const c of clipped) {
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${Math.round(c.from)}`, `END=${Math.round(c.to)}`, `title=${metaEscape(c.title)}`);
  }
  return lines.join('\n') + '\n';
}

export function composePlan(input: ComposeInput): ComposePlan {
  const t0 = input.startedAt.getTime();
  const durationMs = Math.max(1000, input.endedAt.getTime() - t0);
  const duration = seconds(durationMs);
  const args: string[] = ['-hide_banner', '-nostdin', '-y', '-v', 'error'];
  const filters: string[] = [];

  const video = input.tracks.filter((t) => t.kind === 'video');
  const audio = input.tracks.filter((t) => t.kind === 'audio');
  let index = 0;
  const inputIndex = new Map<ComposeTrack, number>();
  for (const t of [...video, ...audio]) {
    args.push('-i', t.file);
    inputIndex.set(t, index++);
  }
  const metaIndex = index;
  args.push('-f', 'ffmetadata', '-i', input.metadataFile);

  // ---- video: one tile per participant, in order of first appearance
  const tiles = new Map<string, ComposeTrack[]>();
  for (const t of [...video].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
    const list = tiles.get(t.identity) ?? [];
    list.push(t);
    tiles.set(t.identity, list);
  }
  const tileCount = Math.max(1, tiles.size);
  const { cols, rows } = gridOf(tileCount);
  const tileLabels: string[] = [];
  let tileNo = 0;
  for (const stretches of tiles.values()) {
    let base = `tb${tileNo}`;
    filters.push(`color=c=black:s=${TILE_WIDTH}x${TILE_HEIGHT}:r=${FPS}:d=${duration},format=yuv420p[${base}]`);
    stretches.forEach((t, s) => {
      const offset = seconds(t.startedAt.getTime() - t0);
      const i = inputIndex.get(t)!;
      const v = `tv${tileNo}_${s}`;
      filters.push(
        `[${i}:v]setpts=PTS-STARTPTS,fps=${FPS},scale=${TILE_WIDTH}:${TILE_HEIGHT}:force_original_aspect_ratio=decrease,` +
          `pad=${TILE_WIDTH}:${TILE_HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,tpad=start_duration=${offset}:color=black[${v}]`,
      );
      const next = `tb${tileNo}_${s}`;
      filters.push(`[${base}][${v}]overlay=eof_action=pass:repeatlast=0:enable='gte(t,${offset})'[${next}]`);
      base = next;
    });
    tileLabels.push(base);
    tileNo++;
  }
  // Empty cells of the grid (and the one tile of a session without video) are black.
  while (tileLabels.length < cols * rows) {
    const label = `tblank${tileLabels.length}`;
    filters.push(`color=c=black:s=${TILE_WIDTH}x${TILE_HEIGHT}:r=${FPS}:d=${duration},format=yuv420p[${label}]`);
    tileLabels.push(label);
  }
  if (tileLabels.length === 1) {
    filters.push(`[${tileLabels[0]}]null[vout]`);
  } else {
    const layout = tileLabels.map((_, n) => `${(n % cols) * TILE_WIDTH}_${Math.floor(n / cols) * TILE_HEIGHT}`).join('|');
    filters.push(`${tileLabels.map((l) => `[${l}]`).join('')}xstack=inputs=${tileLabels.length}:layout=${layout}:fill=black[vout]`);
  }

  // ---- audio: every track at its offset, mixed; silence underneath for the whole span
  const audioLabels = ['abase'];
  filters.push(`anullsrc=r=48000:cl=stereo,atrim=0:${duration}[abase]`);
  audio.forEach((t, n) => {
    const i = inputIndex.get(t)!;
    const delayMs = Math.round(Math.max(0, t.startedAt.getTime() - t0));
    const label = `a${n}`;
    // async=1 fills timestamp gaps inside a file (a pause, a restarted recorder) with silence.
    filters.push(`[${i}:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,aformat=sample_rates=48000:channel_layouts=stereo,adelay=${delayMs}:all=1[${label}]`);
    audioLabels.push(label);
  });
  filters.push(`${audioLabels.map((l) => `[${l}]`).join('')}amix=inputs=${audioLabels.length}:duration=first:dropout_transition=0:normalize=0[aout]`);

  args.push(
    '-filter_complex',
    filters.join(';'),
    '-map',
    '[vout]',
    '-map',
    '[aout]',
    '-map_metadata',
    String(metaIndex),
    '-map_chapters',
    String(metaIndex),
    '-t',
    duration,
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    String(VIDEO_BITRATE_PER_TILE * Math.min(tileCount, 4)),
    '-g',
    String(FPS * 4),
    '-c:a',
    'libopus',
    '-b:a',
    '64k',
    '-f',
    'webm',
    '-progress',
    'pipe:1',
    '-nostats',
    input.output,
  );
  return { args, durationSeconds: durationMs / 1000, ffmetadata: chaptersMetadata(input.startedAt, durationMs, input.chapters) };
}
