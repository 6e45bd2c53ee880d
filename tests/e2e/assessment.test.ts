import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../server/clock.ts';
import { artifactFile, launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';

/*
 * The assessment page (绩效考核, /assessment) in Chromium, over a fixture built through the API under
 * a fixed clock: reached from the supervisor's navigation, the ranking table and the trend chart
 * (its canvas is drawn), drill-down from a number to the cases behind it and on to a case, in
 * Chinese and English, on a desktop and a phone. Screenshots: tests/artifacts/assessment-*.png
 * (and SHOTS_DIR when set).
 */

let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const clock = new ManualClock('2026-02-20T09:00:00+08:00');
const at = (s: string) => clock.set(`${s}+08:00`);
let redCase = '';

async function shot(page: Page, name: string) {
  const file = await screenshot(page, `assessment-${name}`);
  const dir = process.env['SHOTS_DIR'];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, path.join(dir, path.basename(file)));
  }
}

/** The part of the page around `selector`, as seen on the screen (long phone pages are hard to read whole). */
async function part(page: Page, name: string, selector: string) {
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.evaluate((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'start' }), selector);
  const file = artifactFile(`assessment-${name}.png`);
  await page.screenshot({ path: file });
  const dir = process.env['SHOTS_DIR'];
  if (dir) copyFileSync(file, path.join(dir, path.basename(file)));
}

before(async () => {
  assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run bash scripts/setup.sh test');
  server = await startFullServer({ clock, env: { STAFF_SESSION_HOURS: String(24 * 365) } });
  await server.createUser('asadmin', 'admin', { displayName: '系统管理员' });
  await server.createUser('assup', 'supervisor', { displayName: '李主任' });
  const m1 = await server.createUser('asmed1', 'mediator', { displayName: '王调解员' });
  const m2 = await server.createUser('asmed2', 'mediator', { displayName: '陈调解员' });
  await server.createUser('asgrid', 'gridworker', { displayName: '孙网格员' });
  const off = await server.createUser('asoff', 'official', { displayName: '赵科长' });
  const tok: Record<string, string> = {};
  for (const u of ['asadmin', 'assup', 'asmed1', 'asmed2', 'asgrid', 'asoff']) tok[u] = (await server.login(u)).token;
  const call = async (who: string, method: string, p: string, body?: unknown) => {
    const res = await server.api(method, p, { token: tok[who]!, ...(body === undefined ? {} : { body }) });
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const unit = async (body: unknown) => (await call('asadmin', 'POST', '/api/admin/units', body)).id as string;
  const town = await unit({ name: '城关街道调处中心', kind: 'mediation_centre', level: 'town' });
  const county = await unit({ name: '区调处中心', kind: 'mediation_centre', level: 'county' });
  const committee = await unit({ name: '幸福社区人民调解委员会', kind: 'mediation_committee', level: 'community' });
  const hr = await unit({ name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' });
  for (const [u, id] of [
    [m1, town],
    [m2, county],
    [off, hr],
  ] as const)
    await call('asadmin', 'PUT', `/api/admin/users/${u}/unit`, { unitId: id });

  const report = async (title: string) =>
    (
      await call('asgrid', 'POST', '/api/cases', {
        disputeType: 'labour',
        title,
        description: '拖欠工资',
        parties: [
          { side: 'applicant', name: '张三', phone: '13812345678' },
          { side: 'respondent', name: '某某公司', phone: '13987654321' },
        ],
      })
    ).id as string;
  const act = (who: string, id: string, action: string, body: unknown = {}) => call(who, 'POST', `/api/cases/${id}/actions/${action}`, body);
  const route = async (id: string, unitId: string, level: string, days: number, mediatorId: string, mediator: string) => {
    await act('assup', id, 'register');
    await act('assup', id, 'grade_and_route', { grade: 'medium', level, unitId, timeLimitDays: days });
    await act('assup', id, 'assign', { mediatorId });
    await call(mediator, 'POST', `/api/cases/${id}/sessions`);
  };
  const followUp = (who: string, id: string, satisfaction: string) =>
    act(who, id, 'record_follow_up', { date: clock.now().toISOString(), method: 'phone', satisfaction, notes: '回访' });

  const a = await report('工资纠纷甲');
  await route(a, town, 'town', 10, m1, 'asmed1');
  at('2026-03-02T09:00:00');
  await act('asmed1', a, 'close_settled', { agreementForm: 'written', summary: '付清' });
  const b = await report('工资纠纷乙');
  await route(b, town, 'town', 2, m1, 'asmed1');
  const c = await report('工资纠纷丙');
  await route(c, county, 'county', 5, m2, 'asmed2');
  at('2026-03-02T11:00:00');
  const w = await call('asmed2', 'POST', `/api/cases/${c}/whistles`, { unitId: hr, need: '核实欠薪金额' });
  at('2026-03-02T15:00:00');
  await call('asoff', 'POST', `/api/whistles/${w.id}/accept`, {});
  at('2026-03-04T09:00:00');
  await followUp('asmed1', a, 'satisfied');
  await act('asmed2', c, 'close_unsettled', { reason: '拒绝调解', referredTo: 'court' });
  const d = await report('工资纠纷丁');
  await route(d, committee, 'community', 3, m2, 'asmed2');
  at('2026-03-06T09:00:00');
  await act('asmed1', b, 'close_settled', { agreementForm: 'oral', summary: '当场履行' });
  at('2026-03-09T09:00:00');
  await followUp('asmed1', b, 'basically_satisfied');
  await followUp('asmed2', c, 'not_satisfied');
  await report('工资纠纷戊');
  at('2026-03-20T10:00:00');
  redCase = (await server.api('GET', `/api/cases/${d}`, { token: tok.assup! })).body.caseNumber;
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

/** Pixels of the trend chart's canvas that are not transparent: ECharts has drawn once this is large. */
const drawnPixels = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=assessment-trend-chart] canvas');
    if (!canvas || canvas.width === 0) return 0;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });

async function showMarch(page: Page) {
  await page.locator('input[name=month]').fill('2026-03');
  await page.locator('[data-testid=assessment-ranking] tbody tr').first().waitFor();
  await page.waitForFunction(() => document.querySelector('.page-head') && document.body.innerText.includes('2026-03'));
  await page.waitForFunction(
    () => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=assessment-trend-chart] canvas');
      if (!canvas || canvas.width === 0) return false;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
      return false;
    },
    undefined,
    { timeout: 30_000 },
  );
}

test('a supervisor opens 绩效考核: ranking, drawn trend chart, drill-down to the cases; zh-CN and English, desktop and phone', async () => {
  const page = await loggedIn('assup', { viewport: { width: 1366, height: 900 } });
  await page.getByRole('link', { name: '绩效考核' }).click();
  await page.waitForURL((u) => u.pathname === '/assessment');
  await page.getByRole('heading', { name: '绩效考核' }).waitFor();
  await showMarch(page);
  assert.ok((await drawnPixels(page)) > 2000, 'the trend chart is drawn');

  // Units ranked by score; the town centre's row shows its numbers and the formula with the weights.
  const rows = page.locator('[data-testid=assessment-ranking] tbody tr');
  const names = await rows.locator('.as-name strong').allInnerTexts();
  assert.deepEqual([...names].sort(), ['区人社局', '区调处中心', '城关街道调处中心', '幸福社区人民调解委员会'].sort());
  const townRow = rows.filter({ hasText: '城关街道调处中心' });
  assert.equal(await townRow.locator('[data-indicator=closed]').innerText(), '2');
  assert.equal(await townRow.locator('[data-indicator=onTime]').innerText(), '1');
  assert.match(await townRow.getByTestId('score-formula').innerText(), /0\.3×按期办结率 50%/);
  await shot(page, 'desktop-zh-units');

  // Drill-down: the committee's red number → its overdue case → the case page.
  const committee = rows.filter({ hasText: '幸福社区人民调解委员会' });
  assert.equal(await committee.locator('[data-indicator=red]').innerText(), '1');
  await committee.locator('[data-indicator=red]').click();
  const drill = page.getByTestId('assessment-drill');
  await drill.getByRole('link', { name: redCase }).waitFor();
  await shot(page, 'desktop-zh-drill');

  await page.getByTestId('assessment-tab-person').click();
  await rows.filter({ hasText: '王调解员' }).waitFor();
  await rows.filter({ hasText: '赵科长' }).waitFor();
  assert.equal(await rows.filter({ hasText: '赵科长' }).locator('[data-indicator=whistles]').innerText(), '1');
  await shot(page, 'desktop-zh-persons');

  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'Performance assessment' }).waitFor();
  await page.getByTestId('assessment-tab-unit').click();
  await page.waitForFunction(() => document.body.innerText.includes('0.3×On-time rate'));
  await page.waitForFunction(() => document.querySelector('[data-testid=assessment-trend-chart] canvas') !== null);
  assert.ok((await drawnPixels(page)) > 2000, 'the chart is drawn again in English');
  await shot(page, 'desktop-en-units');

  await committee.locator('[data-indicator=red]').click();
  await drill.getByRole('link', { name: redCase }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
  await page.getByText(redCase).first().waitFor();

  const phone = await loggedIn('assup', phoneViewport);
  await phone.goto(`${server.baseUrl}/assessment`);
  await showMarch(phone);
  assert.ok((await drawnPixels(phone)) > 2000);
  await shot(phone, 'phone-zh');
  await part(phone, 'phone-zh-top', '.page-head');
  await part(phone, 'phone-zh-chart', '#as-trend-title');
  await part(phone, 'phone-zh-ranking', '#as-ranking-title');
  const overflow = await phone.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.as-table-wrap'));
    return { by: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5).map((e) => `${e.tagName}.${e.className}`) };
  });
  assert.ok(overflow.by <= 1, `the page does not scroll sideways on a phone (the table scrolls inside its card): ${JSON.stringify(overflow)}`);
  await phone.getByRole('button', { name: 'Switch to English' }).click();
  await phone.getByRole('heading', { name: 'Performance assessment' }).waitFor();
  await phone.waitForFunction(() => document.querySelector('[data-testid=assessment-trend-chart] canvas') !== null);
  await shot(phone, 'phone-en');
  await part(phone, 'phone-en-chart', '#as-trend-title');
  await phone.getByTestId('assessment-tab-person').click();
  await phone.locator('[data-testid=assessment-ranking] tbody tr').filter({ hasText: '王调解员' }).waitFor();
  await part(phone, 'phone-en-persons', '#as-ranking-title');
});

test('an admin edits the weights: a bad set is refused under its fields, a good one re-scores the ranking', async () => {
  const page = await loggedIn('asadmin', { viewport: { width: 1366, height: 900 } });
  await page.goto(`${server.baseUrl}/assessment`);
  await showMarch(page);
  const form = page.getByTestId('assessment-weights');
  await form.locator('input[name=onTimeRate]').fill('0.9');
  await form.getByRole('button', { name: '保存权重' }).click();
  await form.getByText('各项权重之和须为 1').waitFor();
  await form.locator('input[name=onTimeRate]').fill('0.3');
  await form.locator('input[name=successRate]').fill('0.2');
  await form.getByRole('button', { name: '保存权重' }).click();
  await form.getByText('权重已保存为第 2 版').waitFor();
  await page.waitForFunction(() => document.body.innerText.includes('评分权重（第 2 版）'));
  await shot(page, 'desktop-zh-weights');
});
