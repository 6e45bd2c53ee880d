import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { until } from '../helpers/wait.ts';

/*
 * The public report form on a phone (optional other side, the query code copied, saved as an
 * image and sent by SMS), the supervisor's dashboard with the new report, an official's whistle
 * badge and notice, and the case timeline's labels — in Chinese and English, with screenshots.
 */
type Lang = 'zh-CN' | 'en';
const desktop = { viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Shanghai' };

describe('case loop: public report, dashboard, whistle alert, timeline labels (Chromium)', () => {
  let server: FullServer;
  let browser: Browser;
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const reports: Record<Lang, string> = { 'zh-CN': '', en: '' };

  const open = async (lang: Lang, options: Parameters<Browser['newContext']>[0]): Promise<Page> => {
    const ctx = await browser.newContext({ locale: lang, acceptDownloads: true, ...options });
    contexts.push(ctx);
    await ctx.addInitScript((l) => localStorage.setItem('cm.lang', l), lang);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    return page;
  };
  const login = (page: Page, username: string) => loginStaff(page, server.baseUrl, username, TEST_PASSWORD);
  const noHorizontalOverflow = async (page: Page, what: string) => {
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `${what}: page is ${scroll}px wide in a ${inner}px window`);
  };

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run bash scripts/setup.sh test');
    server = await startFullServer({ env: { STAFF_SESSION_HOURS: '24' } });
    for (const [name, role, displayName] of [
      ['sup1', 'supervisor', '李主任'],
      ['med1', 'mediator', '王调解员'],
      ['off1', 'official', '赵科长'],
      ['admin1', 'admin', '管理员'],
    ] as const) {
      ids[name] = await server.createUser(name, role, { displayName });
      tok[name] = (await server.login(name)).token;
    }
    const hr = await server.api('POST', '/api/admin/units', {
      token: tok.admin1,
      body: { name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' },
    });
    assert.equal(hr.status, 201);
    ids.hr = hr.body.id;
    assert.equal((await server.api('PUT', `/api/admin/users/${ids.off1}/unit`, { token: tok.admin1, body: { unitId: ids.hr } })).status, 200);
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    test(`/report on a phone (${lang}): the other side by name only; the code copied, saved as an image and sent by SMS`, async () => {
      const page = await open(lang, phoneViewport);
      await page.goto(`${server.baseUrl}/report`);
      await page.locator('select[name=disputeType]').selectOption('neighbour');
      await page.locator('textarea[name=description]').fill('楼上邻居装修噪音扰民，多次沟通无果。');
      await page.locator('input[name="parties.0.name"]').fill('刘六');
      await page.locator('input[name="parties.0.phone"]').fill('13812345678');
      await page.locator('input[name="parties.1.name"]').fill('王五');
      await screenshot(page, `caseloop-report-form-${lang}`);
      await page.getByTestId('report-submit').click();
      await page.getByTestId('report-receipt').waitFor();
      const caseNumber = (await page.getByTestId('receipt-case-number').textContent())!.trim();
      reports[lang] = caseNumber;
      const queryCode = (await page.getByTestId('receipt-query-code').textContent())!.trim();
      assert.match(queryCode, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);

      // Copy: both codes reach the clipboard.
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
      await page.getByTestId('receipt-copy').click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.ok(copied.includes(caseNumber) && copied.includes(queryCode), copied);

      // Save as image: a PNG named after the case.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('receipt-save').click()]);
      assert.equal(download.suggestedFilename(), `${caseNumber}.png`);
      const png = readFileSync((await download.path())!);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
      assert.ok(png.length > 2000, 'with something drawn on it');

      // SMS: lands in the dev outbox, to the reporter's phone, with both codes.
      await page.getByTestId('receipt-sms').click();
      await page.getByTestId('receipt-sms-sent').waitFor();
      assert.match((await page.getByTestId('receipt-sms-sent').textContent())!, /138\*{4}5678/);
      const { sql } = server.testDb;
      const sms = (await sql.get<{ phone: string; text: string }>(
        `SELECT "phone", "text" FROM "SmsOutbox" WHERE "purpose" = 'query_code' ORDER BY ${sql.insertionOrder} DESC LIMIT 1`,
      ))!;
      assert.equal(sms.phone, '13812345678');
      assert.ok(sms.text.includes(caseNumber) && sms.text.includes(queryCode), sms.text);
      await noHorizontalOverflow(page, `receipt ${lang}`);
      await screenshot(page, `caseloop-report-receipt-${lang}`);
      assert.deepEqual(errors, []);
    });
  }

  for (const lang of ['zh-CN', 'en'] as const) {
    test(`dashboard (${lang}): the new citizen report is listed and counted as not timed (grey), not green`, async () => {
      assert.ok(reports[lang], 'the report test ran');
      const page = await open(lang, desktop);
      await login(page, 'sup1');
      await page.goto(`${server.baseUrl}/dashboard`);
      await page.getByTestId('dash-intake').getByText(reports[lang]).waitFor();
      await page.locator('[data-testid=by-light] [data-key=none][data-n="2"]').waitFor();
      await page.locator('[data-testid=by-light] [data-key=green][data-n="0"]').waitFor();
      await noHorizontalOverflow(page, `dashboard ${lang}`);
      await screenshot(page, `caseloop-dashboard-intake-${lang}`);
    });
  }

  for (const lang of ['zh-CN', 'en'] as const) {
    test(`an official (${lang}) sees a badge with the number of open whistles and a notice for a new one`, async () => {
      const page = await open(lang, desktop);
      await login(page, 'off1');
      const before = Number((await server.api('GET', '/api/whistles/pending', { token: tok.off1 })).body.count);
      // The mediator registers a case at the window, opens a session and calls 区人社局 in.
      const c = await server.api('POST', '/api/cases', {
        token: tok.med1,
        body: { disputeType: 'labour', title: '欠薪纠纷', description: '拖欠工资', parties: [{ side: 'applicant', name: '张三', phone: '13812345678' }] },
      });
      assert.equal(c.status, 201);
      assert.equal((await server.api('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.med1 })).status, 201);
      const wh = await server.api('POST', `/api/cases/${c.body.id}/whistles`, { token: tok.med1, body: { unitId: ids.hr, need: '请人社局核实欠薪金额' } });
      assert.equal(wh.status, 201, JSON.stringify(wh.body));
      // Moving to another page of the console asks at once (no wait for the next poll).
      await page.locator('.staff-nav a[href="/queue"]').click();
      await page.getByTestId('whistle-notice').waitFor();
      await until(async () => (await page.getByTestId('whistle-badge').textContent())?.trim() === String(before + 1), 'the badge shows the open requests');
      assert.ok((await page.getByTestId('whistle-notice').textContent())!.includes('请人社局核实欠薪金额'));
      await screenshot(page, `caseloop-whistle-badge-${lang}`);
      await page.getByTestId('whistle-notice').getByRole('link').click();
      await page.waitForURL((u) => u.pathname === '/whistles');
      assert.equal(await page.getByTestId('whistle-notice').count(), 0, 'opened: the notice goes');
    });
  }

  for (const lang of ['zh-CN', 'en'] as const) {
    test(`the case page (${lang}): a walk-in case can be closed by its mediator; every timeline entry has a label, never a key`, async () => {
      const c = await server.api('POST', '/api/cases', {
        token: tok.med1,
        body: { disputeType: 'debt', title: '借款纠纷', description: '借款两万元未还', parties: [{ side: 'applicant', name: '甲', phone: '13800000000' }] },
      });
      const s = await server.api('POST', `/api/cases/${c.body.id}/sessions`, { token: tok.med1 });
      // A caucus as the room records it, and the session's end (everyone left with reason session_ended).
      await server.app.services.roomRecord.recordCaucus(s.body.id, 'started', { caucusId: 'c1', actor: `user:${ids.med1}`, members: [] });
      await server.app.services.roomRecord.recordCaucus(s.body.id, 'ended', { caucusId: 'c1', actor: `user:${ids.med1}`, members: [] });
      assert.equal((await server.api('POST', `/api/sessions/${s.body.id}/end`, { token: tok.med1 })).status, 200);

      const page = await open(lang, desktop);
      await login(page, 'med1');
      await page.goto(`${server.baseUrl}/cases/${c.body.id}`);
      await page.locator('[data-testid=loop-card][data-state=in_mediation]').waitFor();
      await page.getByTestId('action-close_settled').waitFor();
      await page.locator('[data-testid=timeline-entry][data-type="caucus.ended"]').waitFor();
      const text = await page.getByTestId('timeline-card').innerText();
      for (const raw of ['caucus.started', 'caucus.ended', 'session_ended', 'session.ended', 'case.take_on', 'cl.tl.']) {
        assert.ok(!text.includes(raw), `${lang}: the timeline shows the raw key ${raw}`);
      }
      await screenshot(page, `caseloop-case-timeline-${lang}`);
    });
  }
});
