import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { JudicialUpdate } from '../../server/protocol/judicial.ts';
import { requestSchemas, type RequestName } from '../../server/protocol/signalling.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { enterRoom, type Member } from '../helpers/room.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';
import { codeIn, signatureDataUrl, tokenOf, withFilledFields } from './agreementHelpers.ts';

/*
 * `judicial.updated` over the real signalling server: the room is sent the case's applications
 * (after joining and on every change), the party's judicial page socket (handshake kind
 * `judicial`) only that party's view, and may send nothing.
 */

let server: FullServer;
const sockets: TestSocket[] = [];
let mediator: string;
let m: Member;
let caseId: string;
let courtId: string;
let parties: Array<{ id: string; name: string; phone: string }>;

const updates = (s: TestSocket): JudicialUpdate[] => s.notifications.filter((n) => n.name === 'judicial.updated').map((n) => n.data as JudicialUpdate);

async function updateWhere(s: TestSocket, check: (u: JudicialUpdate) => boolean, what: string): Promise<JudicialUpdate> {
  await until(
    () => updates(s).some(check),
    () => `${what}; seen ${JSON.stringify(updates(s).map((u) => u.kind))}`,
  );
  return updates(s).findLast(check)!;
}

async function ok(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await server.api(method, path, { token, ...(body === undefined ? {} : { body }) });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

before(async () => {
  server = await startFullServer();
  const seated = await server.mediatorWithSession();
  mediator = seated.token;
  caseId = seated.caseDetail.id;
  const sessionId = seated.session.id;
  parties = (await server.testDb.db.party.findMany({ where: { caseId }, orderBy: { position: 'asc' } })).map((p) => ({
    id: p.id,
    name: p.name,
    phone: p.phone,
  }));
  await server.createUser('adm', 'admin');
  const admin = (await server.login('adm')).token;
  courtId = (await ok('POST', '/api/admin/units', admin, { name: '示范区人民法院', kind: 'court', level: 'county' })).id;

  // The agreement, sealed: drafted, frozen, signed by both parties on their links and by the mediator.
  const draft = await ok('POST', `/api/sessions/${sessionId}/agreement`, mediator, {});
  const saved = await ok('PUT', `/api/agreements/${draft.id}/draft`, mediator, {
    baseRevision: draft.revision.number,
    content: withFilledFields(draft.revision.content),
  });
  const hash = (await ok('POST', `/api/agreements/${draft.id}/freeze`, mediator, { revision: saved.revision.number })).frozen.hash;
  const links = (await ok('POST', `/api/agreements/${draft.id}/signing-links`, mediator)) as Array<{ partyId: string; url: string }>;
  for (const [i, p] of parties.entries()) {
    const token = tokenOf(links.find((l) => l.partyId === p.id)!.url);
    await ok('POST', '/api/signing/otp', token, { partyId: p.id, revisionHash: hash });
    const code = codeIn(await lastSms(server.testDb, p.phone));
    await ok('POST', '/api/signing/sign', token, {
      partyId: p.id,
      revisionHash: hash,
      consent: true,
      consentLang: 'zh-CN',
      code,
      signaturePng: signatureDataUrl(300 + i),
    });
  }
  const sealed = await ok('POST', `/api/agreements/${draft.id}/sign`, mediator, {
    as: 'mediator',
    revisionHash: hash,
    consent: true,
    consentLang: 'zh-CN',
    signaturePng: signatureDataUrl(310),
  });
  assert.equal(sealed.status, 'sealed');
  m = await enterRoom(server.baseUrl, sockets, { kind: 'staff', token: mediator, sessionId });
});
after(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

test('the room is sent the case’s applications; the party’s page socket only its own view, on connecting and on every change', async () => {
  const none = await updateWhere(m.s, (u) => u.kind === 'case', 'the case view after joining');
  assert.ok(none.kind === 'case' && none.view.applications.length === 0 && none.view.canApply);

  const started = await ok('POST', `/api/cases/${caseId}/judicial`, mediator, { courtUnitId: courtId });
  await updateWhere(m.s, (u) => u.kind === 'case' && u.view.applications[0]?.status === 'collecting', 'the application in the room');

  const [linkA] = started.links as Array<{ url: string }>;
  const tokenA = tokenOf(linkA!.url);
  const page = await connectSocket(server.baseUrl, { kind: 'judicial', token: tokenA });
  sockets.push(page);
  const first = await updateWhere(page, (u) => u.kind === 'party', 'the party view on connecting');
  assert.ok(first.kind === 'party' && first.view.me.partyId === parties[0]!.id && first.view.canConfirm);

  await ok('POST', '/api/judicial/apply/otp', tokenA, {});
  const code = codeIn(await lastSms(server.testDb, parties[0]!.phone));
  await ok('POST', '/api/judicial/apply/confirm', tokenA, { consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(320) });
  const mine = await updateWhere(page, (u) => u.kind === 'party' && u.view.myConfirmation.status === 'confirmed', 'the confirmation on the phone page');
  assert.ok(mine.kind === 'party' && !mine.view.canConfirm);
  await updateWhere(m.s, (u) => u.kind === 'case' && u.view.applications[0]?.parties[0]?.status === 'confirmed', 'the confirmation in the room');

  assert.ok(
    page.notifications.every((n) => n.name === 'judicial.updated' && (n.data as JudicialUpdate).kind === 'party'),
    `only the party's views: ${page.notifications.map((n) => n.name).join(', ')}`,
  );
  for (const name of Object.keys(requestSchemas) as RequestName[]) {
    const result = await page.send(name, {});
    assert.equal(result.ok, false, name);
  }
  assert.equal((await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'judicial', token: 'jl_forged' }))).code, 'unauthenticated');
});
