import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { roomPages, staffLogin } from '../helpers/roomPages.ts';
import { waitForRemoteMedia } from '../helpers/roomStats.ts';
import { until } from '../helpers/wait.ts';
import type { CloudMediationTestHooks } from '../../client/src/hooks/useRoomTestHooks.ts';

type WithHooks = { __cm?: CloudMediationTestHooks };

/*
 * React StrictMode rehearses an unmount and a remount of every component that mounts, in a
 * development build (a production build does not). The call is such a component: its session is
 * made, left and made again. The room must end up with exactly one participant per tab, the call
 * joined and the media flowing; the rehearsed session leaves nothing behind on the server.
 */

/** Counts what the page opens: microphone/camera requests and WebSockets. */
const countOpenings = () => {
  const counts = { getUserMedia: 0, webSockets: 0 };
  (window as unknown as { __openings: typeof counts }).__openings = counts;
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = (constraints) => {
    counts.getUserMedia++;
    return getUserMedia(constraints);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      counts.webSockets++;
    }
  };
};

const openings = (page: Page) => page.evaluate(() => (window as unknown as { __openings: { getUserMedia: number; webSockets: number } }).__openings);

describe('the call under React StrictMode (development build)', () => {
  let server: FullServer;
  let browser: Browser;
  let devClient: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    devClient = mkdtempSync(path.join(tmpdir(), 'cm-dev-client-'));
    // React's development build is chosen by NODE_ENV; StrictMode only rehearses remounts there.
    execFileSync(
      'npx',
      ['vite', 'build', '--config', 'client/vite.config.ts', '--mode', 'development', '--outDir', devClient, '--emptyOutDir', '--logLevel', 'warn'],
      {
        env: { ...process.env, NODE_ENV: 'development' },
        stdio: 'inherit',
      },
    );
    server = await startFullServer({ clientDir: devClient });
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    rmSync(devClient, { recursive: true, force: true });
  });

  test('one participant per tab, joined, media flowing; the rehearsed session left the room', async () => {
    const { token, session } = await server.mediatorWithSession();
    const pages = roomPages(browser, contexts, () => server.baseUrl);
    const m = await pages.mediatorPage(session.id, await staffLogin(server, token), {
      prepare: async (page) => {
        await page.addInitScript(countOpenings);
      },
    });
    const invitation = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const party = await pages.inviteePage(invitation.url, true, async (page) => {
      await page.addInitScript(countOpenings);
    });

    // StrictMode is on in this build: the pre-join screen's devices were opened, closed and opened
    // again; the call's session was made twice (two sockets), the first one left at once.
    for (const page of [m.page, party.page]) {
      const counts = await openings(page);
      assert.ok(counts.getUserMedia >= 2, `StrictMode rehearsed the pre-join mount (getUserMedia ×${counts.getUserMedia})`);
      assert.ok(counts.webSockets >= 2, `StrictMode rehearsed the call's mount (WebSockets ×${counts.webSockets})`);
    }

    await m.page.getByTestId('admit').click();
    await party.page.getByTestId('lobby').waitFor({ state: 'detached' });
    await party.page.waitForFunction(() => document.body.dataset.roomState === 'joined');

    // The server: exactly one peer per tab.
    const names = () =>
      server.app.rooms
        .mediaState(session.id)
        .peers.map((p) => p.displayName)
        .sort();
    await until(
      () => names().length === 2,
      () => `two peers in the room, not ${JSON.stringify(names())}`,
      15_000,
      150,
    );
    const roomPeers = names();
    assert.equal(new Set(roomPeers).size, 2, `each person once: ${JSON.stringify(roomPeers)}`);

    // The mediator's participant list: the party once; the party sees the mediator once.
    const roster = await m.page.evaluate(() => {
      const room = (window as unknown as WithHooks).__cm?.getState().room as { roster: Array<{ displayName: string; place: string }> } | null;
      return room?.roster.map((p) => p.displayName) ?? [];
    });
    assert.equal(roster.filter((n) => n === '张三').length, 1, `the party once in the roster: ${JSON.stringify(roster)}`);
    const partyPeers = await party.page.evaluate(() => (window as unknown as WithHooks).__cm?.getState().peers.map((p) => p.id) ?? []);
    assert.equal(partyPeers.length, 1, `the party sees one other person: ${JSON.stringify(partyPeers)}`);

    // Not hung up: both still in, each decoding the other.
    await waitForRemoteMedia(m.page);
    await waitForRemoteMedia(party.page);
    for (const page of [m.page, party.page]) assert.equal(await page.evaluate(() => document.body.dataset.roomState), 'joined');
    await screenshot(m.page, 'strict-mode-mediator');
    await screenshot(party.page, 'strict-mode-party');

    // Leaving for real (the page's Leave): the server lets the person go at once.
    await party.page.getByTestId('leave').click();
    await party.page
      .getByTestId('confirm-leave')
      .getByRole('button', { name: /离开|Leave/ })
      .click();
    await until(
      () => names().length === 1,
      () => `the party left the room: ${JSON.stringify(names())}`,
      15_000,
      150,
    );
  });
});
