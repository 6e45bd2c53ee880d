import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { frozenAgreement, type FrozenAgreement } from '../helpers/agreementFlow.ts';
import { launchChromium, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * A party mistypes the SMS code on the Chinese signing page: the error is told in Chinese, from
 * the client's catalogue (error reason + attempts left), and follows the language switch.
 */
let server: FullServer;
let browser: Browser;
let agreement: FrozenAgreement;

before(async () => {
  server = await startFullServer();
  const { token, session } = await server.mediatorWithSession();
  agreement = await frozenAgreement(server, token, session.id);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

function lastCode(phone: string): string {
  const row = server.testDb.raw().prepare('SELECT text FROM SmsOutbox WHERE phone = ? ORDER BY rowid DESC LIMIT 1').get(phone) as { text: string };
  return /验证码(\d{6})/.exec(row.text)![1]!;
}

async function draw(page: Page): Promise<void> {
  const pad = page.getByTestId('signature-pad').last();
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 0; i <= 20; i++) await page.mouse.move(box.x + 20 + i * ((box.width - 50) / 20), box.y + box.height * (0.5 + 0.3 * Math.sin(i / 3)));
  await page.mouse.up();
}

describe('signing page errors', () => {
  test('a wrong code on the zh-CN signing page reads in Chinese with the attempts left, and in English after switching', async () => {
    const context = await browser.newContext({ ...phoneViewport, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      const link = agreement.links[0]!;
      await page.goto(link.url);
      await page.getByTestId('sign-form').waitFor();
      assert.equal((await page.getByTestId('signer-name').innerText()).trim(), `申请人　${link.name}`);

      await page.getByTestId('sign-send-code').click();
      await page.getByTestId('sign-code-sent').waitFor();
      const code = lastCode('13812345678');
      await page.getByTestId('sign-code').fill(code === '000000' ? '000001' : '000000');
      await page.getByTestId('sign-consent').check();
      await draw(page);
      await page.getByTestId('sign-submit').click();

      const message = page.getByTestId('sign-message');
      await message.waitFor();
      assert.equal((await message.innerText()).trim(), '验证码不正确，还可以再试 4 次');
      await screenshot(page, 'sign-wrong-code-zh-CN');

      await page.locator('.lang-toggle').click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.equal((await message.innerText()).trim(), 'Wrong code (4 attempts left)');
      assert.equal((await page.getByTestId('signer-name').innerText()).trim(), `Applicant ${link.name}`);
      await screenshot(page, 'sign-wrong-code-en');
    } finally {
      await context.close();
    }
  });
});
