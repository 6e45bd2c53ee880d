import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Peer } from '../../server/media/Peer.ts';
import { launchChromium, screenshot } from '../helpers/browser.ts';
import { startChildServer, type ChildServer } from '../helpers/childServer.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { mediaFlowing } from '../helpers/roomStats.ts';
import { roomPages, staffLogin } from '../helpers/roomPages.ts';
import { until } from '../helpers/wait.ts';

/*
 * Reconnection that never strands anyone, in Chromium: the server killed with SIGKILL mid-call
 * and started again (both pages come back by themselves, no reload), and a party offline for
 * longer than the recovery window (re-admitted as the same person, no ghost).
 */

type CmState = { status: string; selfId: string | null; place: string | null };
const stateOf = (page: Page) => page.evaluate(() => (window as unknown as { __cm?: { getState(): CmState } }).__cm?.getState() ?? null);

/** The page decodes remote video and receives remote audio, now. */
const decoding = (page: Page, what: string) => mediaFlowing(page, what);

const joined = (page: Page, ms = 45_000) =>
  page.waitForFunction(() => (window as unknown as { __cm?: { getState(): { status: string } } }).__cm?.getState().status === 'joined', null, {
    timeout: ms,
  });
const reconnecting = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { __cm?: { getState(): { status: string } } }).__cm?.getState().status === 'reconnecting', null, {
    timeout: 20_000,
  });

/** The transport a socket.io frame asks to connect (`42<ack>["request",{"name":"transport.connect",…}]`), if it is one. */
function transportConnectIn(frame: string | Buffer): string | null {
  if (typeof frame !== 'string' || !frame.startsWith('42')) return null;
  const json = frame.slice(frame.indexOf('['));
  const [event, body] = JSON.parse(json) as [string, { name?: string; data?: { transportId?: string } }];
  return event === 'request' && body.name === 'transport.connect' ? (body.data?.transportId ?? null) : null;
}

/**
 * Cuts the page's signalling socket the moment it sends the first connect of each of its first
 * two transports (receive and send), as a phone losing signal right then: that connect never
 * reaches the server. Returns the transports it cut at (filled as it happens).
 */
async function cutAtFirstTransportConnects(page: Page): Promise<string[]> {
  const cutAt: string[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      const transportId = transportConnectIn(frame);
      if (transportId !== null && cutAt.length < 2 && !cutAt.includes(transportId)) {
        cutAt.push(transportId);
        void ws.close();
        void server.close();
        return;
      }
      server.send(frame);
    });
    server.onMessage((frame) => ws.send(frame));
  });
  return cutAt;
}

/** The server holds the party's two producers (mic and camera) within `ms`. */
const publishingMicAndCamera = (party: () => Peer | undefined, ms: number) =>
  until(
    () => party()?.producers.length === 2,
    () => `the party publishing mic and camera; the server has ${JSON.stringify(party()?.producers.map((p) => p.appData.source))}`,
    ms,
    150,
  );

describe('reconnection in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });

  /** A mediator (desktop) and a party (phone) in a call on `s`; the party admitted unless told otherwise. */
  async function call(
    s: ChildServer | FullServer,
    party: { displayName: string; side: 'applicant' | 'respondent' },
    options: { language?: 'en'; admit?: boolean; preparePartyPage?: (page: Page) => Promise<void> } = {},
  ) {
    const pages = roomPages(browser, contexts, () => s.baseUrl);
    const { token, session } = await s.mediatorWithSession();
    const inv = await s.invite(token, session.id, { role: 'party', ...party });
    const m = await pages.mediatorPage(session.id, await staffLogin(s, token), options.language ? { language: options.language } : {});
    const a = await pages.inviteePage(inv.url, true, options.preparePartyPage);
    await a.page.getByTestId('lobby').waitFor();
    if (options.admit !== false) {
      await m.page.getByTestId('admit').click();
      await a.page.getByTestId('lobby').waitFor({ state: 'detached' });
    }
    return { session, m, a };
  }

  test('kill -9 of the server mid-call, restarted on the same port: both pages back in the room decoding media, no reload', async () => {
    let server: ChildServer | undefined;
    try {
      server = await startChildServer();
      const s = server;
      const { session, m, a } = await call(s, { displayName: '张三', side: 'applicant' }, { language: 'en' });
      await decoding(m.page, 'mediator before the crash');
      await decoding(a.page, 'party before the crash');
      // A mark that a reload would wipe.
      for (const p of [m.page, a.page]) await p.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

      await s.kill();
      await Promise.all([reconnecting(m.page), reconnecting(a.page)]);
      await a.page.getByTestId('connection-status').getByText('网络不稳定，正在重新连接…').waitFor();
      await m.page.getByTestId('connection-status').getByText('Unstable network, reconnecting…').waitFor();
      await screenshot(a.page, 'reconnect-01-party-server-down-phone');
      await screenshot(m.page, 'reconnect-02-mediator-server-down-en');
      await s.start();

      await Promise.all([joined(m.page), joined(a.page)]);
      assert.equal((await stateOf(a.page))?.place, 'main', 'the party is back in the joint session without a second admission');
      await decoding(m.page, 'mediator after the restart');
      await decoding(a.page, 'party after the restart');
      for (const p of [m.page, a.page]) {
        assert.equal(await p.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload), true, 'no reload');
      }
      await screenshot(m.page, 'reconnect-03-mediator-after-restart-en');
      const rows = await s.testDb.db.sessionParticipation.findMany({ where: { sessionId: session.id } });
      assert.equal(rows.filter((r) => r.leaveReason === 'server_restarted').length, 2, 'both closed at start-up');
      assert.equal(rows.filter((r) => r.leftAt === null).length, 2, 'one open participation each: no ghost');
      for (const p of [m, a]) await p.context.close();
    } finally {
      // The pages first: the server's close waits for their connections, so a failed step must not hang here.
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
      await server?.close();
    }
  });

  test("the signal lost exactly as the party's transports first connect: both come back publishing and receiving", { timeout: 150_000 }, async () => {
    let server: FullServer | undefined;
    try {
      server = await startFullServer();
      const s = server;
      let cutAt: string[] = [];
      const { session, m, a } = await call(
        s,
        { displayName: '赵六', side: 'applicant' },
        {
          preparePartyPage: async (page) => {
            cutAt = await cutAtFirstTransportConnects(page);
          },
        },
      );
      const party = () =>
        s.app.rooms
          .get(session.id)!
          .peers()
          .find((p) => p.info.role === 'party');
      // Admission starts receiving (recv transport) and publishing (send transport): both first connects are cut.
      await until(
        () => cutAt.length === 2,
        () => `both transports' first connects cut (so far ${cutAt.length})`,
        30_000,
        100,
      );
      await joined(a.page);
      await publishingMicAndCamera(party, 30_000);
      await decoding(m.page, 'the mediator receiving the party');
      await decoding(a.page, 'the party receiving the mediator');
      assert.equal(party()!.transports.length, 2, 'the broken send transport was replaced, not kept beside the new one');
      for (const p of [m, a]) await p.context.close();
    } finally {
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
      await server?.close();
    }
  });

  test('a drop while the party starts publishing (right at admission): both producers are there after the recovery', { timeout: 150_000 }, async () => {
    let server: FullServer | undefined;
    try {
      server = await startFullServer({ signallingTiming: { pingIntervalMs: 2000, pingTimeoutMs: 2000, recoveryMs: 4000 } });
      const s = server;
      const { session, m, a } = await call(s, { displayName: '王五', side: 'applicant' }, { admit: false });
      const room = () => s.app.rooms.get(session.id)!;
      const party = () =>
        room()
          .peers()
          .find((p) => p.info.role === 'party');
      // The network goes the moment the party is admitted, while its first producers are being made.
      await m.page.getByTestId('admit').click();
      await until(() => party()?.presence.waiting === false, 'admitted on the server', 10_000, 5);
      await a.context.setOffline(true);
      await a.page.waitForTimeout(1500);
      await a.context.setOffline(false);
      await joined(a.page);
      await publishingMicAndCamera(party, 20_000);
      await decoding(m.page, 'the mediator receiving the party');
      for (const p of [m, a]) await p.context.close();
    } finally {
      // The pages first: the server's close waits for their connections, so a failed step must not hang here.
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
      await server?.close();
    }
  });

  test('a party offline for 20 s (longer than the recovery window) comes back by itself, re-admitted, no ghost', { timeout: 150_000 }, async () => {
    let server: FullServer | undefined;
    try {
      server = await startFullServer();
      const s = server;
      const { session, m, a } = await call(s, { displayName: '李四', side: 'respondent' });
      await decoding(a.page, 'party before going offline');
      const room = () => s.app.rooms.get(session.id)!;
      const parties = () =>
        room()
          .peers()
          .filter((p) => p.info.role === 'party');
      const before = (await stateOf(a.page))!.selfId;

      // 20 s without network: longer than the 15 s the server keeps a dropped peer.
      const offlineAt = Date.now();
      await a.context.setOffline(true);
      await reconnecting(a.page);
      await a.page.getByTestId('connection-status').getByText('网络不稳定，正在重新连接…').waitFor();
      await a.page.waitForTimeout(20_000 - (Date.now() - offlineAt));
      await a.context.setOffline(false);

      await joined(a.page, 60_000);
      const after = await stateOf(a.page);
      assert.notEqual(after?.selfId, before, 'a new connection');
      assert.equal(after?.place, 'main', 're-admitted as the same person');
      await until(() => parties().length === 1 && parties()[0]!.producers.length === 2, 'one party peer, publishing again', 20_000, 250);
      await decoding(a.page, 'party after coming back');
      await decoding(m.page, 'mediator after the party came back');
      await screenshot(a.page, 'reconnect-04-party-back-phone');
      for (const p of [m, a]) await p.context.close();
    } finally {
      // The pages first: the server's close waits for their connections, so a failed step must not hang here.
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
      await server?.close();
    }
  });
});
