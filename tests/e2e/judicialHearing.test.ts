import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTrackedPage, screenshot } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { createApplication, createCourt, judgeOf } from '../helpers/judicialHearing.ts';
import { mediaFlowing, type Stat } from '../helpers/roomStats.ts';
import { roomPages, staffLogin, type RoomPages } from '../helpers/roomPages.ts';
import { until } from '../helpers/wait.ts';

/*
 * The judge's hearing of a submitted judicial confirmation application, in Chromium with fake
 * devices: the judge starts it from the hearing controls (a link per party), enters the room as its
 * host, both parties join on phones through the waiting room, are admitted, and media flows both
 * ways at each end; everyone sees the judge as 法官.
 */

const waitFor = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 20_000) => until(check, what, ms, 200);

const statsOf = (page: Page) => page.evaluate(() => (window as unknown as { __cm: { getStats(): Promise<Stat[]> } }).__cm.getStats()) as Promise<Stat[]>;

/** RTP bytes this page has received and sent so far (every inbound and outbound stream). */
async function rtpBytes(page: Page): Promise<{ received: number; sent: number }> {
  const stats = await statsOf(page);
  const sum = (type: string, field: string) => stats.filter((s) => s.type === type).reduce((n, s) => n + Number(s[field] ?? 0), 0);
  return { received: sum('inbound-rtp', 'bytesReceived'), sent: sum('outbound-rtp', 'bytesSent') };
}

/** Both the received and the sent bytes go up between two readings. */
async function bothWays(page: Page, who: string): Promise<void> {
  let last: { received: number; sent: number } | undefined;
  await waitFor(
    async () => {
      const now = await rtpBytes(page);
      const moving = last !== undefined && now.received > last.received && now.sent > last.sent;
      last = now;
      return moving;
    },
    () => `${who}: inbound and outbound RTP bytes going up (last ${JSON.stringify(last)})`,
    30_000,
  );
}

const selfIdOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cm?: { getState(): { selfId: string | null } } }).__cm?.getState().selfId ?? null);

const switchLanguage = (page: Page) => page.locator('.lang-toggle').first().click();

describe('judicial confirmation hearing in Chromium', () => {
  let server: FullServer;
  let browser: Browser;
  let pages: RoomPages;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    server = await startFullServer();
    browser = await launchChromium();
    pages = roomPages(browser, contexts, () => server.baseUrl);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  test('the judge hosts, both parties join on phones, media both ways, the roster shows 法官', async () => {
    const db = server.testDb.db;
    const court = await createCourt(db, '示范区人民法院');
    const judge = await judgeOf(server, db, 'judge-e2e', court, '陈法官');
    const mediation = await server.mediatorWithSession();
    const applicationId = await createApplication(db, {
      caseId: mediation.caseDetail.id,
      courtUnitId: court,
      createdById: mediation.caseDetail.leadMediator!.id,
      status: 'submitted',
    });

    // The judge on a desktop: the hearing controls, then the room.
    const { page: j, context: jContext } = await newTrackedPage(browser, contexts, { viewport: { width: 1366, height: 900 } });
    await jContext.addInitScript((auth) => sessionStorage.setItem('cm.staff', JSON.stringify(auth)), await staffLogin(server, judge.token));
    await j.goto(`${server.baseUrl}/judicial/${applicationId}/hearing`);
    await j.getByTestId('hearing-start').click();
    await j.getByTestId('hearing-links').waitFor();
    assert.equal(await j.getByTestId('hearing-party-link').count(), 2);
    assert.equal(await j.getByTestId('invitation-qr').count(), 2, 'a QR code per party');
    const linkOf = (side: string) => j.locator(`[data-testid=hearing-party-link][data-side=${side}] input`).inputValue();
    const links = { applicant: await linkOf('applicant'), respondent: await linkOf('respondent') };
    assert.match(links.applicant, /\/join#t=/);
    await screenshot(j, 'hearing-01-controls-desktop-zh');
    await switchLanguage(j);
    await j.getByText('Enter the hearing room').waitFor();
    await screenshot(j, 'hearing-02-controls-desktop-en');
    await j.setViewportSize({ width: 390, height: 844 });
    await screenshot(j, 'hearing-03-controls-phone-en');
    await switchLanguage(j);
    await screenshot(j, 'hearing-04-controls-phone-zh');
    await j.setViewportSize({ width: 1366, height: 900 });

    const sessionId = await j.getByTestId('hearing-links').getAttribute('data-session-id');
    await j.getByTestId('hearing-enter').click();
    await j.waitForURL((u) => u.pathname === `/session/${sessionId}`);
    await j.getByTestId('join-button').click();
    await j.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    await pages.closeAgreementDrawer(j);
    await j.getByTestId('mediator-panel').waitFor();

    // Both parties on phones, through the waiting room.
    const a = await pages.inviteePage(links.applicant);
    const b = await pages.inviteePage(links.respondent);
    for (const p of [a, b]) await p.page.getByTestId('lobby').waitFor();
    // The waiting room names the judge as the host of a hearing, not a mediator.
    assert.match(await a.page.getByTestId('lobby').innerText(), /法官会请您进入听证室/);
    assert.equal((await a.page.getByTestId('lobby-mediator').innerText()).trim(), '陈法官');
    await waitFor(async () => (await j.getByTestId('waiting-row').count()) === 2, 'two parties waiting');
    await screenshot(a.page, 'hearing-05-party-waiting-phone-zh');
    for (const name of ['张三', '某某建筑公司']) await j.locator(`[data-testid=waiting-row]:has-text("${name}") [data-testid=admit]`).click();
    for (const p of [a, b]) await p.page.getByTestId('lobby').waitFor({ state: 'detached', timeout: 20_000 });

    // Media both ways at each end: frames decoded and audio received, and RTP bytes in and out going up.
    for (const [page, who] of [
      [j, 'judge'],
      [a.page, 'applicant'],
      [b.page, 'respondent'],
    ] as const) {
      await mediaFlowing(page, who);
      await bothWays(page, who);
    }
    const roles = server.app.rooms
      .get(sessionId!)!
      .mediaState()
      .peers.map((p) => p.role)
      .sort();
    assert.deepEqual(roles, ['judge', 'party', 'party']);

    // The judge is 法官 to everyone: on the parties' tiles and people list, in the judge's own tile.
    const judgeId = (await selfIdOf(j))!;
    for (const p of [a, b]) {
      const tile = p.page.locator(`[data-testid=remote-tile][data-peer-id="${judgeId}"]`);
      await tile.waitFor();
      assert.equal((await tile.locator('.tile__role').innerText()).trim(), '法官');
    }
    assert.equal((await a.page.getByText('听证中').count()) > 0, true, 'the party sees the hearing under way');
    await a.page.getByTestId('people-toggle').click();
    const judgeRow = a.page.locator('[data-testid=people-row][data-role=judge]');
    await judgeRow.waitFor();
    assert.match(await judgeRow.innerText(), /法官/);
    assert.match(await judgeRow.innerText(), /陈法官/);
    await waitFor(async () => (await j.locator('.tile__role', { hasText: '法官' }).count()) >= 1, "the judge's own tile says 法官");
    await waitFor(async () => (await j.getByTestId('participant-row').count()) >= 2, 'the parties in the host roster');
    await screenshot(j, 'hearing-06-judge-hosting-desktop-zh');
    await screenshot(a.page, 'hearing-07-party-in-hearing-phone-zh');

    await switchLanguage(j);
    await switchLanguage(a.page);
    await waitFor(
      async () => (await a.page.locator(`[data-testid=remote-tile][data-peer-id="${judgeId}"] .tile__role`).innerText()).trim() === 'Judge',
      'Judge',
    );
    await screenshot(j, 'hearing-08-judge-hosting-desktop-en');
    await screenshot(a.page, 'hearing-09-party-in-hearing-phone-en');
    await j.setViewportSize({ width: 390, height: 844 });
    await screenshot(j, 'hearing-10-judge-hosting-phone-en');
    await switchLanguage(j);
    await screenshot(j, 'hearing-11-judge-hosting-phone-zh');
    await j.setViewportSize({ width: 1366, height: 900 });
    await b.page.setViewportSize({ width: 1366, height: 900 });
    await screenshot(b.page, 'hearing-12-party-in-hearing-desktop-zh');

    // The judge ends the hearing: the parties' rooms close, the case timeline has both entries.
    const ended = await server.api('POST', `/api/sessions/${sessionId}/end`, { token: judge.token });
    assert.equal(ended.status, 200);
    for (const p of [a, b]) await p.page.waitForFunction(() => document.body.dataset.roomState !== 'joined', null, { timeout: 20_000 });
    await a.page.getByText('The hearing has ended').first().waitFor();
    await screenshot(a.page, 'hearing-13-party-ended-phone-en');
    const timeline = await server.api<Array<{ type: string }>>('GET', `/api/cases/${mediation.caseDetail.id}/timeline`, { token: judge.token });
    const types = timeline.body.map((e) => e.type);
    assert.ok(types.includes('judicial.hearing_started') && types.includes('judicial.hearing_ended'), types.join(', '));
  });
});
