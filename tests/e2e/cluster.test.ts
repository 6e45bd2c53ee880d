import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../helpers/browser.ts';
import { firstContactCookie, startClusterTopology, type ClusterTopology } from '../helpers/clusterTopology.ts';
import { serverHelpers, type ServerHelpers } from '../helpers/fullServer.ts';
import { mediaFlowing } from '../helpers/roomStats.ts';
import { roomPages, staffLogin } from '../helpers/roomPages.ts';
import { connectSocket, handshakeRefusal } from '../helpers/socketClient.ts';
import { openTestDb, type TestDb } from '../helpers/testDb.ts';
import { until } from '../helpers/wait.ts';

/*
 * Two nodes behind nginx, in Chromium: the mediator's first contact is node b, the party's node a
 * (the proxy's cm_node cookie); the session's room lives on one node and both pages meet there.
 * Then the owner is killed with SIGKILL mid-call: both pages come back by themselves in one room
 * on the other node and decode each other again; the removed party stays out; the timeline shows
 * the move.
 */

type CmState = { status: string; place: string | null };
const stateOf = (page: Page) => page.evaluate(() => (window as unknown as { __cm?: { getState(): CmState } }).__cm?.getState() ?? null);
const joined = (page: Page, ms = 60_000) =>
  page.waitForFunction(() => (window as unknown as { __cm?: { getState(): { status: string } } }).__cm?.getState().status === 'joined', null, { timeout: ms });

describe('several nodes behind one address, in Chromium', () => {
  let browser: Browser;
  let topology: ClusterTopology | undefined;
  let testDb: TestDb | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await testDb?.db.$disconnect();
    await topology?.stop();
  });

  const health = async (t: ClusterTopology, id: string) => (await (await fetch(`${t.node(id).baseUrl}/api/health`)).json()) as { rooms: number; peers: number };

  test(
    'mediator through node b, party through node a: one room on one node; kill -9 of its node: both back on the other, decoding',
    { timeout: 300_000 },
    async (t) => {
      const topo = (topology = await startClusterTopology());
      testDb = openTestDb(topo.dataDir, topo.databaseUrl);
      const s: ServerHelpers = serverHelpers(topo.proxyUrl, testDb);
      const pages = roomPages(browser, contexts, () => topo.proxyUrl);
      const via = (node: string) => async (page: Page) => page.context().addCookies([firstContactCookie(topo, node)]);

      const { token, session, caseDetail } = await s.mediatorWithSession();
      const inv = await s.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
      const other = await s.invite(token, session.id, { role: 'party', displayName: '某公司', side: 'respondent' });
      const m = await pages.mediatorPage(session.id, await staffLogin(s, token), { language: 'en', prepare: via('b') });
      const a = await pages.inviteePage(inv.url, true, via('a'));
      const r = await pages.inviteePage(other.url, true, via('a'));
      await a.page.getByTestId('lobby').waitFor();
      await r.page.getByTestId('lobby').waitFor();

      // One room, on one node: the placement put it on the least-loaded node, and whoever reached
      // the other node was sent on.
      const rooms = { a: (await health(topo, 'a')).rooms, b: (await health(topo, 'b')).rooms };
      assert.deepEqual(Object.values(rooms).sort(), [0, 1], `one room in the cluster: ${JSON.stringify(rooms)}`);
      const owner = rooms.a === 1 ? 'a' : 'b';
      const survivor = owner === 'a' ? 'b' : 'a';
      assert.equal((await health(topo, owner)).peers, 3, 'all three on the owner');

      await m.page.getByTestId('admit').first().click();
      await a.page.getByTestId('lobby').waitFor({ state: 'detached' });
      await mediaFlowing(m.page, 'the mediator receiving the party');
      await mediaFlowing(a.page, 'the party receiving the mediator');
      await screenshot(a.page, 'cluster-01-party-phone-zh');

      // The second party is removed for good: their invitation revoked through the proxy (either node).
      const revoked = await s.api('POST', `/api/invitations/${other.id}/revoke`, { token });
      assert.equal(revoked.status, 200);
      await r.page.getByTestId('lobby').waitFor({ state: 'detached', timeout: 20_000 });
      await until(
        async () => (await testDb!.db.sessionParticipation.count({ where: { sessionId: session.id, displayName: '某公司', leftAt: null } })) === 0,
        'the removal on the record',
        10_000,
      );

      // kill -9 of the node that holds the room.
      const killedAt = Date.now();
      await topo.kill(owner);
      /** The page says the room is moving (it was sent on by wrong_node) before it is back in; false if it got back first. */
      const sawMoving = (page: Page, text: string, shot: string) =>
        Promise.race([
          page
            .getByTestId('connection-status')
            .getByText(text)
            .waitFor({ timeout: 20_000 })
            .then(async () => (await screenshot(page, shot), true)),
          joined(page, 20_000).then(() => false),
        ]).catch(() => false);
      const [moving] = await Promise.all([
        sawMoving(a.page, '网络切换中，正在重新连接…', 'cluster-02-party-moving-node-phone-zh'),
        sawMoving(m.page, 'Switching to another server, reconnecting…', 'cluster-02-mediator-moving-node-en'),
      ]);
      await Promise.all([joined(m.page), joined(a.page)]);
      await Promise.all([mediaFlowing(m.page, 'the mediator after the failover', 60_000), mediaFlowing(a.page, 'the party after the failover', 60_000)]);
      const failoverMs = Date.now() - killedAt;
      t.diagnostic(`failover: kill -9 to both pages decoding again in ${failoverMs} ms (the "moving" notice ${moving ? 'shown' : 'not caught'})`);
      process.stdout.write(`# cluster failover_ms=${failoverMs}\n`);

      assert.equal((await stateOf(a.page))?.place, 'main', 'the admitted party is back in the joint session without a second admission');
      const after = await health(topo, survivor);
      assert.equal(after.rooms, 1, 'the room lives on the survivor now');
      assert.equal(after.peers, 2, 'the mediator and the party; not the removed party');
      await screenshot(m.page, 'cluster-03-mediator-after-failover-en');

      // The removed party stays out: its link no longer opens the room on any node.
      const refusal = await handshakeRefusal(connectSocket(topo.node(survivor).baseUrl, { kind: 'invitation', token: other.token }));
      assert.equal(refusal.code, 'unauthenticated');

      // The timeline shows the move.
      const timeline = await s.api('GET', `/api/cases/${caseDetail.id}/timeline`, { token });
      const failed = (timeline.body as Array<{ type: string; data: { reason?: string; role?: string } }>).filter(
        (e) => e.type === 'session.left' && e.data.reason === 'node_failed',
      );
      const rows = await testDb.db.sessionParticipation.findMany({ where: { sessionId: session.id }, orderBy: { joinedAt: 'asc' } });
      assert.deepEqual(
        failed.map((e) => e.data.role).sort(),
        ['mediator', 'party'],
        `the mediator and the party left the failed node (node_failed): ${JSON.stringify(rows.map((r) => [r.displayName, r.nodeId, r.leaveReason]))}`,
      );
      await until(async () => (await s.api('GET', `/api/sessions/${session.id}/media`, { token })).body?.live === true, 'the media state through the proxy');
      for (const p of [m, a, r]) await p.context.close();
    },
  );
});
