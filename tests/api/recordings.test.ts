import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../server/clock.ts';
import type { RecordingInfo } from '../../server/protocol/recording.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { insertRecording, probe, threePersonTracks } from '../helpers/recordingFiles.ts';
import { until } from '../helpers/wait.ts';
import { Composer } from '../../server/recording/Composer.ts';
import { createLogger } from '../../server/logger.ts';

/*
 * Recordings after the session, on the real server: real track files (ffmpeg from lavfi) and
 * rows, the composer's real ffmpeg, ffprobe on the result, range requests, who may fetch, the
 * timeline, retention with the server's own (injected) clock.
 */

const clock = new ManualClock('2026-03-02T09:00:00+08:00');
let s: FullServer;
let mediator: { token: string; caseId: string; sessionId: string; userId: string };
let recording: { recordingId: string; folder: string; endedAt: Date; trackIds: string[] };
const start = new Date('2026-03-02T01:00:00Z');
const SECONDS = 12;

const timeline = async (caseId: string) =>
  (await s.api<Array<{ type: string; data: Record<string, unknown> }>>('GET', `/api/cases/${caseId}/timeline`, { token: mediator.token })).body;
const fetchRaw = (url: string, headers: Record<string, string> = {}) => fetch(s.baseUrl + url, { headers });

before(async () => {
  s = await startFullServer({ clock });
  const m = await s.mediatorWithSession();
  const me = await s.api('GET', '/api/auth/me', { token: m.token });
  mediator = { token: m.token, caseId: m.caseDetail.id, sessionId: m.session.id, userId: me.body.id };
  // A 3-second caucus inside the session, written by the room's own recorder of caucus events.
  const members = [{ role: 'party', side: 'applicant', displayName: '张三' }];
  clock.set(new Date(start.getTime() + 4000));
  await s.app.services.roomRecord.recordCaucus(mediator.sessionId, 'started', { caucusId: 'c1', actor: `user:${mediator.userId}`, members });
  clock.set(new Date(start.getTime() + 7000));
  await s.app.services.roomRecord.recordCaucus(mediator.sessionId, 'ended', { caucusId: 'c1', actor: `user:${mediator.userId}`, members });
  clock.set('2026-03-02T09:05:00+08:00');
  recording = await insertRecording(s.testDb.db, s.app.config.recording.dir, {
    caseId: mediator.caseId,
    sessionId: mediator.sessionId,
    startedById: mediator.userId,
    startedAt: start,
    seconds: SECONDS,
    tracks: threePersonTracks(SECONDS),
  });
});
after(async () => s?.close());

test('the composer composes the queued session: VP8 + Opus WebM as long as the session, the caucus as a chapter, on the timeline', async () => {
  await s.app.services.recordings.composer.drain();
  const row = await s.testDb.db.recording.findUniqueOrThrow({ where: { id: recording.recordingId } });
  assert.equal(row.composeState, 'done', row.composeError ?? '');
  assert.equal(row.composeProgress, 1);
  const file = path.join(recording.folder, row.composedPath!);
  const info = probe(file);
  assert.deepEqual(info.streams.map((st) => `${st.codec_type}:${st.codec_name}`).sort(), ['audio:opus', 'video:vp8']);
  assert.ok(Math.abs(Number(info.format.duration) - SECONDS) <= 1, `duration ${info.format.duration}`);
  const caucus = info.chapters.find((c) => c.tags?.title?.includes('Caucus'));
  assert.ok(caucus, JSON.stringify(info.chapters));
  assert.ok(Math.abs(Number(caucus.start_time) - 4) < 0.1 && Math.abs(Number(caucus.end_time) - 7) < 0.1, JSON.stringify(caucus));
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  assert.equal(row.composedSha256, sha256);
  assert.equal(row.composedBytes, bytes.length);
  const composed = (await timeline(mediator.caseId)).filter((e) => e.type === 'recording.composed');
  assert.deepEqual(
    composed.map((e) => [e.data.recordingId, e.data.sha256, e.data.bytes]),
    [[recording.recordingId, sha256, bytes.length]],
  );

  const list = await s.api<RecordingInfo[]>('GET', `/api/cases/${mediator.caseId}/recordings`, { token: mediator.token });
  assert.equal(list.status, 200);
  assert.equal(list.body.length, 1);
  assert.equal(list.body[0]!.compose.state, 'done');
  assert.equal(list.body[0]!.tracks.length, 8);
  assert.equal(list.body[0]!.deleteAfter, new Date(recording.endedAt.getTime() + 180 * 86400_000).toISOString());
});

test('range requests: 206 with the right bytes; a playback and a download each leave a timeline entry', async () => {
  const row = await s.testDb.db.recording.findUniqueOrThrow({ where: { id: recording.recordingId } });
  const bytes = readFileSync(path.join(recording.folder, row.composedPath!));
  const auth = { authorization: `Bearer ${mediator.token}` };
  const url = `/api/recordings/${recording.recordingId}/composed`;
  const count = async (type: string) => (await timeline(mediator.caseId)).filter((e) => e.type === type).length;

  const part = await fetchRaw(url, { ...auth, range: 'bytes=100-1123' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('accept-ranges'), 'bytes');
  assert.equal(part.headers.get('content-range'), `bytes 100-1123/${bytes.length}`);
  assert.equal(part.headers.get('content-type'), 'video/webm');
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 1124));
  assert.equal(await count('recording.played'), 0, 'a range from the middle continues a playback');

  const first = await fetchRaw(url, { ...auth, range: 'bytes=0-' });
  assert.equal(first.status, 206);
  assert.equal((await first.arrayBuffer()).byteLength, bytes.length);
  const played = (await timeline(mediator.caseId)).filter((e) => e.type === 'recording.played');
  assert.deepEqual(
    played.map((e) => e.data),
    [{ recordingId: recording.recordingId, by: `user:${mediator.userId}` }],
  );

  const download = await fetchRaw(`${url}?download=1`, auth);
  assert.equal(download.status, 200);
  assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="?recording-\d{8}-\d{6}\.webm"?$/);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
  const trackId = recording.trackIds[1]!;
  const track = await fetchRaw(`/api/recordings/${recording.recordingId}/tracks/${trackId}?download=1`, { ...auth, range: 'bytes=0-9' });
  assert.equal(track.status, 206);
  assert.deepEqual(Buffer.from(await track.arrayBuffer()), readFileSync(path.join(recording.folder, '1-audio.webm')).subarray(0, 10));
  const downloads = (await timeline(mediator.caseId)).filter((e) => e.type === 'recording.downloaded');
  assert.deepEqual(
    downloads.map((e) => e.data),
    [
      { recordingId: recording.recordingId, by: `user:${mediator.userId}` },
      { recordingId: recording.recordingId, trackId, by: `user:${mediator.userId}` },
    ],
  );
  assert.equal(await count('recording.played'), 1);
});

test('the playback cookie (for the <video> element) works on that recording’s paths only, with the same checks', async () => {
  const res = await fetch(`${s.baseUrl}/api/recordings/${recording.recordingId}/playback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mediator.token}` },
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, new RegExp(`^cm_rec=[^;]+; Max-Age=1800; Path=/api/recordings/${recording.recordingId}; Expires=[^;]+; HttpOnly; SameSite=Strict$`));
  const pair = cookie.split(';')[0]!;
  const viaCookie = await fetchRaw(`/api/recordings/${recording.recordingId}/composed`, { cookie: pair, range: 'bytes=10-19' });
  assert.equal(viaCookie.status, 206);
  assert.equal((await fetchRaw(`/api/recordings/${recording.recordingId}/composed`, { range: 'bytes=10-19' })).status, 401);
});

test('parties (invitation token), officials and a mediator of another case never get a recording (403)', async () => {
  const kase = await s.api('GET', `/api/cases/${mediator.caseId}`, { token: mediator.token });
  const party = await s.invite(mediator.token, mediator.sessionId, { role: 'party', partyId: kase.body.parties[0].id, displayName: '张三' } as never);
  await s.createUser('official1', 'official');
  const official = (await s.login('official1')).token;
  const other = (await s.mediatorWithSession({ title: '另一个案件' })).token;
  const urls = [
    `/api/cases/${mediator.caseId}/recordings`,
    `/api/recordings/${recording.recordingId}/composed`,
    `/api/recordings/${recording.recordingId}/tracks/${recording.trackIds[0]}`,
  ];
  for (const token of [party.token, official, other]) {
    for (const url of urls) {
      for (const range of [undefined, 'bytes=0-']) {
        const res = await fetchRaw(url, { authorization: `Bearer ${token}`, ...(range ? { range } : {}) });
        assert.equal(res.status, 403, `${url}: ${res.status}`);
        assert.equal(((await res.json()) as { code: string }).code, 'forbidden');
      }
    }
    assert.equal((await s.api('POST', `/api/recordings/${recording.recordingId}/playback`, { token })).status, 403);
  }
  // A supervisor and an admin may review.
  await s.createUser('sup1', 'supervisor');
  const sup = (await s.login('sup1')).token;
  assert.equal((await fetchRaw(`/api/recordings/${recording.recordingId}/composed`, { authorization: `Bearer ${sup}`, range: 'bytes=5-9' })).status, 206);
});

test('a failed composition is recorded, never a crash, and can be queued again', async () => {
  const broken = await s.mediatorWithSession({ title: '坏文件' });
  const me = await s.api('GET', '/api/auth/me', { token: broken.token });
  const r = await insertRecording(s.testDb.db, s.app.config.recording.dir, {
    caseId: broken.caseDetail.id,
    sessionId: broken.session.id,
    startedById: me.body.id,
    startedAt: start,
    seconds: 3,
    tracks: [{ identity: 'user:x', displayName: 'x', role: 'mediator', kind: 'audio', from: 0, to: 2 }],
  });
  // Not a WebM any more.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(r.folder, '0-audio.webm'), 'not a media file at all');
  await s.app.services.recordings.composer.drain();
  const failed = await s.testDb.db.recording.findUniqueOrThrow({ where: { id: r.recordingId } });
  assert.equal(failed.composeState, 'failed');
  assert.match(failed.composeError ?? '', /ffmpeg exited/);
  assert.equal(
    (await s.api('POST', `/api/recordings/${recording.recordingId}/compose`, { token: mediator.token })).status,
    409,
    'a done composition is not queued again',
  );
  const again = await s.api('POST', `/api/recordings/${r.recordingId}/compose`, { token: broken.token });
  assert.equal(again.status, 202);
  await s.app.services.recordings.composer.drain();
  assert.equal((await s.testDb.db.recording.findUniqueOrThrow({ where: { id: r.recordingId } })).composeState, 'failed');
});

test('one process: a composition left running by a restart is queued again at start-up and composed; two composers claim it once', async () => {
  const m = await s.mediatorWithSession({ title: '重启' });
  const me = await s.api('GET', '/api/auth/me', { token: m.token });
  const r = await insertRecording(s.testDb.db, s.app.config.recording.dir, {
    caseId: m.caseDetail.id,
    sessionId: m.session.id,
    startedById: me.body.id,
    startedAt: start,
    seconds: 3,
    tracks: threePersonTracks(3).slice(0, 2),
    composeState: 'running',
  });
  const options = { db: s.testDb.db, clock, log: createLogger('test'), recordingDir: s.app.config.recording.dir, intervalMs: 3_600_000 };
  const restarted = new Composer({ ...options, requeueRunningAtStart: true });
  const other = new Composer(options);
  try {
    restarted.start();
    other.start();
    await until(
      async () => (await s.testDb.db.recording.findUniqueOrThrow({ where: { id: r.recordingId } })).composeState === 'done',
      'composed after the restart',
      60_000,
      100,
    );
    await Promise.all([restarted.drain(), other.drain()]);
  } finally {
    await Promise.all([restarted.close(), other.close()]);
  }
  const composed = await s.testDb.db.timelineEntry.findMany({ where: { caseId: m.caseDetail.id, type: 'recording.composed' } });
  assert.equal(composed.length, 1, 'composed once');
});

test('several nodes: a composition whose claimant’s lease ran out (its node died) is taken over and composed once; one under a live lease is left alone', async () => {
  const m = await s.mediatorWithSession({ title: '节点失效' });
  const me = await s.api('GET', '/api/auth/me', { token: m.token });
  const insert = (caseId: string, sessionId: string) =>
    insertRecording(s.testDb.db, s.app.config.recording.dir, {
      caseId,
      sessionId,
      startedById: me.body.id,
      startedAt: start,
      seconds: 3,
      tracks: threePersonTracks(3).slice(0, 2),
      composeState: 'running',
    });
  const dead = await insert(m.caseDetail.id, m.session.id);
  const other = await s.mediatorWithSession({ title: '节点存活' });
  const live = await insert(other.caseDetail.id, other.session.id);
  const now = clock.now().getTime();
  await s.testDb.db.recording.update({ where: { id: dead.recordingId }, data: { composeRun: 'dead-node', composeLeaseUntil: new Date(now - 1000) } });
  await s.testDb.db.recording.update({ where: { id: live.recordingId }, data: { composeRun: 'live-node', composeLeaseUntil: new Date(now + 60_000) } });

  const options = { db: s.testDb.db, clock, log: createLogger('test'), recordingDir: s.app.config.recording.dir, intervalMs: 3_600_000 };
  const a = new Composer(options);
  const b = new Composer(options);
  try {
    await Promise.all([a.drain(), b.drain()]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  const taken = await s.testDb.db.recording.findUniqueOrThrow({ where: { id: dead.recordingId } });
  assert.equal(taken.composeState, 'done');
  assert.equal(taken.composeRun, null);
  const left = await s.testDb.db.recording.findUniqueOrThrow({ where: { id: live.recordingId } });
  assert.equal(left.composeState, 'running', 'a live node’s composition is not taken');
  assert.equal(left.composeRun, 'live-node');
  const composed = await s.testDb.db.timelineEntry.findMany({ where: { caseId: m.caseDetail.id, type: 'recording.composed' } });
  assert.deepEqual(
    composed.map((e) => (JSON.parse(e.data) as { recordingId: string }).recordingId),
    [dead.recordingId],
    'composed once, by one of the two',
  );
  await s.testDb.db.recording.update({ where: { id: live.recordingId }, data: { composeState: 'failed', composeRun: null, composeLeaseUntil: null } });
});

test('the dashboard counts the kept recordings’ bytes; retention deletes the files of recordings ended longer ago, with a timeline entry', async () => {
  await s.createUser('sup2', 'supervisor');
  const sup = (await s.login('sup2')).token;
  const rows = await s.testDb.db.recording.findMany({ include: { tracks: true } });
  const expected = rows.reduce((n, r) => n + (r.composedBytes ?? 0) + r.tracks.reduce((m, t) => m + (t.bytes ?? 0), 0), 0);
  const stats = await s.api('GET', '/api/stats', { token: sup });
  assert.equal(stats.status, 200);
  assert.equal(stats.body.recordingBytes, expected);
  assert.ok(expected > 100_000);

  const { retention } = s.app.services.recordings;
  // One day before the end of retention: nothing goes.
  clock.set(new Date(recording.endedAt.getTime() + 179 * 86400_000));
  assert.equal(await retention.sweep(), 0);
  assert.ok(existsSync(recording.folder));
  clock.set(new Date(recording.endedAt.getTime() + 180 * 86400_000 + 1000));
  const onDisk = rows.find((r) => r.id === recording.recordingId)!;
  const folderBytes = (onDisk.composedBytes ?? 0) + onDisk.tracks.reduce((m, t) => m + (t.bytes ?? 0), 0);
  assert.equal(await retention.sweep(), rows.length, 'all the recordings ended the same day');
  assert.equal(existsSync(recording.folder), false);
  const row = await s.testDb.db.recording.findUniqueOrThrow({ where: { id: recording.recordingId } });
  assert.equal(row.deletedAt?.toISOString(), clock.now().toISOString());
  const deleted = await s.testDb.db.timelineEntry.findMany({ where: { caseId: mediator.caseId, type: 'recording.deleted' } });
  assert.equal(deleted.length, 1);
  assert.deepEqual(JSON.parse(deleted[0]!.data), { recordingId: recording.recordingId, sessionId: mediator.sessionId, bytes: folderBytes, retentionDays: 180 });
  assert.equal(await retention.sweep(), 0, 'claimed once');
  assert.equal(await s.app.services.recordings.service.totalBytes(), 0);
});
