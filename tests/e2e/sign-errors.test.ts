import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { drawSignature, frozenAgreement, lastSigningCode, type FrozenAgreement } from '../helpers/agreementFlow.ts';
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
      const code = await lastSigningCode(server, '13812345678');
      await page.getByTestId('sign-code').fill(code === '000000' ? '000001' : '000000');
      await page.getByTestId('sign-consent').check();
      await drawSignature(page);
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
