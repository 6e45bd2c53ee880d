import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';

/*
 * The admin's audit page (安全审计, /audit) in Chromium: reached from the staff navigation (admins
 * only), lists the events newest first, filters by event, in Chinese and English, on a desktop
 * and a phone. Screenshots: tests/artifacts/admin-audit-*.png.
 */

let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run bash scripts/setup.sh test');
  server = await startFullServer();
  await server.createUser('auditadmin', 'admin', { displayName: '系统管理员' });
  await server.createUser('auditmed', 'mediator', { displayName: '王调解员' });
  await server.createUser('auditoff', 'official', { displayName: '赵科长', department: '司法所' });
  // Some history: a failed login, a refusal by the route table, a contact reveal, a logout.
  await server.api('POST', '/api/auth/login', { body: { username: 'auditmed', password: 'wrong-password' } });
  const official = (await server.login('auditoff')).token;
  assert.equal((await server.api('POST', '/api/cases', { token: official, body: {} })).status, 403);
  const { token, caseDetail } = await server.mediatorWithSession();
  assert.equal((await server.api('GET', `/api/cases/${caseDetail.id}/parties/${caseDetail.parties[0]!.id}/contact`, { token })).status, 200);
  assert.equal((await server.api('POST', '/api/auth/logout', { token: official })).status, 204);
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function loggedIn(username: string, options: Parameters<Browser['newContext']>[0]): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  await loginStaff(page, server.baseUrl, username, TEST_PASSWORD);
  return page;
}

test('an admin opens 审计 from the navigation, sees the events and filters them; zh-CN and English, desktop and phone', async () => {
  const page = await loggedIn('auditadmin', { viewport: { width: 1440, height: 900 } });
  await page.getByRole('link', { name: '审计' }).click();
  await page.waitForURL((u) => u.pathname === '/audit');
  await page.getByRole('heading', { name: '安全审计' }).waitFor();
  const rows = page.getByTestId('audit-row');
  await rows.first().waitFor();
  const actions = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
  for (const a of ['login_succeeded', 'login_failed', 'permission_refused', 'contact_revealed', 'logout']) assert.ok(actions.includes(a), `a ${a} row`);
  assert.equal(actions[0], 'login_succeeded', 'newest first: the admin’s own login');
  await page.locator('.audit-badge', { hasText: '权限拒绝' }).first().waitFor();
  await page.getByText('POST /api/cases').first().waitFor();
  await screenshot(page, 'admin-audit-zh-desktop');

  await page.locator('select[name=action]').selectOption('login_failed');
  await page.getByRole('button', { name: '筛选' }).click();
  await page.waitForFunction(() => {
    const r = [...document.querySelectorAll('[data-testid=audit-row]')];
    return r.length > 0 && r.every((e) => e.getAttribute('data-action') === 'login_failed');
  });
  assert.equal(await rows.count(), 1);
  await page.locator('.audit-table__who', { hasText: 'auditmed' }).waitFor();
  await screenshot(page, 'admin-audit-zh-desktop-filtered');

  await page.getByRole('button', { name: '重置' }).click();
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'Security audit' }).waitFor();
  await page.locator('.audit-badge', { hasText: 'Sign-in failed' }).first().waitFor();
  await screenshot(page, 'admin-audit-en-desktop');

  const phone = await loggedIn('auditadmin', phoneViewport);
  await phone.goto(`${server.baseUrl}/audit`);
  await phone.getByTestId('audit-row').first().waitFor();
  await screenshot(phone, 'admin-audit-zh-phone');
  await phone.getByRole('button', { name: 'Switch to English' }).click();
  await phone.getByRole('heading', { name: 'Security audit' }).waitFor();
  await screenshot(phone, 'admin-audit-en-phone');
});

test('the navigation offers 审计 to admins only', async () => {
  const page = await loggedIn('auditmed', { viewport: { width: 1440, height: 900 } });
  await page.getByRole('navigation').first().waitFor();
  assert.equal(await page.getByRole('link', { name: '审计' }).count(), 0);
});
