import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTrackedPage, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { waitForRemoteMedia } from '../helpers/roomStats.ts';
import { until } from '../helpers/wait.ts';

/*
 * A mediator (desktop) and a party (phone) in Chromium with fake devices: simulcast layers
 * chosen from the rendered tile size, active speaker (the fake microphone beeps), network
 * quality, the deadline light in the case summary, and the agreement drawer closed by
 * default and hidden from the waiting room.
 */

const waitFor = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 15_000) => until(check, what, ms, 150);

const selfIdOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cm?: { getState(): { selfId: string | null } } }).__cm?.getState().selfId ?? null);

describe('room media in Chromium: layers, speaker, quality, case light, agreement drawer', () => {
  let server: FullServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    server = await startFullServer();
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  const newPage = (options: Parameters<Browser['newContext']>[0] = {}) => newTrackedPage(browser, contexts, options);

  test('layers from tile size, active speaker, quality, deadline light, agreement drawer', async () => {
    const { token, session, caseDetail } = await server.mediatorWithSession();
    // A running time limit, 25 of 30 days used: the yellow light.
    const day = 24 * 3600_000;
    await server.testDb.db.case.update({
      where: { id: caseDetail.id },
      data: { timeLimitDays: 30, startedAt: new Date(Date.now() - 25 * day), deadlineAt: new Date(Date.now() + 5 * day) },
    });
    const me = await server.api('GET', '/api/auth/me', { token });
    const login = { token, expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: me.body?.user ?? me.body };
    const inv = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });

    // Mediator on a desktop, microphone off (so the party is the only one speaking).
    const m = await newPage({ viewport: { width: 1440, height: 900 } });
    await m.context.addInitScript((auth) => sessionStorage.setItem('cm.staff', JSON.stringify(auth)), login);
    await m.page.goto(`${server.baseUrl}/session/${session.id}`);
    await m.page.getByTestId('prejoin-mic-toggle').click();
    await m.page.getByTestId('join-button').click();
    await m.page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });

    // The agreement drawer starts closed: the side panel with the case summary is visible.
    await m.page.getByTestId('mediator-panel').waitFor();
    await m.page.getByTestId('agreement-open').waitFor();
    assert.equal(await m.page.getByTestId('agreement-panel').count(), 0, 'agreement drawer closed by default');
    const light = m.page.locator('[data-testid=case-summary-light] [data-testid=light]');
    assert.equal(await light.getAttribute('data-light'), 'yellow');
    assert.match((await m.page.getByTestId('case-summary').innerText()).replace(/\s+/g, ' '), /黄灯/);

    // Party on a phone: in the waiting room, no agreement button.
    const a = await newPage(phoneViewport);
    await a.page.goto(inv.url);
    await a.page.getByTestId('invitation-landing').waitFor();
    await a.page.getByTestId('continue').click();
    await a.page.getByTestId('join-button').click();
    await a.page.getByTestId('lobby').waitFor({ timeout: 20_000 });
    await a.page.waitForTimeout(500);
    assert.equal(await a.page.getByTestId('agreement-open').count(), 0, 'no agreement button in the waiting room');
    assert.equal(await a.page.getByTestId('agreement-panel').count(), 0);
    await screenshot(a.page, 'media-01-party-waiting-no-agreement-phone');

    await m.page.getByTestId('admit').click();
    await a.page.getByTestId('lobby').waitFor({ state: 'detached' });
    await a.page.getByTestId('agreement-open').waitFor();
    assert.equal(await a.page.getByTestId('agreement-panel').count(), 0, 'closed for the party too');
    const media = await waitForRemoteMedia(m.page);
    assert.ok(media.videoFramesDecoded > 0 && media.audioPacketsReceived > 0, 'the mediator receives the party');
    await waitForRemoteMedia(a.page);

    const ids = { m: (await selfIdOf(m.page))!, a: (await selfIdOf(a.page))! };
    const room = server.app.rooms.get(session.id)!;
    /** The spatial layer `viewer`'s consumer of `owner`'s camera asks for, on the server. */
    const layer = (viewer: string, owner: string) => {
      const state = room.mediaState();
      const cam = state.peers.find((p) => p.peerId === owner)?.producers.find((p) => p.source === 'webcam');
      return state.peers.find((p) => p.peerId === viewer)?.consumers.find((c) => c.producerId === cam?.id)?.preferredSpatialLayer;
    };

    // Simulcast layers from the rendered tile: the phone asks for the small layer, the desktop for the full one.
    await waitFor(() => layer(ids.a, ids.m) === 0, 'phone party asks for layer 0');
    await waitFor(() => layer(ids.m, ids.a) === 1, 'desktop mediator asks for layer 1');
    // The mediator's window shrinks to phone size: the same consumer drops to the small layer, and back.
    await m.page.setViewportSize({ width: 480, height: 800 });
    await waitFor(() => layer(ids.m, ids.a) === 0, 'narrow window asks for layer 0');
    await m.page.setViewportSize({ width: 1440, height: 900 });
    await waitFor(() => layer(ids.m, ids.a) === 1, 'wide again: layer 1');

    // Active speaker: the party's fake microphone beeps; the mediator's page highlights the party.
    await m.page.locator(`[data-testid=remote-tile][data-peer-id="${ids.a}"][data-speaking=true]`).waitFor({ timeout: 20_000 });
    // Network quality: the mediator sees the party's indicator (tile and roster).
    await m.page.locator(`[data-testid=remote-tile][data-peer-id="${ids.a}"] [data-testid=quality]`).waitFor({ timeout: 20_000 });
    await a.page.locator(`[data-testid=remote-tile][data-peer-id="${ids.m}"] [data-testid=quality]`).waitFor({ timeout: 20_000 });
    await m.page.waitForTimeout(500);
    await screenshot(m.page, 'media-02-mediator-summary-light-speaker');
    await screenshot(a.page, 'media-03-party-joined-agreement-closed-phone');

    // The drawer opens on demand, and folds away again.
    await m.page.getByTestId('agreement-open').click();
    await m.page.getByTestId('agreement-panel').waitFor();
    await m.page.locator('.agr-panel__head button').click();
    await m.page.getByTestId('agreement-panel').waitFor({ state: 'detached' });
    await m.page.getByTestId('mediator-panel').waitFor();

    // Chat from the room, read back on the case page (调解记录（文字）), private message labelled.
    await a.page.getByTestId('chat-toggle').click();
    await a.page.getByTestId('chat-input').fill('我同意先分期付款');
    await a.page.getByTestId('chat-send').click();
    await m.page.getByTestId('chat-to').selectOption(ids.a);
    await m.page.getByTestId('chat-input').fill('请您单独确认一下付款时间');
    await m.page.getByTestId('chat-send').click();
    await waitFor(async () => (await server.testDb.db.chatMessage.count({ where: { sessionId: session.id } })) === 2, 'chat saved');
    await m.page.goto(`${server.baseUrl}/cases/${caseDetail.id}`);
    const log = m.page.getByTestId('chat-log');
    await log.waitFor();
    await log.locator(`[data-testid=chat-log-session][data-session-id="${session.id}"] summary`).click();
    await waitFor(async () => (await log.getByTestId('chat-log-message').count()) === 2, 'two messages on the case page');
    assert.equal(await log.locator('[data-testid=chat-log-message][data-scope=private]').count(), 1);
    await log.scrollIntoViewIfNeeded();
    await screenshot(m.page, 'media-04-case-chat-record');
  });
});
