import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, newTrackedPage, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { until } from '../helpers/wait.ts';

/*
 * The room as its users meet it: the mediator invites from inside the call and keeps the call
 * while a second tab opens the case; nothing floats over a notice, the chat or "end the session";
 * removing, leaving and ending ask first; the mediator hears and sees who is waiting; a party is
 * told what a caucus means for them, gets one notice at a time, sees who is in the room, whom
 * they wait for, and what happens after the end.
 */

const desktop = { viewport: { width: 1440, height: 900 } };
const waitFor = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 15_000) => until(check, what, ms, 150);

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  assert.ok(box, `${locator} has a box`);
  return box;
}

/** Asserts that `over` does not overlap any visible element matched by `selectors`. */
async function assertNoOverlap(page: Page, over: Locator, selectors: string[], where: string) {
  const a = await boxOf(over);
  for (const selector of selectors) {
    for (const other of await page.locator(selector).all()) {
      if (!(await other.isVisible())) continue;
      const b = await boxOf(other);
      assert.ok(!overlaps(a, b), `${where}: ${JSON.stringify(a)} covers ${selector} ${JSON.stringify(b)}`);
    }
  }
}

/** Screenshots in Chinese, then in English (the room's language toggle), then back. */
async function shotBoth(page: Page, name: string) {
  await screenshot(page, `${name}-zh`);
  const toggle = () => page.evaluate(() => document.querySelector('.lang-toggle')?.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  await toggle();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await screenshot(page, `${name}-en`);
  await toggle();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
}

/** Exactly one of the room's notices is shown (phones have room for one). */
async function visibleNotices(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const id of ['notice', 'mic-muted-banner', 'unmute-request', 'enable-audio', 'muted-by-mediator']) {
    for (const el of await page.getByTestId(id).all()) if (await el.isVisible()) found.push(id);
  }
  return found;
}

describe('the room: inviting, layout, confirmations, alerts and notices', () => {
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
  const joined = (page: Page) => page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });

  async function mediatorPage(sessionId: string, token: string) {
    const me = await server.api('GET', '/api/auth/me', { token });
    const login = { token, expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: me.body };
    const { page, context } = await newPage(desktop);
    await context.addInitScript((auth) => localStorage.setItem('cm.staff', JSON.stringify(auth)), login);
    // (A login kept for the tab only, as before, is taken over the same way.)
    await context.addInitScript((auth) => sessionStorage.setItem('cm.staff', JSON.stringify(auth)), login);
    await page.goto(`${server.baseUrl}/session/${sessionId}`);
    await page.getByTestId('join-button').click();
    await joined(page);
    return { page, context };
  }

  async function inviteePage(url: string, options: Parameters<Browser['newContext']>[0] = phoneViewport) {
    const { page, context } = await newPage(options);
    await page.goto(url);
    await page.getByTestId('continue').click();
    await page.getByTestId('join-button').click();
    await joined(page);
    return { page, context };
  }

  test('the mediator invites a party and an official from inside the call; a second tab opens the case without a login', async () => {
    const { caseDetail, session, token } = await server.mediatorWithSession();
    const { username } = (await server.api('GET', '/api/auth/me', { token })).body as { username: string };
    const { page, context } = await newPage(desktop);
    await page.goto(`${server.baseUrl}/session/${session.id}`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(TEST_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.getByTestId('join-button').click();
    await joined(page);
    const room = () => server.app.rooms.get(session.id);
    const mediatorPeers = () =>
      room()
        ?.joinedPeers()
        .filter((p) => p.info.role === 'mediator').length ?? 0;
    await waitFor(() => mediatorPeers() === 1, 'the mediator in the room');

    // The empty room offers the invitation right there.
    await page.getByTestId('stage-invite').waitFor();
    await shotBoth(page, 'roomux-01-mediator-empty-room-desktop');
    await page.getByTestId('stage-invite').click();
    const sheet = page.getByTestId('room-invite');
    await sheet.waitFor();
    const applicantRow = sheet.locator('[data-testid=party-invite-row]').first();
    await applicantRow.locator('button').click();
    const url = await applicantRow.getByTestId('invitation-url').inputValue();
    assert.match(url, /\/join#t=/);
    await applicantRow.getByTestId('invitation-qr').waitFor();
    // An official too, from the same sheet.
    await sheet.locator('input[name=displayName]').fill('刘警官');
    await sheet.locator('input[name=department]').fill('城关派出所');
    await sheet.getByTestId('official-invite-form').locator('button[type=submit]').click();
    await sheet.locator('.official-invite__result [data-testid=invitation-url]').waitFor();
    await screenshot(page, 'roomux-02-mediator-invite-sheet-desktop-zh');
    const invitations = await server.testDb.db.invitation.findMany({ where: { sessionId: session.id } });
    assert.deepEqual(invitations.map((i) => i.role).sort(), ['official', 'party']);
    // Still in the call, never left it.
    assert.equal(await page.evaluate(() => document.body.dataset.roomState), 'joined');
    assert.equal(mediatorPeers(), 1);
    assert.equal(room()!.paused, false);
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });

    // The party uses the link at once; the mediator is alerted (tone + toast) and sees the count.
    const party = await inviteePage(url);
    await party.page.getByTestId('lobby').waitFor();
    const toast = page.getByTestId('lobby-toast');
    await toast.waitFor();
    assert.match(await toast.innerText(), /张三/);
    await page.locator('[data-testid=lobby-toast][data-chime=played]').waitFor();
    assert.equal(await page.getByTestId('stage-waiting-count').getAttribute('data-count'), '1');

    // A second tab of the same browser opens the case page without asking for the login again.
    const second = await context.newPage();
    await second.goto(`${server.baseUrl}/cases/${caseDetail.id}`);
    await second.getByTestId('session-card').waitFor();
    assert.ok(!second.url().includes('/login'), `second tab at ${second.url()}`);
    await screenshot(second, 'roomux-03-second-tab-case-page-desktop-zh');
    assert.equal(await page.evaluate(() => document.body.dataset.roomState), 'joined', 'the call goes on in the first tab');
    assert.equal(mediatorPeers(), 1);

    // Signing out in one tab signs out everywhere.
    await second.locator('button.topbar__link').click();
    await second.waitForURL(/\/login/);
    await page.waitForURL(/\/login/);
    const third = await context.newPage();
    await third.goto(`${server.baseUrl}/cases/${caseDetail.id}`);
    await third.waitForURL(/\/login/);
    await context.close();
    await party.context.close();
  });

  test('nothing covers the mic banner, the chat or "end the session", on a phone and a desktop', async () => {
    const { token, session } = await server.mediatorWithSession();
    const m = await mediatorPage(session.id, token);
    const invA = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const a = await inviteePage(invA.url);
    await m.page.getByTestId('admit').click();
    await a.page.getByTestId('lobby').waitFor({ state: 'detached' });
    await joined(a.page);

    // Phone: the party turns the microphone off; the banner and the agreement button both stay clear.
    await a.page.getByTestId('toggle-mic').click();
    await a.page.getByTestId('mic-muted-banner').waitFor();
    const agreementA = a.page.getByTestId('agreement-open');
    await agreementA.waitFor();
    await assertNoOverlap(a.page, agreementA, ['[data-testid=mic-muted-banner]', 'nav.controls button', '[data-testid=chat-toggle]'], 'phone');
    await shotBoth(a.page, 'roomux-04-party-mic-off-phone');

    // The same party on a desktop-sized window with the chat open: the send row stays clear.
    await a.page.setViewportSize({ width: 1440, height: 900 });
    await a.page.getByTestId('chat-toggle').click();
    await a.page.getByTestId('chat-send').waitFor();
    await assertNoOverlap(a.page, agreementA, ['[data-testid=chat-send]', '[data-testid=chat-input]', 'nav.controls button'], 'desktop party');
    await shotBoth(a.page, 'roomux-05-party-chat-desktop');

    // Desktop mediator with two people in the room: "end" is on screen, above the control bar, uncovered.
    const agreementM = m.page.getByTestId('agreement-open');
    await agreementM.waitFor();
    await assertNoOverlap(m.page, agreementM, ['[data-testid=chat-send]', '[data-testid=chat-input]', '[data-testid=end-all]'], 'desktop mediator');
    const end = await boxOf(m.page.getByTestId('end-all'));
    const bar = await boxOf(m.page.locator('nav.controls'));
    assert.ok(end.y + end.height <= bar.y, `end button ${JSON.stringify(end)} above the control bar ${JSON.stringify(bar)}`);
    assert.ok(end.y >= 0, 'end button on screen');
    await shotBoth(m.page, 'roomux-06-mediator-two-people-desktop');

    // A mediator on a phone: the same holds.
    await m.page.setViewportSize({ width: 390, height: 844 });
    const endPhone = await boxOf(m.page.getByTestId('end-all'));
    const barPhone = await boxOf(m.page.locator('nav.controls'));
    assert.ok(endPhone.y + endPhone.height <= barPhone.y && endPhone.y >= 0, `phone: end ${JSON.stringify(endPhone)} bar ${JSON.stringify(barPhone)}`);
    await shotBoth(m.page, 'roomux-07-mediator-phone');
    for (const p of [m, a]) await p.context.close();
  });

  test('alerts, caucus words, one notice, people list, confirmations and the end screen', async () => {
    const { token, session } = await server.mediatorWithSession();
    const m = await mediatorPage(session.id, token);
    const mediatorName = ((await server.api('GET', '/api/auth/me', { token })).body as { displayName: string }).displayName;
    const invA = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const invB = await server.invite(token, session.id, { role: 'party', displayName: '李四', side: 'respondent' });
    const room = () => server.app.rooms.get(session.id)!;

    // Waiting: the party sees the case and the mediator's name; the mediator gets a toast, a tone and a count.
    const a = await inviteePage(invA.url);
    await a.page.getByTestId('lobby').waitFor();
    assert.equal(await a.page.getByTestId('lobby-mediator').innerText(), mediatorName);
    assert.equal(await a.page.getByTestId('lobby-case').innerText(), '工地欠薪纠纷');
    await shotBoth(a.page, 'roomux-08-party-waiting-room-phone');
    await m.page.locator('[data-testid=lobby-toast][data-chime=played]').waitFor();
    await m.page.locator('[data-testid=stage-waiting-count][data-count="1"]').waitFor();
    const b = await inviteePage(invB.url);
    await m.page.locator('[data-testid=stage-waiting-count][data-count="2"]').waitFor();
    await waitFor(async () => /2/.test(await m.page.getByTestId('lobby-toast').innerText()), 'toast counts two');
    await shotBoth(m.page, 'roomux-09-mediator-waiting-alert-desktop');
    await m.page.getByTestId('admit-all').click();
    for (const p of [a, b]) await p.page.getByTestId('lobby').waitFor({ state: 'detached' });
    await m.page.getByTestId('stage-waiting-count').waitFor({ state: 'detached' });

    // Everyone sees who is in the room, with roles.
    await a.page.getByTestId('people-toggle').click();
    await waitFor(async () => (await a.page.getByTestId('people-row').count()) === 3, 'three people listed');
    const people = await a.page.getByTestId('people-list').innerText();
    for (const word of [mediatorName, '调解员', '张三', '申请人', '李四', '被申请人']) assert.ok(people.includes(word), `${word} in ${people}`);
    await shotBoth(a.page, 'roomux-10-party-people-list-phone');
    await a.page.getByTestId('people-toggle').click();

    // Caucus with A: A is told the other side cannot hear them; afterwards, what happened to the mic.
    const ids = {
      a: room()
        .joinedPeers()
        .find((p) => p.info.displayName === '张三')!.id,
      b: room()
        .joinedPeers()
        .find((p) => p.info.displayName === '李四')!.id,
    };
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.a}"] [data-testid=caucus-pick]`).check();
    await m.page.getByTestId('caucus-start').click();
    await a.page.locator('[data-testid=room-state][data-state=caucus]:has-text("对方听不到您")').waitFor();
    await shotBoth(a.page, 'roomux-11-party-in-caucus-phone');
    await m.page.getByTestId('caucus-end').click();
    await a.page.locator('[data-notice=muted-caucus_return]:has-text("背对背结束")').waitFor();
    assert.deepEqual(await visibleNotices(a.page), ['notice'], 'one notice after the caucus');
    await shotBoth(a.page, 'roomux-12-party-after-caucus-phone');
    // More mute messages replace each other: still one.
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.a}"] [data-testid=ask-unmute]`).click();
    await a.page.getByTestId('unmute-request').waitFor();
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.a}"] [data-testid=stop-cam]`).click();
    await waitFor(
      () =>
        !room()
          .mediaState()
          .peers.find((p) => p.peerId === ids.a)!
          .producers.some((p) => p.kind === 'video'),
      'A camera stopped',
    );
    await a.page.waitForFunction(() => !(window as unknown as { __cm: { getState(): { local: { camOn: boolean } } } }).__cm.getState().local.camOn);
    // The question still waiting for an answer stays; the camera message does not pile on top.
    assert.deepEqual(await visibleNotices(a.page), ['unmute-request'], 'one notice');
    await screenshot(a.page, 'roomux-13-party-one-notice-phone-zh');
    await a.page.getByTestId('unmute-yes').click();

    // Remove asks first; cancelling keeps the person in.
    const removeB = m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.b}"] [data-testid=remove-peer]`);
    await removeB.click();
    const confirmRemove = m.page.getByTestId('confirm-remove');
    await confirmRemove.waitFor();
    assert.match(await confirmRemove.innerText(), /李四/);
    await screenshot(m.page, 'roomux-14-mediator-confirm-remove-desktop-zh');
    await confirmRemove.getByTestId('confirm-cancel').click();
    await confirmRemove.waitFor({ state: 'hidden' });
    assert.ok(room().findPeer(ids.b), 'still in after cancel');
    await removeB.click();
    await confirmRemove.getByTestId('confirm-ok').click();
    await b.page.getByText('调解员已请您离开调解室').waitFor();
    await b.page.getByTestId('end-contact').waitFor();

    // Leaving asks first too.
    await a.page.getByTestId('leave').click();
    const confirmLeave = a.page.getByTestId('confirm-leave');
    await confirmLeave.waitFor();
    await shotBoth(a.page, 'roomux-15-party-confirm-leave-phone');
    await confirmLeave.getByTestId('confirm-cancel').click();
    await confirmLeave.waitFor({ state: 'hidden' });
    assert.equal(await a.page.evaluate(() => document.body.dataset.roomState), 'joined');

    // Ending asks, then the party reads "本次调解已结束", what comes next and whom to call.
    await m.page.getByTestId('end-all').click();
    await m.page.getByTestId('confirm-end').waitFor();
    await screenshot(m.page, 'roomux-16-mediator-confirm-end-desktop-zh');
    await m.page.getByTestId('confirm-end').getByTestId('confirm-ok').click();
    await a.page.locator('[data-testid=end-reason][data-reason=ended]').waitFor();
    const endText = await a.page.locator('body').innerText();
    assert.ok(endText.includes('本次调解已结束'), endText);
    assert.ok(!endText.includes('会议'), endText);
    assert.ok(endText.includes('签署'), 'what happens with the agreement');
    assert.ok(endText.includes(mediatorName), 'whom to call');
    await shotBoth(a.page, 'roomux-17-party-end-screen-phone');
    for (const p of [m, a, b]) await p.context.close();
  });
});
