import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InvitationPreview, MediationSessionInfo } from '../../server/protocol/api.ts';
import type { StartHearingResponse } from '../../server/protocol/hearing.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { submittedApplication } from '../helpers/judicialFlow.ts';
import { createApplication, createCourt, judgeOf, startHearing, tokenOfLink } from '../helpers/judicialHearing.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';

/*
 * The judge's hearing of a judicial confirmation application: a session of the application's case,
 * started by a judge of the court holding the application, hosted by them in the room; nobody else
 * starts it, hosts it, invites to it or ends it, and the judge never enters the case's mediation.
 */
describe('judicial confirmation hearing', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  const track = (s: TestSocket) => (sockets.push(s), s);
  let mediator: Awaited<ReturnType<FullServer['mediatorWithSession']>>;
  let judge: { id: string; token: string };
  let otherJudge: { id: string; token: string };
  let submitted: string;
  let decided: string;
  let hearing: MediationSessionInfo;

  before(async () => {
    server = await startFullServer();
    const db = server.testDb.db;
    const court = await createCourt(db, '示范区人民法院');
    const otherCourt = await createCourt(db, '邻区人民法院');
    judge = await judgeOf(server, db, 'judge-a', court);
    otherJudge = await judgeOf(server, db, 'judge-b', otherCourt, '李法官');
    mediator = await server.mediatorWithSession();
    const createdById = mediator.caseDetail.leadMediator!.id;
    submitted = await createApplication(db, { caseId: mediator.caseDetail.id, courtUnitId: court, createdById, status: 'submitted' });
    const second = await server.mediatorWithSession({ title: '买卖合同纠纷' });
    decided = await createApplication(db, { caseId: second.caseDetail.id, courtUnitId: court, createdById, status: 'confirmed' });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('a judge of another court and a mediator cannot start it', async () => {
    const other = await startHearing(server, otherJudge.token, submitted);
    assert.equal(other.status, 403);
    assert.equal((other.body as unknown as { details?: { action?: string } }).details?.action, 'judicial.hearing');
    const byMediator = await startHearing(server, mediator.token, submitted);
    assert.equal(byMediator.status, 403);
    const unknown = await startHearing(server, judge.token, 'no-such-application');
    assert.equal(unknown.status, 404);
  });

  test('a decided application has no hearing', async () => {
    const res = await startHearing(server, judge.token, decided);
    assert.equal(res.status, 409);
    assert.equal((res.body as unknown as { reason?: string }).reason, 'judicial_hearing_not_submitted');
  });

  test('the judge of the holding court starts it: a hearing session of the case, a link per party, on the timeline', async () => {
    const res = await startHearing(server, judge.token, submitted);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    hearing = res.body.session;
    assert.equal(hearing.kind, 'hearing');
    assert.equal(hearing.judicialApplicationId, submitted);
    assert.equal(hearing.caseId, mediator.caseDetail.id);
    assert.notEqual(hearing.id, mediator.session.id, 'not the mediation session');
    assert.deepEqual(
      res.body.invitations.map((i) => [i.role, i.side, i.displayName]),
      [
        ['party', 'applicant', '张三'],
        ['party', 'respondent', '某某建筑公司'],
      ],
    );
    for (const i of res.body.invitations) assert.match(i.url ?? '', /\/join#t=/);

    const again = await startHearing(server, judge.token, submitted);
    assert.equal(again.status, 200);
    assert.equal(again.body.reused, true);
    assert.equal(again.body.session.id, hearing.id, 'the open hearing, not a second one');

    // The mediator's session start still finds the mediation, never the hearing.
    const mediation = await server.api<MediationSessionInfo>('POST', `/api/cases/${mediator.caseDetail.id}/sessions`, { token: mediator.token });
    assert.equal(mediation.body.id, mediator.session.id);
    assert.equal(mediation.body.kind, 'mediation');
    const detail = await server.api<{ activeSessionId: string | null }>('GET', `/api/cases/${mediator.caseDetail.id}`, { token: mediator.token });
    assert.equal(detail.body.activeSessionId, mediator.session.id, "the case's active session is its mediation");

    const timeline = await server.api<Array<{ type: string; data: Record<string, unknown> }>>('GET', `/api/cases/${mediator.caseDetail.id}/timeline`, {
      token: judge.token,
    });
    const started = timeline.body.filter((e) => e.type === 'judicial.hearing_started');
    assert.equal(started.length, 1);
    assert.equal(started[0]!.data.sessionId, hearing.id);
    assert.equal(started[0]!.data.applicationId, submitted);
  });

  test('in the room the judge hosts; the parties wait to be admitted as in any session', async () => {
    const host = track(await connectSocket(server.baseUrl, { kind: 'staff', token: judge.token, sessionId: hearing.id }));
    const { rtpCapabilities } = await host.request('room.getRouterRtpCapabilities', {});
    const joined = await host.request('room.join', { rtpCapabilities });
    assert.equal(joined.self.role, 'judge');

    const res = await startHearing(server, judge.token, submitted);
    const partyToken = tokenOfLink(res.body.invitations[0]!.url!);
    // The party's phone learns it is a hearing, run by the judge of the court.
    const preview = await server.api<InvitationPreview>('GET', '/api/invitation', { token: partyToken });
    assert.equal(preview.body.kind, 'hearing');
    assert.deepEqual([preview.body.contact.mediatorName, preview.body.contact.centreName], ['陈法官', '示范区人民法院']);
    const party = track(await connectSocket(server.baseUrl, { kind: 'invitation', token: partyToken }));
    const waiting = await party.request('room.join', { rtpCapabilities });
    assert.equal(waiting.self.role, 'party');
    assert.equal(waiting.state.self.place, 'lobby');
    assert.equal(waiting.state.self.lead, false);
    assert.equal(joined.state.self.lead, true, 'the judge leads the room');
    await host.request('lobby.admit', { peerId: waiting.self.id });
    await until(() => party.notifications.some((n) => n.name === 'room.state' && n.data.self.place === 'main'), 'the party is admitted');
    const media = await server.api<{ peers: Array<{ role: string }> }>('GET', `/api/sessions/${hearing.id}/media`, { token: judge.token });
    assert.deepEqual(media.body.peers.map((p) => p.role).sort(), ['judge', 'party']);
  });

  test('the judge never enters the mediation; the mediator and the other court never enter the hearing', async () => {
    const intoMediation = await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'staff', token: judge.token, sessionId: mediator.session.id }));
    assert.equal(intoMediation.code, 'forbidden');
    assert.equal(intoMediation.details?.action, 'session.enter');
    const mediatorIn = await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'staff', token: mediator.token, sessionId: hearing.id }));
    assert.equal(mediatorIn.code, 'forbidden');
    assert.equal(mediatorIn.details?.action, 'judicial.hearing');
    const otherIn = await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'staff', token: otherJudge.token, sessionId: hearing.id }));
    assert.equal(otherIn.code, 'forbidden');

    // Nor do they invite to or end the other's session.
    const judgeInvites = await server.api('POST', `/api/sessions/${mediator.session.id}/invitations`, {
      token: judge.token,
      body: { role: 'party', side: 'applicant', displayName: '张三' },
    });
    assert.equal(judgeInvites.status, 403);
    const mediatorInvites = await server.api('POST', `/api/sessions/${hearing.id}/invitations`, {
      token: mediator.token,
      body: { role: 'party', side: 'applicant', displayName: '张三' },
    });
    assert.equal(mediatorInvites.status, 403);
    assert.equal((await server.api('POST', `/api/sessions/${hearing.id}/end`, { token: mediator.token })).status, 403);
    assert.equal((await server.api('POST', `/api/sessions/${mediator.session.id}/end`, { token: judge.token })).status, 403);
    assert.equal((await server.api('POST', `/api/sessions/${hearing.id}/end`, { token: otherJudge.token })).status, 403);
  });

  test('the judge ends it: on the timeline, and the mediation stays open', async () => {
    const ended = await server.api<MediationSessionInfo>('POST', `/api/sessions/${hearing.id}/end`, { token: judge.token });
    assert.equal(ended.status, 200);
    assert.equal(ended.body.status, 'ended');
    const timeline = await server.api<Array<{ type: string; data: Record<string, unknown> }>>('GET', `/api/cases/${mediator.caseDetail.id}/timeline`, {
      token: judge.token,
    });
    const types = timeline.body.map((e) => e.type);
    assert.ok(types.includes('judicial.hearing_ended'));
    assert.ok(!types.includes('session.ended'), 'the mediation did not end');
    const end = timeline.body.find((e) => e.type === 'judicial.hearing_ended')!;
    assert.equal(end.data.sessionId, hearing.id);
    assert.equal(end.data.applicationId, submitted);
    const mediation = await server.api<MediationSessionInfo>('GET', `/api/sessions/${mediator.session.id}`, { token: mediator.token });
    assert.equal(mediation.body.status, 'open');

    // A new hearing may be held while the application is still submitted.
    const next = await startHearing(server, judge.token, submitted);
    assert.equal(next.status, 201);
    assert.notEqual(next.body.session.id, hearing.id);
  });
});

describe('judicial confirmation hearing on an application submitted through the routes', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  test('the judge holds a hearing while the application awaits the decision; the decision ends it, and none starts after it', async () => {
    await t.createUser('med-flow', 'mediator', undefined, { displayName: '王调解员' });
    const mediator = (await t.login('med-flow')).token;
    const court = await createCourt(t.testDb.db, '示范区人民法院');
    const judgeId = await t.createUser('judge-flow', 'judge', undefined, { displayName: '陈法官' });
    await t.testDb.db.user.update({ where: { id: judgeId }, data: { unitId: court } });
    const judge = (await t.login('judge-flow')).token;

    const { caseId, applicationId } = await submittedApplication(t, mediator, court);
    const started = await t.request('POST', `/api/judicial/applications/${applicationId}/hearings`, { token: judge });
    assert.equal(started.status, 201, started.text);
    const hearing = (started.body as StartHearingResponse).session;
    assert.equal((started.body as StartHearingResponse).invitations.length, 2);

    const decided = await t.request('POST', `/api/judicial/applications/${applicationId}/decision`, {
      token: judge,
      body: { decision: 'confirmed', reasons: '' },
    });
    assert.equal(decided.status, 200, decided.text);
    // The decision ends the hearing still open, and its room closes.
    assert.equal(((await t.request('GET', `/api/sessions/${hearing.id}`, { token: judge })).body as MediationSessionInfo).status, 'ended');
    assert.deepEqual(t.hookCalls.sessionEnded, [hearing.id]);
    const after = await t.request('POST', `/api/judicial/applications/${applicationId}/hearings`, { token: judge });
    assert.equal(after.status, 409);
    assert.equal((after.body as { reason?: string }).reason, 'judicial_hearing_not_submitted');

    const types = ((await t.request('GET', `/api/cases/${caseId}/timeline`, { token: judge })).body as Array<{ type: string }>).map((e) => e.type);
    const order = ['judicial.submitted', 'judicial.hearing_started', 'judicial.decided', 'judicial.hearing_ended'].map((type) => types.indexOf(type));
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)),
      `in order: ${types.join(', ')}`,
    );
  });
});
