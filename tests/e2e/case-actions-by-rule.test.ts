import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, phoneViewport, screenshot } from '../helpers/browser.ts';
import { sampleCase, startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';

/*
 * The case page offers only what the server's rule allows this user on this case (the case
 * detail's `can`): an official called in to a case sees no invitation, start, end or enter
 * buttons; the case's own mediator does. Screenshots in both languages, phone and desktop.
 */
describe('case page: buttons follow the access rule', () => {
  let server: FullServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let caseId = '';

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run bash scripts/setup.sh test');
    server = await startFullServer();
    browser = await launchChromium();
    await server.createUser('med1', 'mediator', { displayName: '王调解员' });
    await server.createUser('off1', 'official', { displayName: '赵科长', department: '区人社局' });
    await server.createUser('admin1', 'admin');
    const admin = (await server.login('admin1')).token;
    const med = (await server.login('med1')).token;
    const off = (await server.login('off1')).token;
    const unit = await server.api('POST', '/api/admin/units', {
      token: admin,
      body: { name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' },
    });
    const offId = (await server.testDb.db.user.findUniqueOrThrow({ where: { username: 'off1' } })).id;
    assert.equal((await server.api('PUT', `/api/admin/users/${offId}/unit`, { token: admin, body: { unitId: unit.body.id } })).status, 200);
    const c = await server.api('POST', '/api/cases', { token: med, body: sampleCase });
    caseId = c.body.id;
    assert.equal((await server.api('POST', `/api/cases/${caseId}/sessions`, { token: med })).status, 201);
    const w = await server.api('POST', `/api/cases/${caseId}/whistles`, { token: med, body: { unitId: unit.body.id, need: '核实工资发放记录' } });
    assert.equal((await server.api('POST', `/api/whistles/${w.body.id}/accept`, { token: off })).status, 200);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function openCase(username: string, language: 'zh-CN' | 'en', phone: boolean): Promise<Page> {
    const ctx = await browser.newContext({ locale: language, ...(phone ? phoneViewport : { viewport: { width: 1440, height: 900 } }) });
    contexts.push(ctx);
    await ctx.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    await page.goto(`${server.baseUrl}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(TEST_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto(`${server.baseUrl}/cases/${caseId}`);
    await page.getByTestId('session-card').waitFor();
    return page;
  }

  test('the called-in official sees the case but no invitation, start, end or enter button', async () => {
    for (const language of ['zh-CN', 'en'] as const) {
      for (const phone of [false, true]) {
        const page = await openCase('off1', language, phone);
        for (const id of ['invitation-panel', 'start-session', 'end-session', 'enter-room']) {
          assert.equal(await page.getByTestId(id).count(), 0, `${id} offered to the official (${language}, ${phone ? 'phone' : 'desktop'})`);
        }
        await screenshot(page, `case-actions-official-${language}-${phone ? 'phone' : 'desktop'}`);
      }
    }
  });

  test('the case’s own mediator is offered the invitation panel and the room', async () => {
    const page = await openCase('med1', 'zh-CN', false);
    await page.getByTestId('invitation-panel').waitFor();
    await page.getByTestId('enter-room').waitFor();
    await screenshot(page, 'case-actions-mediator-zh-CN-desktop');
  });
});
