import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, phoneViewport } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { insertRecording, threePersonTracks } from '../helpers/recordingFiles.ts';
import { layoutAuditScript } from '../helpers/layoutAudit.ts';

/*
 * 录音录像 on the case page in Chromium: the composed review video plays in the page's own player
 * (range requests with the playback cookie: currentTime advances, readyState ≥ 2), a queued
 * composition shows its state and turns into a player when done (the page polls), the
 * supervisor's dashboard shows the recordings' size; zh-CN and English, desktop and phone.
 * Screenshots: /tmp/review-shots/.
 */

const SHOTS = '/tmp/review-shots';
let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let caseId: string;
let queuedId: string;

before(async () => {
  assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run the vite build');
  mkdirSync(SHOTS, { recursive: true });
  server = await startFullServer();
  const { token, caseDetail, session } = await server.mediatorWithSession();
  caseId = caseDetail.id;
  const me = (await server.api('GET', '/api/auth/me', { token })).body;
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
  await insertRecording(server.testDb.db, server.app.config.recording.dir, {
    caseId,
    sessionId: session.id,
    startedById: me.id,
    startedAt: at(30),
    seconds: 8,
    tracks: threePersonTracks(8),
  });
  await server.app.services.recordings.composer.drain();
  assert.equal((await server.api('POST', `/api/sessions/${session.id}/end`, { token })).status, 200);
  const second = await server.api('POST', `/api/cases/${caseId}/sessions`, { token });
  const r2 = await insertRecording(server.testDb.db, server.app.config.recording.dir, {
    caseId,
    sessionId: second.body.id,
    startedById: me.id,
    startedAt: at(10),
    seconds: 4,
    tracks: threePersonTracks(4).slice(0, 2),
    // Failed (its files are fine): the page offers 重新合成, which queues it again.
    composeState: 'failed',
  });
  await server.testDb.db.recording.update({ where: { id: r2.recordingId }, data: { composeError: 'ffmpeg exited with 1: (an earlier attempt)' } });
  queuedId = r2.recordingId;
  await server.createUser('recsup', 'supervisor', { displayName: '督办员' });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function loggedIn(username: string, language: 'zh-CN' | 'en', options: Parameters<Browser['newContext']>[0]): Promise<Page> {
  const context = await browser.newContext({ locale: language, timezoneId: 'Asia/Shanghai', ...options });
  contexts.push(context);
  await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  await page.goto(`${server.baseUrl}/login`);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(TEST_PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/');
  return page;
}

test('the mediator plays the composed session in the case page; a failed composition is queued again from the page and becomes playable when done', async () => {
  const page = await loggedIn('mediator1', 'zh-CN', { viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.baseUrl}/cases/${caseId}`);
  const card = page.getByTestId('recordings-card');
  await card.getByRole('heading', { name: '录音录像' }).waitFor();
  const items = card.getByTestId('recording');
  // The list arrives after the card's heading.
  await items.nth(1).waitFor();
  assert.equal(await items.count(), 2);
  // Newest first: the second session's composition failed.
  await items.nth(0).getByTestId('rec-compose').and(page.locator('[data-state=failed]')).waitFor();
  assert.equal(await items.nth(1).getByTestId('rec-track').count(), 8);
  const play = items.nth(1).getByTestId('rec-play');
  await play.waitFor({ timeout: 60_000 });
  await play.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/case-desktop-zh-failed.png`, fullPage: true });
  const token = (await server.login('mediator1')).token;
  const before = await server.api('GET', `/api/cases/${caseId}/timeline`, { token });
  assert.equal(before.body.filter((e: { type: string }) => e.type === 'recording.played').length, 0, 'showing the player is not a playback');
  await play.click();
  const player = items.nth(1).getByTestId('rec-player');
  await player.waitFor({ timeout: 60_000 });

  const handle = await player.elementHandle();
  await page.waitForFunction(
    (el) => {
      const v = el as HTMLVideoElement;
      return v.currentTime > 1.5 && v.readyState >= 2;
    },
    handle,
    { timeout: 90_000 },
  );
  const played = await player.evaluate((el) => {
    const v = el as HTMLVideoElement;
    return { currentTime: v.currentTime, readyState: v.readyState, width: v.videoWidth, height: v.videoHeight };
  });
  assert.ok(played.readyState >= 2 && played.currentTime > 1.5, JSON.stringify(played));
  assert.deepEqual([played.width, played.height], [1920, 360], 'three tiles side by side');
  const timeline = await server.api('GET', `/api/cases/${caseId}/timeline`, { token: (await server.login('mediator1')).token });
  // Showing the page loads nothing; the one playback is one entry.
  assert.equal(timeline.body.filter((e: { type: string }) => e.type === 'recording.played').length, 1, 'the playback is on the timeline, once');

  // 重新合成: queued again, the composer (poked) takes it, the page follows it (polling) to its player.
  await items.nth(0).getByTestId('rec-retry').click();
  await items.nth(0).getByTestId('rec-compose').and(page.locator('[data-state=queued], [data-state=running], [data-state=done]')).waitFor();
  await items.nth(0).getByTestId('rec-play').waitFor({ timeout: 90_000 });
  const row = await server.testDb.db.recording.findUniqueOrThrow({ where: { id: queuedId } });
  assert.equal(row.composeState, 'done');
});

/** The layout audit of every page (tests/e2e/layout.test.ts): no overflow, nothing over a button or link, no message key. */
async function layoutProblems(page: Page, width: number): Promise<string[]> {
  const out: string[] = [];
  for (const to of ['0', 'document.documentElement.scrollHeight']) {
    await page.evaluate(`window.scrollTo(0, ${to})`);
    out.push(...((await page.evaluate(layoutAuditScript(width))) as string[]));
  }
  return out;
}

test('screenshots and the layout audit: the case page in both languages on desktops and phones, the dashboard with the recordings’ size', async () => {
  for (const [language, options, name] of [
    ['zh-CN', { viewport: { width: 1280, height: 800 } }, 'case-desktop-zh'],
    ['en', { viewport: { width: 1280, height: 800 } }, 'case-desktop-en'],
    ['zh-CN', phoneViewport, 'case-phone-zh'],
    ['en', phoneViewport, 'case-phone-en'],
  ] as const) {
    const page = await loggedIn('mediator1', language, options);
    await page.goto(`${server.baseUrl}/cases/${caseId}`);
    await page.getByTestId('recordings-card').getByTestId('rec-play').first().waitFor();
    await page.getByTestId('recordings-card').scrollIntoViewIfNeeded();
    await page.evaluate('document.fonts.ready');
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    assert.deepEqual(await layoutProblems(page, options.viewport.width), [], name);
  }
  for (const [language, options, name] of [
    ['zh-CN', { viewport: { width: 1280, height: 800 } }, 'dashboard-desktop-zh'],
    ['en', phoneViewport, 'dashboard-phone-en'],
  ] as const) {
    const page = await loggedIn('recsup', language, options);
    await page.goto(`${server.baseUrl}/dashboard`);
    const kpi = page.getByTestId('kpi-recording-bytes');
    await kpi.waitFor();
    assert.match((await kpi.textContent()) ?? '', /(录音录像占用|Recordings on disk)\s*[\d.]+ (KB|MB)/);
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  }
});
