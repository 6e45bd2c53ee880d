import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InvitationPreview, MediationSessionInfo } from '../../server/protocol/api.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { ffmpegRtpParameters, ffmpegRtpSender, steadyProducer } from '../helpers/ffmpegRtp.ts';
import { enterRoom, lastState, stateWhere, until, type Member } from '../helpers/room.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';

/*
 * Recording against the real server: the notice must be confirmed before room.join, a refusal
 * ends the connection and the mediators see it, pause/resume reach everyone, the disk floor, the
 * role table; and media published in the room ends in a closed, hashed track file on the record.
 */

describe('recording: notice, consent, pause, files', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startFullServer({ env: { RECORDING_MIN_FREE_MB: '1' } });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  const enter = (auth: Parameters<typeof connectSocket>[1]): Promise<Member> => enterRoom(server.baseUrl, sockets, auth);
  const connect = async (token: string) => {
    const s = await connectSocket(server.baseUrl, { kind: 'invitation', token });
    sockets.push(s);
    return s;
  };
  const join = async (s: TestSocket) => {
    const { rtpCapabilities } = await s.request('room.getRouterRtpCapabilities', {});
    return s.send('room.join', { rtpCapabilities });
  };
  const timeline = async (caseId: string) =>
    (await server.testDb.db.timelineEntry.findMany({ where: { caseId }, orderBy: { seq: 'asc' } })).map((e) => ({
      type: e.type,
      actor: e.actor,
      data: JSON.parse(e.data) as Record<string, unknown>,
    }));

  test('consent before joining, a refusal ends the connection and the mediator sees it, pause and resume shown to all', async () => {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    const mediator = await enter({ kind: 'staff', token, sessionId: session.id });
    const invA = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const invB = await server.invite(token, session.id, { role: 'party', displayName: '某公司', side: 'respondent' });
    assert.equal((await server.api<InvitationPreview>('GET', '/api/invitation', { token: invA.token })).body.recording, 'off');

    // A party cannot turn it on; the mediator can, and counts as having confirmed.
    const a = await connect(invA.token);
    const refused = await a.send('recording.start', {});
    assert.ok(!refused.ok && refused.error.code === 'forbidden');
    await mediator.s.request('recording.start', {});
    const started = await stateWhere(mediator.s, (st) => st.recording.state === 'recording', 'mediator sees recording');
    assert.equal(started.recording.consented, true);
    assert.ok(started.recording.since);
    const again = await mediator.s.send('recording.start', {});
    assert.ok(!again.ok && again.error.code === 'conflict');

    // The pre-join page and the staff session info know before anyone joins.
    assert.equal((await server.api<InvitationPreview>('GET', '/api/invitation', { token: invA.token })).body.recording, 'recording');
    assert.equal((await server.api<MediationSessionInfo>('GET', `/api/sessions/${session.id}`, { token })).body.recording, 'recording');

    // Not confirmed: no entry. Confirmed: in (waiting room), with consented true.
    const early = await join(a);
    assert.ok(!early.ok && early.error.code === 'recording_consent_required', JSON.stringify(early));
    await a.request('recording.consent', { accepted: true });
    await a.request('recording.consent', { accepted: true }); // twice: one row, one entry
    const joined = await join(a);
    assert.ok(joined.ok, JSON.stringify(joined));
    assert.equal(joined.data.state.recording.state, 'recording');
    assert.equal(joined.data.state.recording.consented, true);
    assert.deepEqual(joined.data.state.recording.declined, [], 'parties never see who declined');

    // Declined: the connection ends with the reason; the mediator's state lists who.
    const b = await connect(invB.token);
    await b.request('recording.consent', { accepted: false });
    const closed = await b.waitFor('room.closed');
    assert.equal(closed.data.reason, 'recording_declined');
    await until(() => !b.socket.connected, 'the declining party is disconnected');
    const seen = await stateWhere(mediator.s, (st) => st.recording.declined.length === 1, 'mediator sees the refusal');
    assert.equal(seen.recording.declined[0]!.displayName, '某公司');
    assert.equal(seen.recording.declined[0]!.side, 'respondent');

    // Pause and resume reach everyone in the room (the mediator admits the party first).
    await mediator.s.request('lobby.admitAll', {});
    await mediator.s.request('recording.pause', {});
    await stateWhere(a, (st) => st.recording.state === 'paused', 'party sees paused');
    await stateWhere(mediator.s, (st) => st.recording.state === 'paused', 'mediator sees paused');
    const pauseAgain = await mediator.s.send('recording.pause', {});
    assert.ok(!pauseAgain.ok && pauseAgain.error.code === 'conflict');
    assert.ok(!(await a.send('recording.resume', {})).ok, 'a party cannot resume');
    await mediator.s.request('recording.resume', {});
    await stateWhere(a, (st) => st.recording.state === 'recording', 'party sees recording again');

    // The record: consent rows (who, which link), and the timeline.
    const consents = await server.testDb.db.recordingConsent.findMany({ where: { sessionId: session.id }, orderBy: { consentedAt: 'asc' } });
    assert.deepEqual(
      consents.map((c) => c.invitationId),
      [null, invA.id],
    );
    const entries = (await timeline(caseDetail.id)).filter((e) => e.type.startsWith('recording.'));
    assert.deepEqual(
      entries.map((e) => e.type),
      ['recording.started', 'recording.consented', 'recording.declined', 'recording.paused', 'recording.resumed'],
    );
    const consented = entries[1]!;
    assert.equal(consented.data['invitationId'], invA.id);
    assert.equal(consented.data['identity'], `invitation:${invA.id}`);
    assert.equal(entries[2]!.data['displayName'], '某公司');

    // The session ends: recording stopped, queued for composition.
    // (The room closes under the request: its answer may never come; the notification does.)
    mediator.s.socket.emit('request', { name: 'room.end', data: {} }, () => undefined);
    assert.equal((await mediator.s.waitFor('room.closed')).data.reason, 'ended');
    await until(async () => (await server.testDb.db.recording.findUnique({ where: { sessionId: session.id } }))?.composeState === 'queued', 'recording queued');
    const row = await server.testDb.db.recording.findUniqueOrThrow({ where: { sessionId: session.id } });
    assert.equal(row.state, 'stopped');
    assert.ok(row.endedAt);
    assert.ok((await timeline(caseDetail.id)).some((e) => e.type === 'recording.stopped'));
    assert.equal((await server.api<InvitationPreview>('GET', '/api/invitation', { token: invA.token })).body.recording, 'off');
  });

  test('someone in the room before recording starts is not recorded until they confirm; then their media is written and hashed', async () => {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    const mediator = await enter({ kind: 'staff', token, sessionId: session.id });
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '李四', side: 'applicant' });
    const a = await enter({ kind: 'invitation', token: inv.token });
    await mediator.s.request('lobby.admitAll', {});
    await mediator.s.request('recording.start', {});
    const notice = await stateWhere(a.s, (st) => st.recording.state === 'recording', 'party sees recording on');
    assert.equal(notice.recording.consented, false, 'the party is shown the notice');

    // The party publishes a camera: real VP8 from ffmpeg through a plain transport of its own peer.
    const room = server.app.rooms.get(session.id)!;
    const transport = await room.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: true,
      appData: { direction: 'send' },
    });
    room.getPeer(a.id).addTransport(transport);
    const rtpParameters = ffmpegRtpParameters('video');
    const producerId = await room.produce(a.id, { transportId: transport.id, kind: 'video', rtpParameters, source: 'webcam' });
    const sender = await ffmpegRtpSender('video', transport.tuple.localPort, rtpParameters);
    try {
      await steadyProducer(room.getPeer(a.id).getProducer(producerId));
      // Nothing recorded while the party has not confirmed.
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(room.recording.slots.length, 0);
      await a.s.request('recording.consent', { accepted: true });
      await stateWhere(a.s, (st) => st.recording.consented, 'the party has confirmed');
      const recordingRow = await server.testDb.db.recording.findUniqueOrThrow({ where: { sessionId: session.id } });
      await until(
        async () => (await server.testDb.db.recordingTrack.count({ where: { recordingId: recordingRow.id } })) === 1,
        'a track row once the first packet is written',
        10_000,
      );
      const startedRow = await server.testDb.db.recordingTrack.findFirstOrThrow({ where: { recordingId: recordingRow.id } });
      assert.equal(startedRow.identity, `invitation:${inv.id}`);
      assert.equal(startedRow.kind, 'video');
      assert.equal(startedRow.codec, 'video/VP8');
      assert.equal(startedRow.endedAt, null);
      await until(() => Date.now() - startedRow.startedAt.getTime() >= 2500, 'some media recorded', 5000, 50);
      // The party stops its camera: the file is closed, hashed and on the record.
      await a.s.request('producer.close', { producerId });
      await until(
        async () => (await server.testDb.db.recordingTrack.findUniqueOrThrow({ where: { id: startedRow.id } })).sha256 !== null,
        'the track closed',
        15_000,
      );
    } finally {
      sender.kill('SIGKILL');
    }
    const track = await server.testDb.db.recordingTrack.findUniqueOrThrow({
      where: { id: (await server.testDb.db.recordingTrack.findFirstOrThrow({ where: { identity: `invitation:${inv.id}` } })).id },
    });
    const file = path.join(server.app.config.recording.dir, track.recordingId, track.path);
    const bytes = readFileSync(file);
    assert.equal(track.bytes, bytes.length);
    assert.equal(track.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.ok(track.endedAt && track.endedAt > track.startedAt);
    const closedEntry = (await timeline(caseDetail.id)).find((e) => e.type === 'recording.file_closed');
    assert.ok(closedEntry, 'file_closed on the timeline');
    assert.deepEqual(
      { ...closedEntry.data },
      {
        sessionId: session.id,
        recordingId: track.recordingId,
        trackId: track.id,
        sha256: track.sha256,
        bytes: track.bytes,
        kind: 'video',
        displayName: '李四',
        role: 'party',
      },
    );
    assert.equal(mediator.s.socket.connected, true, 'the call goes on');
  });

  test('tracks left open by a room that is gone (its node died) are completed from their files and marked; recording goes on', async () => {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    const db = server.testDb.db;
    const since = new Date(Date.now() - 60_000);
    const recordingId = `orphaned-${session.id}`;
    await db.recording.create({
      data: { id: recordingId, sessionId: session.id, caseId: caseDetail.id, state: 'recording', startedById: 'someone', startedAt: since, stateAt: since },
    });
    // What the dead node wrote (reachable here: a shared RECORDING_DIR), and its row, never closed.
    const dir = path.join(server.app.config.recording.dir, recordingId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'webcam-old.webm'), 'partial file');
    await db.recordingTrack.create({
      data: {
        id: `old-${session.id}`,
        recordingId,
        identity: 'invitation:gone',
        displayName: '王五',
        role: 'party',
        side: 'applicant',
        kind: 'video',
        source: 'webcam',
        producerId: 'gone',
        codec: 'video/VP8',
        path: 'webcam-old.webm',
        startedAt: new Date(Date.now() - 50_000),
      },
    });

    // The mediator comes back (on this node): confirms, joins; the room took the recording over.
    const s = await connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id });
    sockets.push(s);
    const refused = await join(s);
    assert.ok(!refused.ok && refused.error.code === 'recording_consent_required');
    await s.request('recording.consent', { accepted: true });
    const joined = await join(s);
    assert.ok(joined.ok);
    assert.equal(joined.data.state.recording.state, 'recording');

    const track = await db.recordingTrack.findUniqueOrThrow({ where: { id: `old-${session.id}` } });
    assert.ok(track.endedAt, 'closed');
    assert.equal(track.bytes, 'partial file'.length);
    assert.equal(track.sha256, createHash('sha256').update('partial file').digest('hex'));
    assert.ok(
      (JSON.parse(track.gaps) as Array<{ endUnknown?: boolean }>).some((g) => g.endUnknown === true),
      'its end is marked unknown',
    );
    const gap = (await timeline(caseDetail.id)).find((e) => e.type === 'recording.gap');
    assert.equal(gap?.data['reason'], 'node_failed');
    assert.equal(gap?.data['trackId'], track.id);
  });
});

describe('recording: disk floor', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await startFullServer({ env: { RECORDING_MIN_FREE_MB: '1000000000' } });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  test('recording.start is refused with recording_disk_low when the volume has less free space than the floor', async () => {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    const mediator = await enterRoom(server.baseUrl, sockets, { kind: 'staff', token, sessionId: session.id });
    const refused = await mediator.s.send('recording.start', {});
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'recording_disk_low');
    assert.equal(lastState(mediator.s)?.recording.state ?? 'off', 'off');
    assert.equal(await server.testDb.db.recording.count({ where: { sessionId: session.id } }), 0);
    const entries = await server.testDb.db.timelineEntry.count({ where: { caseId: caseDetail.id, type: { startsWith: 'recording.' } } });
    assert.equal(entries, 0);
  });
});
