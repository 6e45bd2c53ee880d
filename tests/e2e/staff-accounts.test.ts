import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, loginStaff, newTrackedPage, phoneViewport, screenshot } from '../helpers/browser.ts';
import { sampleCase, startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { roomPages, staffLogin } from '../helpers/roomPages.ts';

/*
 * Staff accounts in Chromium: an admin disables a mediator from 人员管理 (/staff) while the
 * mediator is in a call, and the mediator's room says why it closed; the 修改密码 dialog shows a
 * field error, then succeeds. Screenshots of the staff list and the dialog, zh-CN and English,
 * phone and desktop: tests/artifacts/staff-accounts-*.png.
 */

let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const desktop = { viewport: { width: 1440, height: 900 } };

before(async () => {
  assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run bash scripts/setup.sh test');
  server = await startFullServer();
  await server.createUser('accadmin', 'admin', { displayName: '系统管理员' });
  await server.createUser('accmed', 'mediator', { displayName: '王调解员' });
  await server.createUser('pwmed', 'mediator', { displayName: '李调解员' });
  await server.createUser('pwlook', 'official', { displayName: '赵科长', department: '区人社局' });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function loggedIn(username: string, options: Parameters<Browser['newContext']>[0], language: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
  const { page, context } = await newTrackedPage(browser, contexts, { locale: language, timezoneId: 'Asia/Shanghai', ...options });
  await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
  await loginStaff(page, server.baseUrl, username, TEST_PASSWORD);
  return page;
}

const rowOf = (page: Page, username: string) => page.locator(`[data-testid=staff-row][data-username=${username}]`);

test('an admin disables a mediator who is in a call: the room closes with the reason at once; enabling lets them sign in again', async () => {
  const { token } = await server.login('accmed');
  const created = await server.api('POST', '/api/cases', { token, body: sampleCase });
  const session = await server.api('POST', `/api/cases/${created.body.id}/sessions`, { token });
  const rooms = roomPages(browser, contexts, () => server.baseUrl);
  const { page: mediator } = await rooms.mediatorPage(session.body.id, await staffLogin(server, token));

  const admin = await loggedIn('accadmin', desktop);
  await admin.getByRole('link', { name: '人员管理' }).click();
  await admin.waitForURL((u) => u.pathname === '/staff');
  await admin.getByRole('heading', { name: '人员管理' }).waitFor();
  const row = rowOf(admin, 'accmed');
  await row.waitFor();
  assert.equal(await rowOf(admin, 'accadmin').getByTestId('staff-toggle').count(), 0, 'no button to disable oneself');
  await screenshot(admin, 'staff-accounts-list-zh-desktop');

  await row.getByTestId('staff-toggle').click();
  const confirm = admin.getByTestId('staff-confirm');
  await confirm.getByText('王调解员（accmed）的所有登录会立即退出').waitFor();
  await screenshot(admin, 'staff-accounts-confirm-zh-desktop');
  await confirm.getByTestId('confirm-ok').click();
  await admin.locator('[data-testid=staff-row][data-username=accmed][data-disabled=true]').waitFor();
  await admin.getByTestId('staff-outcome').getByText('已停用王调解员的账号').waitFor();

  const reason = mediator.getByTestId('end-reason');
  await reason.waitFor({ timeout: 5000 });
  assert.equal(await reason.getAttribute('data-reason'), 'account_disabled');
  await mediator.getByRole('heading', { name: '您的账号已被停用' }).waitFor();
  await screenshot(mediator, 'staff-accounts-mediator-disabled-zh');
  const refused = await server.api('POST', '/api/auth/login', { body: { username: 'accmed', password: TEST_PASSWORD } });
  assert.equal(refused.body.reason, 'account_disabled');

  await admin.getByRole('button', { name: 'Switch to English' }).click();
  await admin.getByRole('heading', { name: 'Staff accounts' }).waitFor();
  await row.getByText('Disabled').waitFor();
  await admin.getByTestId('staff-outcome').getByText("王调解员's account is disabled").waitFor();
  await screenshot(admin, 'staff-accounts-list-en-desktop');
  await row.getByTestId('staff-toggle').click();
  await admin.getByTestId('staff-confirm').getByTestId('confirm-ok').click();
  await admin.locator('[data-testid=staff-row][data-username=accmed][data-disabled=false]').waitFor();
  assert.equal((await server.api('POST', '/api/auth/login', { body: { username: 'accmed', password: TEST_PASSWORD } })).status, 200);

  for (const language of ['zh-CN', 'en'] as const) {
    const phone = await loggedIn('accadmin', phoneViewport, language);
    await phone.goto(`${server.baseUrl}/staff`);
    await rowOf(phone, 'accmed').waitFor();
    await screenshot(phone, `staff-accounts-list-${language}-phone`);
  }
});

test('修改密码: a wrong current password is shown under its field; then the change succeeds, other sign-ins end, this one stays', async () => {
  const other = await server.login('pwmed');
  const page = await loggedIn('pwmed', desktop);
  await page.getByTestId('account-menu').click();
  await page.getByTestId('open-password').click();
  const dialog = page.getByTestId('password-dialog');
  await dialog.getByRole('heading', { name: '修改密码' }).waitFor();

  await dialog.getByTestId('password-currentPassword').fill('not-my-password');
  await dialog.getByTestId('password-newPassword').fill('harbour-lantern-2026');
  await dialog.getByTestId('password-repeat').fill('harbour-lantern-2027');
  await dialog.getByTestId('password-submit').click();
  await dialog.getByText('两次输入的新密码不一致').waitFor();
  await dialog.getByTestId('password-repeat').fill('harbour-lantern-2026');
  await dialog.getByTestId('password-submit').click();
  await dialog.locator('.field__error', { hasText: '当前密码不正确' }).waitFor();
  await screenshot(page, 'staff-accounts-password-error-zh-desktop');

  await dialog.getByTestId('password-currentPassword').fill(TEST_PASSWORD);
  await dialog.getByTestId('password-submit').click();
  await dialog.getByTestId('password-changed').getByText('密码已修改。您在其他设备上的 1 处登录已退出。').waitFor();
  await screenshot(page, 'staff-accounts-password-done-zh-desktop');
  await dialog.getByTestId('password-done').click();

  assert.equal((await server.api('GET', '/api/auth/me', { token: other.token })).status, 401, 'the other sign-in ended');
  await page.reload();
  await page.getByTestId('account-menu').waitFor();
  assert.equal(new URL(page.url()).pathname, '/', 'this sign-in stays');
  assert.equal((await server.api('POST', '/api/auth/login', { body: { username: 'pwmed', password: 'harbour-lantern-2026' } })).status, 200);
});

test('the password dialog in English and on phones (field errors from the catalogue)', async () => {
  const shots: Array<[string, Parameters<Browser['newContext']>[0], 'zh-CN' | 'en']> = [
    ['staff-accounts-password-en-desktop', desktop, 'en'],
    ['staff-accounts-password-zh-CN-phone', phoneViewport, 'zh-CN'],
    ['staff-accounts-password-en-phone', phoneViewport, 'en'],
  ];
  for (const [name, options, language] of shots) {
    const page = await loggedIn('pwlook', options, language);
    await page.getByTestId('account-menu').click();
    await page.getByTestId('open-password').waitFor();
    await screenshot(page, name.replace('password', 'account-menu'));
    await page.getByTestId('open-password').click();
    const dialog = page.getByTestId('password-dialog');
    await dialog.getByTestId('password-currentPassword').fill(TEST_PASSWORD);
    await dialog.getByTestId('password-newPassword').fill('pwlook');
    await dialog.getByTestId('password-submit').click();
    await dialog.locator('.field__error').first().waitFor();
    const text = await dialog.locator('.field__error').allTextContents();
    assert.ok(text.includes(language === 'en' ? 'Use at least 8 characters' : '密码至少 8 个字符'), JSON.stringify(text));
    await screenshot(page, name);
  }
});
