import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AgreementView, SigningView } from '../../server/protocol/agreement.ts';
import type { RecordView } from '../../server/protocol/mediationRecord.ts';
import { requestSchemas, type NotificationMap, type RequestName } from '../../server/protocol/signalling.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { enterRoom, type Member } from '../helpers/room.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';
import { tokenOf, withFilledFields } from './agreementHelpers.ts';

/*
 * The agreement and the mediation record reach the room over the signalling socket (no separate
 * stream): each participant is sent the views after room.join and on every change, the record as
 * that participant may see it; a resumed socket is sent what it missed. The signing page's socket
 * (handshake kind `signing`) is sent only its party's signing view and may send nothing.
 */

type Engine = { close(): void };
const engineOf = (s: TestSocket) => (s.socket.io as unknown as { engine: Engine }).engine;

type DocumentName = 'agreement.updated' | 'record.updated' | 'signing.updated';
const viewsOf = <N extends DocumentName>(s: TestSocket, name: N): Array<NotificationMap[N]['view']> =>
  s.notifications.filter((n) => n.name === name).map((n) => (n.data as NotificationMap[N]).view);

/** Waits for a view of `name` on `s` that passes `check`, and returns it. */
async function viewWhere<V>(s: TestSocket, name: DocumentName, check: (view: V) => boolean, what: string): Promise<V> {
  let found: V | undefined;
  await until(
    () => {
      found = (viewsOf(s, name) as V[]).findLast((v) => v !== null && check(v));
      return found !== undefined;
    },
    () => `${what}; seen ${viewsOf(s, name).length} ${name}`,
  );
  return found!;
}

describe('case documents over the signalling socket', () => {
  let server: FullServer;
  const sockets: TestSocket[] = [];
  let mediator: string;
  let sessionId: string;
  let parties: Array<{ id: string; name: string }>;
  let tokA: string;
  let tokB: string;
  let m: Member;
  let a: Member;
  let b: Member;
  let agreementId: string;
  const api = (method: string, p: string, token: string, body?: unknown) => server.api(method, p, { token, ...(body === undefined ? {} : { body }) });

  before(async () => {
    server = await startFullServer();
    const seated = await server.mediatorWithSession();
    mediator = seated.token;
    sessionId = seated.session.id;
    parties = seated.caseDetail.parties;
    tokA = (await server.invite(mediator, sessionId, { role: 'party', partyId: parties[0]!.id, displayName: parties[0]!.name })).token;
    tokB = (await server.invite(mediator, sessionId, { role: 'party', partyId: parties[1]!.id, displayName: parties[1]!.name })).token;
    m = await enterRoom(server.baseUrl, sockets, { kind: 'staff', token: mediator, sessionId });
    a = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: tokA }, { reconnection: true });
    b = await enterRoom(server.baseUrl, sockets, { kind: 'invitation', token: tokB });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  test('after room.join each participant is sent the views as they are (none yet)', async () => {
    for (const member of [m, a, b]) {
      await member.s.waitFor('agreement.updated');
      await member.s.waitFor('record.updated');
      assert.deepEqual(viewsOf(member.s, 'agreement.updated'), [null]);
      assert.deepEqual(viewsOf(member.s, 'record.updated'), [null]);
    }
  });

  test('every change of the agreement reaches everyone in the room, in order', async () => {
    const created = await api('POST', `/api/sessions/${sessionId}/agreement`, mediator, {});
    assert.equal(created.status, 201, JSON.stringify(created.body));
    agreementId = created.body.id;
    const content = withFilledFields(created.body.revision.content);
    const clauses = ['被申请人于2026年3月31日前支付劳动报酬人民币18000元。', '双方再无其他争议。'];
    const saved = await api('PUT', `/api/agreements/${agreementId}/draft`, mediator, { baseRevision: 1, content: { ...content, clauses } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    for (const member of [m, a, b]) {
      const seen = await viewWhere<AgreementView>(member.s, 'agreement.updated', (v) => v.revision.number === 2, 'revision 2');
      assert.deepEqual(seen.revision.content.clauses, clauses);
      const numbers = viewsOf(member.s, 'agreement.updated').map((v) => v?.revision.number ?? null);
      assert.deepEqual(
        numbers,
        [...numbers].sort((x, y) => (x ?? 0) - (y ?? 0)),
        'revisions arrive in order',
      );
    }
    const comment = await api('POST', `/api/agreements/${agreementId}/comments`, tokB, { revision: 2, clauseIndex: 0, text: '希望分两期支付。' });
    assert.equal(comment.status, 201, JSON.stringify(comment.body));
    const commented = await viewWhere<AgreementView>(a.s, 'agreement.updated', (v) => v.comments.length === 1, 'the comment');
    assert.equal(commented.comments[0]!.text, '希望分两期支付。');
  });

  test('the record reaches each participant as their own view', async () => {
    const created = await api('POST', `/api/sessions/${sessionId}/record`, mediator, {});
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const mine = await viewWhere<RecordView>(m.s, 'record.updated', (v) => v.id === created.body.id, 'the mediator’s record');
    assert.equal(mine.me.canEdit, true);
    for (const [member, party] of [
      [a, parties[0]!],
      [b, parties[1]!],
    ] as const) {
      const view = await viewWhere<RecordView>(member.s, 'record.updated', (v) => v.id === created.body.id, `${party.name}'s record`);
      assert.deepEqual(view.me, { canEdit: false, partyId: party.id, signatory: `party:${party.id}` });
      for (const seen of viewsOf(member.s, 'record.updated')) assert.ok(seen === null || seen.me.partyId === party.id, 'never another reader’s view');
    }
  });

  test('a resumed socket is sent what changed while it was away', async () => {
    const disconnected = new Promise<void>((resolve) => a.s.socket.once('disconnect', () => resolve()));
    engineOf(a.s).close();
    await disconnected;
    const reconnected = new Promise<void>((resolve) => a.s.socket.once('connect', () => resolve()));
    const current = (await api('GET', `/api/sessions/${sessionId}/agreement`, mediator)).body as AgreementView;
    const clauses = [...current.revision.content.clauses, '本协议自双方签字之日起生效。'];
    const saved = await api('PUT', `/api/agreements/${agreementId}/draft`, mediator, {
      baseRevision: current.revision.number,
      content: { ...current.revision.content, clauses },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    await reconnected;
    assert.equal((a.s.socket as unknown as { recovered: boolean }).recovered, true, 'the same socket session resumed');
    const seen = await viewWhere<AgreementView>(
      a.s,
      'agreement.updated',
      (v) => v.revision.number === saved.body.revision.number,
      'the revision saved meanwhile',
    );
    assert.deepEqual(seen.revision.content.clauses, clauses);
  });

  test('the signing page’s socket is sent only its party’s signing view, on connecting and on every change, and may send nothing', async () => {
    const current = (await api('GET', `/api/sessions/${sessionId}/agreement`, mediator)).body as AgreementView;
    const frozen = await api('POST', `/api/agreements/${agreementId}/freeze`, mediator, { revision: current.revision.number });
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    const links = await api('POST', `/api/agreements/${agreementId}/signing-links`, mediator);
    assert.equal(links.status, 201, JSON.stringify(links.body));
    const linkA = (links.body as Array<{ partyId: string; url: string }>).find((l) => l.partyId === parties[0]!.id)!;
    const signer = await connectSocket(server.baseUrl, { kind: 'signing', token: tokenOf(linkA.url) });
    sockets.push(signer);

    const first = await viewWhere<SigningView>(signer, 'signing.updated', () => true, 'the signing view on connecting');
    assert.equal(first.me.partyId, parties[0]!.id);
    assert.equal(first.canSign, true);
    assert.equal(first.agreement.status, 'signing');

    // The mediator revises the text: the page learns that it is no longer the one to sign.
    const revised = await api('PUT', `/api/agreements/${agreementId}/draft`, mediator, {
      baseRevision: current.revision.number,
      content: { ...current.revision.content, clauses: [...current.revision.content.clauses, '其他事项另行协商。'] },
    });
    assert.equal(revised.status, 200, JSON.stringify(revised.body));
    const after = await viewWhere<SigningView>(signer, 'signing.updated', (v) => v.agreement.status === 'drafting', 'the revised agreement');
    assert.equal(after.canSign, false);
    assert.equal(after.agreement.revision.number, revised.body.revision.number);
    assert.ok(
      signer.notifications.every((n) => n.name === 'signing.updated'),
      `only signing views: ${signer.notifications.map((n) => n.name).join(', ')}`,
    );
    for (const n of signer.notifications) assert.equal((n.data as { view: SigningView }).view.me.partyId, parties[0]!.id);

    for (const name of Object.keys(requestSchemas) as RequestName[]) {
      const result = await signer.send(name, {});
      assert.equal(result.ok, false, name);
      if (!result.ok) assert.equal(result.error.code, 'forbidden', `${name}: ${result.error.message}`);
    }
    assert.ok(signer.socket.connected, 'refused requests leave the socket as it was');
  });

  test('a party’s invitation opens a signing socket too; other tokens are refused at the handshake', async () => {
    const viaInvitation = await connectSocket(server.baseUrl, { kind: 'signing', token: tokB });
    sockets.push(viaInvitation);
    const view = await viewWhere<SigningView>(viaInvitation, 'signing.updated', () => true, 'the signing view');
    assert.equal(view.me.partyId, parties[1]!.id);

    const official = (await server.invite(mediator, sessionId, { role: 'official', displayName: '司法所 赵科长', department: '司法所' })).token;
    assert.equal((await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'signing', token: official }))).code, 'forbidden');
    assert.equal((await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'signing', token: mediator }))).code, 'forbidden');
    assert.equal((await handshakeRefusal(connectSocket(server.baseUrl, { kind: 'signing', token: 'sl_forged' }))).code, 'unauthenticated');
  });
});
