import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RedisSessionMemory } from '../../server/cluster/SessionMemory.ts';
import { startClusterApps, type ClusterApps, type ClusterNode } from '../helpers/clusterApps.ts';
import { enterRoom, lastState, stateWhere, type Member } from '../helpers/room.ts';
import { connectSocket, handshakeRefusal, type TestSocket } from '../helpers/socketClient.ts';

/*
 * Two nodes in cluster mode on one PostgreSQL and one Redis (real servers in this process): each
 * session's room lives on one node, a handshake on the other is sent there (`wrong_node`), HTTP
 * actions on either node reach the room, and when the owner goes the other takes the room over.
 */

type Auth = Parameters<typeof connectSocket>[1];

describe('several nodes: placement, routing, cross-node actions, failover', () => {
  let cluster: ClusterApps;
  const sockets: TestSocket[] = [];

  before(async () => {
    cluster = await startClusterApps(['a', 'b']);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  const other = (id: string): ClusterNode => cluster.nodes.find((n) => n.id !== id)!;
  const roomsOn = async (n: ClusterNode) => ((await n.api('GET', '/api/health')).body as { rooms: number }).rooms;

  /** Enters through `first`, following a `wrong_node` refusal to the node it names, as the browser client does. */
  async function enterVia(first: ClusterNode, auth: Auth): Promise<{ member: Member; node: ClusterNode; redirectedFrom: string | null }> {
    try {
      return { member: await enterRoom(first.baseUrl, sockets, auth), node: first, redirectedFrom: null };
    } catch (error) {
      const wire = (error as { wire?: { code: string; params?: { node?: string } } }).wire;
      if (wire?.code !== 'wrong_node' || !wire.params?.node) throw error;
      const owner = cluster.node(wire.params.node);
      return { member: await enterRoom(owner.baseUrl, sockets, auth), node: owner, redirectedFrom: first.id };
    }
  }

  async function seat() {
    const a = cluster.node('a');
    const { token, session } = await a.mediatorWithSession();
    const mediator = await enterVia(cluster.node('b'), { kind: 'staff', token, sessionId: session.id });
    const invitation = await a.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const owner = mediator.node;
    const party = await enterVia(other(owner.id), { kind: 'invitation', token: invitation.token });
    return { token, session, mediator, invitation, owner, party };
  }

  test('one room on one node: the second node sends the party to the owner, where admission works', async () => {
    const seated = await seat();
    const { mediator, party, owner } = seated;
    assert.equal(party.node.id, owner.id, 'the party lands on the owner');
    assert.equal(party.redirectedFrom, other(owner.id).id, 'after being sent there by the other node');
    const refusal = await handshakeRefusal(connectSocket(other(owner.id).baseUrl, { kind: 'staff', token: 'x', sessionId: 'y' }));
    assert.equal(refusal.code, 'unauthenticated', 'a bad token is refused before any placement');
    await stateWhere(party.member.s, (st) => st.self.place === 'lobby', 'the party waits for the mediator');
    await mediator.member.s.request('lobby.admit', { peerId: party.member.id });
    await stateWhere(party.member.s, (st) => st.self.place === 'main', 'the party is admitted');
    assert.equal(await roomsOn(other(owner.id)), 0, 'no room on the other node');
    assert.ok((await roomsOn(owner)) >= 1);
    // The HTTP API answers on either node: the other node asks the owner for the live state.
    const { token, session } = seated;
    const media = await other(owner.id).api('GET', `/api/sessions/${session.id}/media`, { token });
    assert.equal(media.status, 200);
    assert.equal(media.body.live, true);
    assert.equal(media.body.peers.length, 2);
  });

  test('revoking and ending through the node that does not hold the room reach the room', async () => {
    const { token, session, mediator, party, owner, invitation } = await seat();
    const far = other(owner.id);
    const revoked = await far.api('POST', `/api/invitations/${invitation.id}/revoke`, { token });
    assert.equal(revoked.status, 200);
    const closed = await party.member.s.waitFor('room.closed', 5000);
    assert.equal(closed.data.reason, 'removed');
    const ended = await far.api('POST', `/api/sessions/${session.id}/end`, { token });
    assert.equal(ended.status, 200);
    const end = await mediator.member.s.waitFor('room.closed', 5000);
    assert.equal(end.data.reason, 'ended');
  });

  test("signing out on one node drops the mediator's socket on the other", async () => {
    const { token, mediator, owner } = await seat();
    const far = other(owner.id);
    assert.equal((await far.api('POST', '/api/auth/logout', { token })).status, 204);
    const closed = await mediator.member.s.waitFor('room.closed', 5000);
    assert.equal(closed.data.reason, 'logged_out');
  });

  test('the owner stops: the other node takes the room over, the admitted come back admitted, the removed stay out, the mediator keeps the lead', async () => {
    const { token, session, mediator, party, owner } = await seat();
    const second = await owner.invite(token, session.id, { role: 'party', displayName: '某公司', side: 'respondent' });
    const removedParty = await enterVia(owner, { kind: 'invitation', token: second.token });
    await mediator.member.s.request('lobby.admitAll', {});
    await stateWhere(party.member.s, (st) => st.self.place === 'main', 'party admitted');
    await mediator.member.s.request('participant.remove', { peerId: removedParty.member.id });
    await removedParty.member.s.waitFor('room.closed');
    assert.equal(lastState(mediator.member.s)?.self.lead, true);

    await cluster.stopNode(owner.id);
    const survivor = other(owner.id);
    // Everyone reconnects: the handshake lands on the survivor, which holds the room now.
    const back = await enterVia(survivor, { kind: 'staff', token, sessionId: session.id });
    assert.equal(back.node.id, survivor.id);
    const partyBack = await enterVia(survivor, { kind: 'invitation', token: (party.member.s.socket.auth as { token: string }).token });
    await stateWhere(partyBack.member.s, (st) => st.self.place === 'main', 'the admitted party is back in the joint session without waiting');
    await stateWhere(back.member.s, (st) => st.self.lead, 'the mediator still leads');
    // The removal revoked the invitation (the database says so) and is remembered in Redis for
    // the session (the room that takes over refuses the identity whatever login it comes with).
    const refusal = await handshakeRefusal(connectSocket(survivor.baseUrl, { kind: 'invitation', token: second.token }));
    assert.equal(refusal.code, 'unauthenticated');
    const memory = new RedisSessionMemory(survivor.app.redis!);
    assert.deepEqual((await memory.load(session.id)).removed, [`invitation:${second.id}`]);
    const timeline = await survivor.api('GET', `/api/cases/${(await survivor.api('GET', `/api/sessions/${session.id}`, { token })).body.caseId}/timeline`, {
      token,
    });
    const reasons = (timeline.body as Array<{ type: string; data: { reason?: string } }>).filter((e) => e.type === 'session.left').map((e) => e.data.reason);
    assert.ok(reasons.includes('node_failed') || reasons.includes('server_restarted'), `the timeline shows the move: ${reasons.join(', ')}`);
    const media = await survivor.api('GET', `/api/sessions/${session.id}/media`, { token });
    assert.equal(media.body.live, true, 'the room lives on the survivor');
  });
});
