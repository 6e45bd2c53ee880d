import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AgreementView, SigningView } from '../../server/protocol/agreement.ts';
import type { NotificationMap } from '../../server/protocol/signalling.ts';
import { startClusterApps, type ClusterApps, type ClusterNode } from '../helpers/clusterApps.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';
import { tokenOf, withFilledFields } from './agreementHelpers.ts';

/*
 * Two nodes of one cluster: a change of the agreement made through one node reaches the room's
 * sockets on the node that holds the room, and a signing page's socket on the other node (it is
 * bound to no room), through the Redis bus. Always PostgreSQL (cluster mode refuses SQLite).
 */

let cluster: ClusterApps;
const sockets: TestSocket[] = [];

before(async () => {
  cluster = await startClusterApps(['node-a', 'node-b']);
});
after(async () => {
  for (const s of sockets) s.close();
  await cluster?.close();
});

const agreementViews = (s: TestSocket) =>
  s.notifications.filter((n) => n.name === 'agreement.updated').map((n) => (n.data as NotificationMap['agreement.updated']).view);
const signingViews = (s: TestSocket) =>
  s.notifications.filter((n) => n.name === 'signing.updated').map((n) => (n.data as NotificationMap['signing.updated']).view);

/** Connects to whichever node holds the session's room (following `wrong_node`), and joins it. */
async function enterOnOwner(nodes: ClusterNode[], auth: Parameters<typeof connectSocket>[1]): Promise<{ s: TestSocket; node: ClusterNode }> {
  for (const node of nodes) {
    try {
      const s = await connectSocket(node.baseUrl, auth);
      sockets.push(s);
      const { rtpCapabilities } = await s.request('room.getRouterRtpCapabilities', {});
      await s.request('room.join', { rtpCapabilities });
      return { s, node };
    } catch (error) {
      if ((error as { wire?: { code?: string } }).wire?.code !== 'wrong_node') throw error;
    }
  }
  throw new Error('no node took the room');
}

describe('case documents across the nodes of a cluster', () => {
  test('a change made through either node reaches the room on its node and the signing socket on the other', async () => {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const { token, session, caseDetail } = await a.mediatorWithSession();
    const [pa] = caseDetail.parties;
    const invitation = await a.invite(token, session.id, { role: 'party', partyId: pa!.id, displayName: pa!.name });
    const mediator = await enterOnOwner([a, b], { kind: 'staff', token, sessionId: session.id });
    const party = await enterOnOwner([mediator.node], { kind: 'invitation', token: invitation.token });
    const other = mediator.node === a ? b : a;

    // Drafted through the node that does not hold the room.
    const created = await other.api('POST', `/api/sessions/${session.id}/agreement`, { token, body: {} });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const agreementId = created.body.id as string;
    await until(() => agreementViews(party.s).some((v) => v?.id === agreementId), 'the party hears of the draft made on the other node');

    const content = withFilledFields(created.body.revision.content);
    const saved = await other.api('PUT', `/api/agreements/${agreementId}/draft`, { token, body: { baseRevision: 1, content } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const frozen = await mediator.node.api('POST', `/api/agreements/${agreementId}/freeze`, { token, body: { revision: saved.body.revision.number } });
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    const links = await mediator.node.api('POST', `/api/agreements/${agreementId}/signing-links`, { token });
    const link = (links.body as Array<{ partyId: string; url: string }>).find((l) => l.partyId === pa!.id)!;

    // The signing page's socket lives on the node without the room; the text is revised on the room's node.
    const signer = await connectSocket(other.baseUrl, { kind: 'signing', token: tokenOf(link.url) });
    sockets.push(signer);
    await until(() => signingViews(signer).some((v: SigningView) => v.canSign), 'the signing view on connecting');
    const revised = await mediator.node.api('PUT', `/api/agreements/${agreementId}/draft`, {
      token,
      body: { baseRevision: saved.body.revision.number, content: { ...content, clauses: [...content.clauses, '其他事项另行协商。'] } },
    });
    assert.equal(revised.status, 200, JSON.stringify(revised.body));
    await until(
      () => signingViews(signer).some((v) => v.agreement.revision.number === revised.body.revision.number && !v.canSign),
      'the signing socket on the other node hears of the revision',
    );
    await until(() => agreementViews(party.s).some((v: AgreementView | null) => v?.revision.number === revised.body.revision.number), 'and the room');
  });
});
