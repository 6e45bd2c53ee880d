import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTrackedPage, phoneViewport } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { roomPages, staffLogin } from '../helpers/roomPages.ts';
import { until } from '../helpers/wait.ts';

/*
 * A recorded session end to end, in Chromium with fake devices: the mediator records,
 * two parties confirm the notice on phones, one leaves and comes back, a 5-second caucus, the end.
 * Every track file in RECORDING_DIR is checked with ffprobe (codec, duration against the wall-clock
 * stretch the server noted for it) and decoded with ffmpeg (no errors, frame count); the session's
 * composed file plays on the case page and a party's token gets no recording; the timeline
 * holds the consents and each file's SHA-256.
 */

const run = promisify(execFile);
const waitFor = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 20_000) => until(check, what, ms, 200);
const joined = (page: Page) => page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });

interface Probe {
  streams: Array<{ codec_type: string; codec_name: string; nb_read_frames?: string; nb_read_packets?: string }>;
  format: { duration?: string };
}

async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-count_packets', '-show_streams', '-show_format', '-of', 'json', file], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Probe;
}

/**
 * Decodes the whole file; returns what ffmpeg complained about (empty when clean). The null
 * output's encoder keeps the file's own (millisecond) time base: by default it takes one tick per
 * frame of the frame rate ffmpeg guesses, and a camera's frames are not evenly spaced (a browser
 * on a busy machine captures at 20 to 30 fps), so two frames 20 ms apart in a "20 fps" stream
 * would land on one tick ("non monotonically increasing dts") although the file's timestamps
 * increase. Repeated timestamps in the file are checked on their own (repeatedTimestamps).
 */
async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-enc_time_base:v', '-1', '-f', 'null', '-'], { maxBuffer: 16 * 1024 * 1024 });
  return stderr.trim();
}

/** The packets' timestamps (ms) where they do not increase (empty when every one does). */
async function repeatedTimestamps(file: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', '0', '-show_entries', 'packet=pts,dts', '-of', 'csv=p=0', file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const packets = stdout
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number) as [number, number]);
  return packets.flatMap(([pts, dts], i) => (i > 0 && (dts <= packets[i - 1]![1] || pts === packets[i - 1]![0]) ? [`${packets[i - 1]![1]} → ${dts}`] : []));
}

/**
 * Camera frames this page has sent on the simulcast layer the recorder takes (the lowest, rid r0)
 * and the clock of the sample (the browser's clock is the server's: one machine). The browser
 * lowers its frame rate when the machine is busy, so a file's expected frame count is what the
 * sender sent during the file's stretch, not the camera's nominal rate. Null: no camera sender
 * (left the room).
 */
const framesSent = (page: Page) =>
  page.evaluate(async () => {
    const hooks = (window as unknown as { __cm?: { getStats(): Promise<Array<Record<string, unknown>>> } }).__cm;
    const stats = hooks ? await hooks.getStats() : [];
    const layer = stats.find((s) => s['type'] === 'outbound-rtp' && s['kind'] === 'video' && s['rid'] === 'r0');
    return { at: Date.now(), frames: layer ? Number(layer['framesSent'] ?? 0) : null };
  });

interface FrameSample {
  at: number;
  frames: number;
}

/**
 * Samples a page's framesSent every 100 ms until stopped: the frames sent between two instants
 * (a file's first packet and its end, by the server's clock) are read off these samples.
 */
function frameSampler(page: Page) {
  const samples: FrameSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped && !page.isClosed()) {
      const sample = await framesSent(page).catch(() => null);
      if (sample && sample.frames !== null) samples.push({ at: sample.at, frames: sample.frames });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * Frames the sender sent from `from` to `to` (ms), one producer's counter (it only grows; a new
 * producer after a rejoin starts again at zero, so only samples inside the stretch count), each
 * end interpolated between the samples around it.
 */
function framesBetween(samples: FrameSample[], from: number, to: number): number {
  const at = (t: number, inside: FrameSample[]): number => {
    const before = inside.filter((s) => s.at <= t).at(-1);
    const after = inside.find((s) => s.at >= t);
    if (!before) return after!.frames;
    if (!after || after.at === before.at) return before.frames;
    return before.frames + ((after.frames - before.frames) * (t - before.at)) / (after.at - before.at);
  };
  // The stretch's samples: the counter of this producer (from the last reset before `to`).
  const upTo = samples.filter((s) => s.at <= to + 200);
  let first = 0;
  for (let i = 1; i < upTo.length; i++) if (upTo[i]!.frames < upTo[i - 1]!.frames) first = i;
  const own = upTo.slice(first);
  if (own.length === 0) return Number.NaN;
  return at(to, own) - at(from, own);
}

describe('a recorded session in Chromium', () => {
  let server: FullServer;
  let browser: Browser;
  let recordingDir: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    recordingDir = await mkdtemp(path.join(os.tmpdir(), 'cm-recordings-'));
    server = await startFullServer({ env: { RECORDING_DIR: recordingDir, RECORDING_MIN_FREE_MB: '0' } });
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    if (!process.env['KEEP_RECORDINGS']) await rm(recordingDir, { recursive: true, force: true });
  });

  /** A party from their link on a phone, through the recording notice (agreed), into the room. */
  async function partyJoins(url: string): Promise<Page> {
    const { page } = await newTrackedPage(browser, contexts, phoneViewport);
    await page.goto(url);
    await page.getByTestId('invitation-landing').waitFor();
    await page.getByTestId('landing-recording').waitFor();
    await page.getByTestId('continue').click();
    await page.getByTestId('recording-accept').click();
    await joined(page);
    return page;
  }

  async function admit(m: Page, name: string, party: Page): Promise<void> {
    const row = m.getByTestId('waiting-row').filter({ hasText: name });
    if (
      await party
        .getByTestId('lobby')
        .isVisible()
        .catch(() => false)
    ) {
      await row.getByTestId('admit').click();
      await party.getByTestId('lobby').waitFor({ state: 'detached' });
    }
  }

  const tracks = () => server.testDb.db.recordingTrack.findMany({ orderBy: { startedAt: 'asc' } });
  /** Every track of `name` has been written for at least `ms` (by the server's clock of its first packet). */
  const recordedFor = async (name: string, count: number, ms: number) => {
    const open = (await tracks()).filter((t) => t.displayName === name && t.endedAt === null);
    return open.length === count && open.every((t) => Date.now() - t.startedAt.getTime() >= ms);
  };

  test('mediator and two parties, one leaves and rejoins, a caucus, the end: usable files, hashes and consents on the timeline', async (ctx) => {
    const { token, session } = await server.mediatorWithSession();
    const login = await staffLogin(server, token);
    const invA = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const invB = await server.invite(token, session.id, { role: 'party', displayName: '李四', side: 'respondent' });

    const m = (await roomPages(browser, contexts, () => server.baseUrl).mediatorPage(session.id, login)).page;
    // Frames sent, sampled all along, by name.
    const samplers = new Map<string, ReturnType<typeof frameSampler>>();
    await m.getByTestId('recording-start').click();
    await m.getByTestId('confirm-recording').getByTestId('confirm-ok').click();
    await m.getByTestId('recording-indicator').waitFor();
    const mediatorName = (await server.testDb.db.user.findFirstOrThrow({ where: { role: 'mediator' } })).displayName;
    samplers.set(mediatorName, frameSampler(m));

    const a = await partyJoins(invA.url);
    samplers.set('张三', frameSampler(a));
    await admit(m, '张三', a);
    const b = await partyJoins(invB.url);
    samplers.set('李四', frameSampler(b));
    await admit(m, '李四', b);
    for (const p of [m, a, b])
      await waitFor(async () => (await p.getByTestId('recording-indicator').getAttribute('data-state')) === 'recording', 'indicator on every screen');

    // Everyone publishes (microphone and camera) and is recorded for a while.
    await waitFor(() => recordedFor('张三', 2, 4000), 'party A recorded for 4 s', 30_000);
    await waitFor(() => recordedFor('李四', 2, 4000), 'party B recorded for 4 s', 30_000);

    // Party A leaves: their files close.
    await a.getByTestId('leave').click();
    await a.getByTestId('confirm-leave').getByTestId('confirm-ok').click();
    await a.getByTestId('end-reason').waitFor();
    await waitFor(
      async () => (await tracks()).filter((t) => t.displayName === '张三').every((t) => t.endedAt !== null && t.sha256 !== null),
      'A’s first files closed',
    );

    // …and comes back through the notice again (already confirmed: straight in).
    await a.getByTestId('rejoin').click();
    await a.getByTestId('recording-accept').click();
    await joined(a);
    await admit(m, '张三', a);
    await waitFor(() => recordedFor('张三', 2, 3000), 'party A recorded again for 3 s', 30_000);

    // A 5-second caucus with party B.
    await m.getByTestId('participant-row').filter({ hasText: '李四' }).getByTestId('caucus-pick').check();
    await m.getByTestId('caucus-start').click();
    await b.getByTestId('room-state').and(b.locator('[data-state="caucus"]')).waitFor();
    const caucusFrom = Date.now();
    await waitFor(() => Date.now() - caucusFrom >= 5000, 'a 5-second caucus', 10_000);
    await m.getByTestId('caucus-end').click();
    await b.getByTestId('room-state').and(b.locator('[data-state="main"]')).waitFor();

    // The end: every file is closed and hashed.
    await m.getByTestId('end-all').click();
    await m.getByTestId('confirm-end').getByTestId('confirm-ok').click();
    await waitFor(
      async () => {
        const all = await tracks();
        return all.length > 0 && all.every((t) => t.endedAt !== null && t.sha256 !== null);
      },
      'every track file closed and hashed',
      30_000,
    );

    for (const sampler of samplers.values()) await sampler.stop();
    const all = await tracks();
    const recording = await server.testDb.db.recording.findFirstOrThrow({ where: { sessionId: session.id } });
    const who = all.map((t) => `${t.displayName}:${t.kind}`);
    for (const name of ['张三', '李四', mediatorName]) {
      for (const kind of ['audio', 'video']) assert.ok(who.includes(`${name}:${kind}`), `a ${kind} track for ${name}: ${who.join(', ')}`);
    }
    assert.equal(all.filter((t) => t.displayName === '张三').length, 4, 'party A: two stretches, audio and video each');

    // Every file is checked and every problem listed (one failing file does not hide the others).
    const report: string[] = [];
    const problems: string[] = [];
    const videoProblems: string[] = [];
    const check = (ok: boolean, problem: string, list = problems) => {
      if (!ok) list.push(problem);
    };
    for (const t of all) {
      const file = path.join(recordingDir, recording.id, t.path);
      assert.ok(existsSync(file), `track file ${file}`);
      const info = await probe(file);
      const stream = info.streams.find((s) => s.codec_type === t.kind);
      assert.ok(stream, `${t.path}: a ${t.kind} stream`);
      if (t.kind === 'video') check(['vp8', 'h264'].includes(stream.codec_name), `${t.path}: VP8 or H264, got ${stream.codec_name}`);
      else check(stream.codec_name === 'opus', `${t.path}: Opus, got ${stream.codec_name}`);

      const gaps = JSON.parse(t.gaps) as Array<{ from: string; to: string }>;
      const gapSeconds = gaps.reduce((sum, g) => sum + (Date.parse(g.to) - Date.parse(g.from)) / 1000, 0);
      const wallClock = (t.endedAt!.getTime() - t.startedAt.getTime()) / 1000 - gapSeconds;
      const duration = Number(info.format.duration);
      report.push(`${t.displayName} ${t.kind} ${t.codec}: file ${duration.toFixed(2)} s, wall clock ${wallClock.toFixed(2)} s`);
      check(Math.abs(duration - wallClock) <= 1, `${t.path}: duration ${duration} s vs ${wallClock} s published`);

      const repeated = await repeatedTimestamps(file);
      check(
        repeated.length === 0,
        `${t.path}: ${repeated.length} packets whose timestamp does not increase, the first: ${repeated[0]}`,
        t.kind === 'video' ? videoProblems : problems,
      );
      const errors = await decodeErrors(file);
      check(
        errors === '',
        `${t.path}: decoding reported ${errors.split('\n').length} error lines, the first: ${errors.split('\n')[0]}`,
        t.kind === 'video' ? videoProblems : problems,
      );
      if (t.kind === 'audio') {
        // Opus in WebRTC: one 20 ms frame per packet.
        const frames = Number(stream.nb_read_frames ?? stream.nb_read_packets);
        const expected = wallClock * 50;
        report.push(`  audio frames ${frames}, expected ${expected.toFixed(0)}`);
        check(Math.abs(frames - expected) <= expected * 0.1, `${t.path}: ${frames} audio frames, expected about ${expected.toFixed(0)}`);
      } else {
        const expected = framesBetween(samplers.get(t.displayName)!.samples, t.startedAt.getTime(), t.endedAt!.getTime());
        const frames = Number(stream.nb_read_frames);
        report.push(`  video frames ${frames}, expected ${expected.toFixed(0)}`);
        check(Math.abs(frames - expected) <= expected * 0.1, `${t.path}: ${frames} video frames, expected about ${expected.toFixed(0)}`, videoProblems);
      }

      const sha256 = createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
      check(t.sha256 === sha256, `${t.path}: the stored hash is the file's`);
    }
    console.log(report.join('\n'));
    assert.deepEqual(problems, [], 'track files');
    await ctx.test('video track files decode without errors and hold the frames the sender sent (±10%)', () => {
      assert.deepEqual(videoProblems, []);
    });

    // The timeline: recording started, both parties' confirmations (A once: a rejoin does not ask twice), each file's hash.
    const timeline = (await server.api<Array<{ type: string; data: Record<string, unknown> }>>('GET', `/api/cases/${session.caseId}/timeline`, { token })).body;
    const entries = (type: string) => timeline.filter((e) => e.type === type);
    assert.equal(entries('recording.started').length, 1);
    const consentNames = entries('recording.consented').map((e) => e.data['displayName']);
    assert.ok(consentNames.includes('张三') && consentNames.includes('李四'), `consents: ${consentNames.join(', ')}`);
    const hashes = new Set(entries('recording.file_closed').map((e) => e.data['sha256']));
    for (const t of all) assert.ok(hashes.has(t.sha256), `timeline holds the hash of ${t.path}`);
    const verified = (await server.api<{ ok: boolean }>('GET', `/api/cases/${session.caseId}/timeline/verify`, { token })).body;
    assert.equal(verified.ok, true, 'the timeline chain verifies');

    // The session's own reviewable file: composed in the background (poked at the end), played on
    // the case page by the mediator; a party's invitation token gets neither the list nor the file.
    const composed = await server.testDb.db.recording.findUniqueOrThrow({ where: { sessionId: session.id } });
    await until(
      async () => (await server.testDb.db.recording.findUniqueOrThrow({ where: { id: composed.id } })).composeState === 'done',
      'the session composed',
      300_000,
      500,
    );
    for (const p of [`/api/recordings/${composed.id}/composed`, `/api/cases/${session.caseId}/recordings`]) {
      const refused = await server.api('GET', p, { token: invA.token });
      assert.ok(refused.status === 401 || refused.status === 403, `${p} with a party's token: ${refused.status}`);
    }
    await m.goto(`${server.baseUrl}/cases/${session.caseId}`);
    const card = m.getByTestId('recordings-card');
    const play = card.getByTestId('recording').first().getByTestId('rec-play');
    await play.waitFor({ timeout: 60_000 });
    await play.click();
    const player = card.getByTestId('recording').first().getByTestId('rec-player');
    await player.waitFor({ timeout: 60_000 });
    await m.waitForFunction(
      (el) => {
        const v = el as HTMLVideoElement;
        return v.currentTime > 1.5 && v.readyState >= 2;
      },
      await player.elementHandle(),
      { timeout: 90_000 },
    );
  });
});
