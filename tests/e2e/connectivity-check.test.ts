import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTrackedPage, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startCoturn, type Coturn } from '../helpers/coturn.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { staffLogin } from '../helpers/roomPages.ts';
import { until } from '../helpers/wait.ts';

/*
 * The pre-join connection check in Chromium, against real servers: a party's phone on loopback
 * reaches the media server over UDP; a page that may use nothing but TURN (relay-only ICE, as
 * behind a firewall that lets only TURN out) ends with the relay; a server whose media address is
 * unreachable (TEST-NET-1, as a network that blocks every media port) ends with the failure advice
 * in plain words, the join button still usable. Nobody appears in the room during a check.
 */

/** Relay-only ICE for every RTCPeerConnection the page makes (a string: run before any page script). */
const RELAY_ONLY = `(() => {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(configuration) { super({ ...configuration, iceTransportPolicy: 'relay' }); }
    setConfiguration(configuration) { return super.setConfiguration({ ...configuration, iceTransportPolicy: 'relay' }); }
  };
})();`;

describe('pre-join connection check in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const servers: FullServer[] = [];
  let coturn: Coturn | undefined;

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    for (const s of servers) await s.close();
    await coturn?.stop();
  });

  async function server(env: Record<string, string> = {}): Promise<FullServer> {
    const s = await startFullServer({ env });
    servers.push(s);
    return s;
  }

  /** A party's invitation opened on a phone (or a desktop), up to the pre-join screen. */
  async function partyPreJoin(s: FullServer, options: { language?: 'zh-CN' | 'en'; phone?: boolean; prepare?: (page: Page) => Promise<void> } = {}) {
    const { token, session } = await s.mediatorWithSession();
    const inv = await s.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const { page, context } = await newTrackedPage(browser, contexts, options.phone === false ? { viewport: { width: 1440, height: 900 } } : phoneViewport);
    if (options.language) await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), options.language);
    await options.prepare?.(page);
    await page.goto(inv.url);
    await page.getByTestId('invitation-landing').waitFor();
    await page.getByTestId('continue').click();
    await page.getByTestId('prejoin').waitFor();
    return { page, sessionId: session.id, mediator: token };
  }

  /** The advice as a reader sees it (no-break spaces and word joiners as plain text). */
  const adviceText = async (page: Page) => (await page.getByTestId('connectivity-advice').innerText()).replace(/\u00a0/g, ' ').replace(/\u2060/g, '');

  /** Waits for the check's verdict (anything but `checking`) and returns it. */
  async function verdict(page: Page, timeout = 20_000): Promise<string> {
    const row = page.getByTestId('connectivity');
    await page.waitForFunction(
      () => {
        const r = document.querySelector('[data-testid=connectivity]')?.getAttribute('data-result');
        return r !== null && r !== undefined && r !== 'checking';
      },
      null,
      { timeout },
    );
    return (await row.getAttribute('data-result'))!;
  }

  test('a party on a phone (zh-CN): UDP, in plain words; nobody in the room meanwhile; the probe closed afterwards', async () => {
    const s = await server();
    const { page, sessionId } = await partyPreJoin(s);
    assert.equal(await verdict(page), 'udp');
    assert.equal((await page.getByTestId('connectivity').innerText()).trim(), '网络连接正常（UDP）');
    assert.equal(await page.getByTestId('connectivity-advice').count(), 0);
    // The check went to its own router: the session has no room, the party is in no waiting room.
    assert.equal(s.app.rooms.get(sessionId), undefined);
    assert.equal(s.app.rooms.stats().peers, 0);
    await until(
      () => s.app.connectivity.size === 0,
      () => `the page to close its probe (${s.app.connectivity.size} open)`,
    );
    await page.getByTestId('local-preview').waitFor();
    await screenshot(page, 'connectivity-phone-zh-udp');
  });

  test('a mediator on a desktop (zh-CN): UDP, then joins as usual', async () => {
    const s = await server();
    const { token, session } = await s.mediatorWithSession();
    const { page, context } = await newTrackedPage(browser, contexts, { viewport: { width: 1440, height: 900 } });
    await context.addInitScript((auth) => sessionStorage.setItem('cm.staff', JSON.stringify(auth)), await staffLogin(s, token));
    await page.goto(`${s.baseUrl}/session/${session.id}`);
    await page.getByTestId('prejoin').waitFor();
    assert.equal(await verdict(page), 'udp');
    await screenshot(page, 'connectivity-desktop-zh-udp');
    await page.getByTestId('join-button').click();
    await page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
  });

  test('relay-only ICE with TURN configured: the check ends with the relay', async () => {
    coturn = await startCoturn();
    const s = await server({ TURN_URLS: `turn:127.0.0.1:${coturn.port}?transport=udp`, TURN_SECRET: coturn.secret });
    const { page } = await partyPreJoin(s, {
      prepare: async (p) => {
        await p.addInitScript(RELAY_ONLY);
      },
    });
    assert.equal(await verdict(page), 'relay', `coturn log:\n${coturn.log().slice(-2000)}`);
    assert.equal((await page.getByTestId('connectivity').innerText()).trim(), '已通过中继服务器连接');
    assert.match(coturn.log(), /user <\d{10}:invitation:[^>]+>: incoming packet ALLOCATE processed, success/, 'coturn allocated with the probe’s credential');
  });

  test('media address unreachable (English phone): the failure, advice with the ports, retry, join still possible', async () => {
    const s = await server({ RTC_ANNOUNCED_IP: '192.0.2.1', RTC_PORT_MODE: 'range', RTC_MIN_PORT: '41000', RTC_MAX_PORT: '41099' });
    const { page } = await partyPreJoin(s, { language: 'en' });
    assert.equal(await verdict(page), 'failed');
    assert.equal((await page.getByTestId('connectivity').innerText()).trim(), 'Cannot connect to the mediation server');
    const advice = await adviceText(page);
    assert.match(advice, /switch to another network \(for example mobile data\)/);
    assert.match(advice, /UDP 41000–41099, TCP 41000–41099/);
    assert.match(advice, /You can still join/);
    assert.ok(!/[\u4e00-\u9fff]/.test(advice), 'no Chinese in the English advice');
    assert.ok(await page.getByTestId('join-button').isEnabled(), 'the join button stays usable');
    await screenshot(page, 'connectivity-phone-en-failed');
    // The same verdict in Chinese, after switching the language.
    await page
      .getByRole('button', { name: /中文|Chinese/ })
      .first()
      .click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal((await page.getByTestId('connectivity').innerText()).trim(), '无法连接到调解服务器');
    assert.match(await adviceText(page), /请换用其他网络（如手机流量）.*UDP 41000–41099、TCP 41000–41099/s);
    await screenshot(page, 'connectivity-phone-zh-failed');
    // "Check again": a fresh check runs, and fails the same way.
    await page.getByTestId('connectivity-retry').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=connectivity]')?.getAttribute('data-result') === 'checking');
    assert.equal(await page.getByTestId('connectivity-retry').count(), 0, 'no retry while checking');
    assert.equal(await verdict(page), 'failed');
    await until(() => s.app.connectivity.size === 0, 'the failed check to close its probe');
  });
});
