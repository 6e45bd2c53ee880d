import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionChatEntry } from '../../server/protocol/api.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { opusParameters, vp8Parameters } from '../helpers/rtp.ts';
import { enterRoom, lastState, seatRoom, stateWhere, until, type Member } from '../helpers/room.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';

/*
 * Screen sharing, simulcast layer requests, the lead mediator hand-over (with a short grace
 * period from LEAD_GRACE_MS) and the saved room chat read back over HTTP.
 */

const GRACE_MS = 700;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('room media: screen share, layers, lead hand-over, chat record', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    server = await startFullServer({ env: { LEAD_GRACE_MS: String(GRACE_MS) } });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  const enter = (auth: Parameters<typeof connectSocket>[1]): Promise<Member> => enterRoom(server.baseUrl, sockets, auth);

  /** A mediator and two admitted parties. */
  async function room() {
    const { token, session, caseDetail, mediator, a, b } = await seatRoom(server, enter);
    assert.equal((await mediator.s.request('lobby.admitAll', {})).admitted, 2);
    const media = async () =>
      (await server.api('GET', `/api/sessions/${session.id}/media`, { token })).body as import('../../server/protocol/api.ts').SessionMediaState;
    return { token, session, caseDetail, mediator, a, b, media };
  }

  let staffUsers = 0;
  async function staffLogin(role: 'mediator' | 'supervisor' | 'official' | 'admin'): Promise<string> {
    const username = `${role}-rm-${++staffUsers}`;
    await server.createUser(username, role, { displayName: `${role}${staffUsers}` });
    return (await server.login(username)).token;
  }

  test('screen sharing: the mediator shares and a party receives a screen producer; a party only when allowed', async () => {
    const { mediator, a, b } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    const mark = a.s.notifications.length;
    const { producerId } = await mediator.s.request('producer.create', { transportId: send, kind: 'video', source: 'screen', rtpParameters: vp8Parameters() });
    await until(
      () => a.s.notifications.slice(mark).some((n) => n.name === 'producer.added' && n.data.producer.id === producerId && n.data.producer.source === 'screen'),
      'party told about the screen producer',
    );
    const consumer = await a.s.request('consumer.create', { transportId: a.recvId, producerId });
    assert.equal(consumer.source, 'screen');
    assert.equal(consumer.kind, 'video');

    // A party may not share until the mediator allows it.
    const aSend = (await a.s.request('transport.create', { direction: 'send' })).id;
    const refused = await a.s.send('producer.create', { transportId: aSend, kind: 'video', source: 'screen', rtpParameters: vp8Parameters() });
    assert.ok(!refused.ok && refused.error.code === 'forbidden', 'party screen share refused');
    assert.ok(!b.s.notifications.some((n) => n.name === 'producer.added' && n.data.producer.peerId === a.id && n.data.producer.source === 'screen'));

    await mediator.s.request('participant.setRights', { peerId: a.id, share: true });
    await stateWhere(a.s, (st) => st.self.canShare, 'party told it may share');
    const shared = await a.s.request('producer.create', { transportId: aSend, kind: 'video', source: 'screen', rtpParameters: vp8Parameters() });
    await until(() => b.s.notifications.some((n) => n.name === 'producer.added' && n.data.producer.id === shared.producerId), 'the other party sees it');
    // Revoking closes it on the server and tells the party.
    await mediator.s.request('participant.setRights', { peerId: a.id, share: false });
    assert.deepEqual((await a.s.waitFor('self.muted')).data, { source: 'screen', reason: 'rights_revoked' });
    await until(() => b.s.notifications.some((n) => n.name === 'producer.removed' && n.data.producerId === shared.producerId), 'screen producer removed');
  });

  test('consumer.setPreferredLayers changes the server consumer of a simulcast stream (media-state route)', async () => {
    const { mediator, a, media } = await room();
    const send = (await mediator.s.request('transport.create', { direction: 'send' })).id;
    const simulcast = { ...vp8Parameters(), encodings: [{ ssrc: 910_001 }, { ssrc: 910_002 }] };
    const { producerId } = await mediator.s.request('producer.create', { transportId: send, kind: 'video', source: 'webcam', rtpParameters: simulcast });
    const consumer = await a.s.request('consumer.create', { transportId: a.recvId, producerId });
    const layerOf = async () => (await media()).peers.find((p) => p.peerId === a.id)!.consumers.find((c) => c.id === consumer.id)!.preferredSpatialLayer;
    assert.equal(await layerOf(), 1, 'the best layer by default');
    await a.s.request('consumer.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 0 });
    assert.equal(await layerOf(), 0);
    await a.s.request('consumer.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 1 });
    assert.equal(await layerOf(), 1);
  });

  test('lead hand-over: after the grace period a second mediator present becomes lead', async () => {
    const { token, session, caseDetail, mediator, a } = await room();
    assert.ok((await stateWhere(mediator.s, (st) => st.self.lead, 'first mediator leads')).self.lead);
    // Only a mediator responsible for the case enters its room: the centre hands the case over mid-session.
    const secondId = await server.createUser(`mediator-rm-${++staffUsers}`, 'mediator', { displayName: '接手调解员' });
    const secondToken = (await server.login(`mediator-rm-${staffUsers}`)).token;
    const supervisor = await staffLogin('supervisor');
    const act = async (action: string, body: unknown) => {
      const res = await server.api('POST', `/api/cases/${caseDetail.id}/actions/${action}`, { token: supervisor, body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    // A walk-in case is in mediation once its session started: the centre reassigns it.
    await act('reassign', { mediatorId: secondId, reason: '原调解员另有任务' });
    const second = await enter({ kind: 'staff', token: secondToken, sessionId: session.id });
    await stateWhere(second.s, (st) => !st.self.lead && !st.paused, 'second mediator is not lead');

    const dropped = Date.now();
    mediator.s.close();
    await stateWhere(a.s, (st) => st.paused, 'party sees the pause');
    await stateWhere(second.s, (st) => st.paused && !st.self.lead, 'second mediator paused, not lead yet');
    // Within the grace period nobody is admitted and no caucus starts.
    const admit = await second.s.send('caucus.start', { peerIds: [a.id] });
    assert.ok(!admit.ok && admit.error.code === 'conflict', 'paused during the grace period');

    const taken = await stateWhere(second.s, (st) => st.self.lead && !st.paused, 'second mediator takes the lead', GRACE_MS + 3000);
    assert.ok(Date.now() - dropped >= GRACE_MS - 50, 'not before the grace period');
    assert.ok(taken.roster.find((p) => p.peerId === second.id)?.lead);
    await stateWhere(a.s, (st) => !st.paused, 'party no longer paused');
    await second.s.request('caucus.start', { peerIds: [a.id] });
    await second.s.request('caucus.end', {});

    // The first mediator handed the case over: they no longer enter its room; the new lead keeps the lead.
    const back = await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'staff', token, sessionId: session.id }));
    assert.equal(back.code, 'forbidden');
    await sleep(50);
    assert.ok(lastState(second.s)!.self.lead, 'the new lead keeps the lead');
  });

  test('lead drop without another mediator: paused past the grace period, resumes when the lead returns', async () => {
    const { token, session, mediator, a } = await room();
    await stateWhere(mediator.s, (st) => st.self.lead, 'lead');
    mediator.s.close();
    await stateWhere(a.s, (st) => st.paused, 'party sees the pause');
    await sleep(GRACE_MS * 2);
    assert.equal(lastState(a.s)!.paused, true, 'still paused after the grace period');
    assert.equal(server.app.rooms.get(session.id)!.paused, true);
    const back = await enter({ kind: 'staff', token, sessionId: session.id });
    await stateWhere(back.s, (st) => st.self.lead && !st.paused, 'lead again, not paused');
    await stateWhere(a.s, (st) => !st.paused, 'party sees the session resume');
    await back.s.request('caucus.start', { peerIds: [a.id] });
  });

  test('GET /api/sessions/:id/chat: saved messages with who, role, scope and time; staff only', async () => {
    const { token, session, mediator, a, b } = await room();
    const bSend = (await b.s.request('transport.create', { direction: 'send' })).id;
    await b.s.request('producer.create', { transportId: bSend, kind: 'audio', source: 'mic', rtpParameters: opusParameters() });
    await a.s.request('chat.send', { text: '大家好' });
    await mediator.s.request('chat.send', { text: '单独说一句', to: a.id });
    await mediator.s.request('caucus.start', { peerIds: [b.id] });
    await b.s.request('chat.send', { text: '背对背里说的话' });
    await mediator.s.request('caucus.end', {});
    await until(async () => (await server.testDb.db.chatMessage.count({ where: { sessionId: session.id } })) === 3, 'chat saved');

    const res = await server.api<SessionChatEntry[]>('GET', `/api/sessions/${session.id}/chat`, { token });
    assert.equal(res.status, 200);
    const [all, priv, caucus] = res.body;
    assert.equal(res.body.length, 3);
    assert.deepEqual(
      { who: all!.fromName, role: all!.fromRole, side: all!.fromSide, scope: all!.scope, text: all!.text, to: all!.toName },
      { who: '张三', role: 'party', side: 'applicant', scope: 'all', text: '大家好', to: null },
    );
    assert.equal(priv!.scope, 'private');
    assert.equal(priv!.fromRole, 'mediator');
    assert.equal(priv!.toName, '张三', 'private messages name their recipient');
    assert.deepEqual([caucus!.scope, caucus!.fromName, caucus!.fromSide, caucus!.text], ['caucus', '某公司', 'respondent', '背对背里说的话']);
    for (const m of res.body) assert.ok(!Number.isNaN(Date.parse(m.at)));
    assert.ok(Date.parse(all!.at) <= Date.parse(priv!.at) && Date.parse(priv!.at) <= Date.parse(caucus!.at), 'oldest first');

    assert.equal((await server.api('GET', `/api/sessions/${session.id}/chat`, { token: await staffLogin('supervisor') })).status, 200);
    assert.equal(
      (await server.api('GET', `/api/sessions/${session.id}/chat`, { token: await staffLogin('admin') })).status,
      403,
      'an admin configures; the room chat is the case steward’s',
    );
    assert.equal((await server.api('GET', `/api/sessions/${session.id}/chat`, { token: await staffLogin('official') })).status, 403);
    assert.equal((await server.api('GET', `/api/sessions/${session.id}/chat`, { token: await staffLogin('mediator') })).status, 403, 'another mediator');
    assert.equal((await server.api('GET', `/api/sessions/${session.id}/chat`)).status, 401);
    assert.equal((await server.api('GET', `/api/sessions/nope/chat`, { token })).status, 404);
  });
});
