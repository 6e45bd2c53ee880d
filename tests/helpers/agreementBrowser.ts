import type { Browser, Page } from 'playwright-core';
import { phoneViewport } from './browser.ts';
import { TEST_PASSWORD, type FullServer } from './fullServer.ts';

/* Browser steps the agreement tests share: staff and parties in the room, a drawn signature, the SMS outbox. */

/** Draws a signature; each signer's strokes differ (an identical image is refused as a replay). */
export async function drawSignature(page: Page, seed: number): Promise<void> {
  const pad = page.getByTestId('signature-pad').last();
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 0; i <= 30; i++) {
    await page.mouse.move(box.x + 20 + i * ((box.width - 50) / 30), box.y + box.height * (0.5 + 0.3 * Math.sin(i / (2 + seed))));
  }
  await page.mouse.up();
}

export const smsCode = (sms: string): string => /验证码(\d{6})/.exec(sms)![1]!;

/** A staff member logs in and joins the session's room. */
export async function staffJoins(page: Page, server: FullServer, username: string, sessionId: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(TEST_PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${server.baseUrl}/session/${sessionId}`);
  await page.getByTestId('join-button').click();
  await page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
}

/** A party opens the invitation on a phone and joins (they wait in the lobby until admitted). */
export async function partyJoins(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const ctx = await browser.newContext({ ...phoneViewport, locale: 'zh-CN' });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => errors.push(`party: ${e.message}`));
  await p.goto(url);
  await p.getByTestId('invitation-landing').waitFor();
  const cont = p.getByTestId('continue');
  if (await cont.isVisible().catch(() => false)) await cont.click();
  await p.getByTestId('join-button').click();
  await p.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
  return p;
}
