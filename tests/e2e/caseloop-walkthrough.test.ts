import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../server/clock.ts';
import { launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';

/*
 * The closed case loop in Chromium, with a manual server clock:
 * grid worker reports → supervisor registers, grades, routes, assigns → green → yellow → red (pinned first)
 * → mediator whistles a department → official accepts and joins the session → mediator closes
 * → follow-up link → the party rates the mediation on a phone → followed_up.
 * The browsers' clocks are pinned to the server's so "time left / overdue" texts agree with the lights.
 */
const DAY = 24 * 3600_000;
const desktop = { viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

describe('case loop walk-through in Chromium', () => {
  let server: FullServer;
  let browser: Browser;
  const clock = new ManualClock('2026-01-05T09:00:00+08:00');
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const units: Record<string, string> = {};
  const pinned: BrowserContext[] = [];
  const errors: string[] = [];
  const openPages = new Map<string, Page>();
  /** On failure, a screenshot of every open page (tests/artifacts/caseloop-failed-*.png). */
  const onFailure = async (error: unknown) => {
    for (const [name, page] of openPages) if (!page.isClosed()) await screenshot(page, `caseloop-failed-${name}`).catch(() => undefined);
    throw error;
  };

  const syncClocks = async () => {
    for (const ctx of pinned) await ctx.clock.setFixedTime(clock.now());
  };
  const newContext = async (name: string, options: Parameters<Browser['newContext']>[0], pin: boolean) => {
    const ctx = await browser.newContext(options);
    if (pin) {
      await ctx.clock.setFixedTime(clock.now());
      pinned.push(ctx);
    }
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') console.log(`[${name}] console: ${m.text()}`);
    });
    openPages.set(name, page);
    return { ctx, page };
  };
  const login = (page: Page, username: string) => loginStaff(page, server.baseUrl, username, TEST_PASSWORD);
  const caseState = async (caseId: string) => (await server.api('GET', `/api/cases/${caseId}`, { token: tok.sup1 })).body.state as string;
  const runAction = async (page: Page, action: string, fill: () => Promise<void>, expectState: string) => {
    await page.getByTestId(`action-${action}`).click();
    await page.getByTestId(`action-form-${action}`).waitFor();
    await fill();
    await page.getByTestId('action-submit').click();
    await page.locator(`[data-testid=loop-card][data-state=${expectState}]`).waitFor({ timeout: 10_000 });
  };

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run npx vite build --config client/vite.config.ts');
    server = await startFullServer({ clock, env: { STAFF_SESSION_HOURS: String(24 * 365) } });
    const users: Array<[string, 'gridworker' | 'supervisor' | 'mediator' | 'official' | 'admin', string]> = [
      ['grid1', 'gridworker', '孙网格员'],
      ['sup1', 'supervisor', '李主任'],
      ['med1', 'mediator', '王调解员'],
      ['off1', 'official', '赵科长'],
      ['admin1', 'admin', '管理员'],
    ];
    for (const [name, role, displayName] of users) {
      ids[name] = await server.createUser(name, role, { displayName });
      tok[name] = (await server.login(name)).token;
    }
    const unit = async (body: Record<string, unknown>) => {
      const res = await server.api('POST', '/api/admin/units', { token: tok.admin1, body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    units.town = await unit({ name: '城关街道调处中心', kind: 'mediation_centre', level: 'town' });
    units.county = await unit({ name: '区调处中心', kind: 'mediation_centre', level: 'county' });
    units.hr = await unit({ name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' });
    const put = await server.api('PUT', `/api/admin/users/${ids.off1}/unit`, { token: tok.admin1, body: { unitId: units.hr } });
    assert.equal(put.status, 200);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('report → route → yellow → red → whistle → join → close → party follow-up', async () => {
    await walkThrough().catch(onFailure);
  });

  async function walkThrough() {
    // 1. The grid worker registers a case through the form (state: reported).
    const grid = await newContext('grid', desktop, true);
    await login(grid.page, 'grid1');
    await grid.page.getByRole('button', { name: '新建案件' }).click();
    await grid.page.locator('select[name=disputeType]').selectOption('labour');
    await grid.page.locator('input[name=title]').fill('张三与某建筑公司欠薪纠纷');
    await grid.page.locator('textarea[name=description]').fill('张三在工地务工三个月，工资 18000 元未结清。');
    await grid.page.locator('input[name="parties.0.name"]').fill('张三');
    await grid.page.locator('input[name="parties.0.phone"]').fill('13812345678');
    await grid.page.locator('input[name="parties.1.name"]').fill('某某建筑公司');
    await grid.page.locator('input[name="parties.1.phone"]').fill('13987654321');
    await grid.page.locator('form button[type=submit]').click();
    await grid.page.waitForURL(/\/cases\//);
    const caseId = decodeURIComponent(new URL(grid.page.url()).pathname.split('/').pop()!);
    await grid.page.locator('[data-testid=loop-card][data-state=reported]').waitFor();
    assert.doesNotMatch(await grid.page.content(), /13812345678/, 'phones are masked for the grid worker');
    await screenshot(grid.page, 'caseloop-01-grid-reported');
    pinned.splice(pinned.indexOf(grid.ctx), 1);
    await grid.ctx.close();

    // 2. The supervisor registers, grades and routes (rule suggestion), and assigns the mediator.
    const sup = await newContext('supervisor', desktop, true);
    await login(sup.page, 'sup1');
    await sup.page.goto(`${server.baseUrl}/cases/${caseId}`);
    await runAction(sup.page, 'register', async () => {}, 'registered');
    await runAction(
      sup.page,
      'grade_and_route',
      async () => {
        await sup.page.locator('select[name=grade]').selectOption('low');
        await sup.page.getByTestId('routing-suggestion').waitFor();
        await sup.page.locator('select[name=unitId]').selectOption({ label: '城关街道调处中心' });
        await screenshot(sup.page, 'caseloop-02-grade-and-route');
      },
      'routed',
    );
    await runAction(
      sup.page,
      'assign',
      async () => {
        await sup.page.locator('select[name=mediatorId]').selectOption({ label: '王调解员' });
      },
      'assigned',
    );
    const routed = (await server.api('GET', `/api/cases/${caseId}`, { token: tok.sup1 })).body;
    assert.equal(routed.timeLimitDays, 10, 'labour / low: the rule gives 10 days');
    assert.equal(routed.light, 'green');

    // Green on the dashboard.
    await sup.page.goto(`${server.baseUrl}/dashboard`);
    await sup.page.locator('[data-testid=by-light] [data-key=green][data-n="1"]').waitFor();
    assert.equal(await sup.page.getByTestId('loop-row').count(), 0, 'nothing to watch while green');
    await screenshot(sup.page, 'caseloop-03-dashboard-green');

    // 3. 8 of 10 days used → yellow (75 %).
    clock.advance(8 * DAY);
    await syncClocks();
    await sup.page.reload();
    await sup.page.locator('[data-testid=loop-row][data-light=yellow]').waitFor();
    await screenshot(sup.page, 'caseloop-04-dashboard-yellow');

    // A second case, routed now (green), so the list shows the red one pinned above it.
    const other = await server.api('POST', '/api/cases', {
      token: tok.grid1,
      body: {
        disputeType: 'neighbour',
        title: '李四与王五邻里漏水纠纷',
        description: '楼上漏水，协商未果。',
        parties: [{ side: 'applicant', name: '李四', phone: '13700001111' }],
      },
    });
    assert.equal(other.status, 201);
    for (const [action, body] of [
      ['register', {}],
      ['grade_and_route', { grade: 'low', level: 'town', unitId: units.town }],
      ['assign', { mediatorId: ids.med1 }],
    ] as const) {
      const r = await server.api('POST', `/api/cases/${other.body.id}/actions/${action}`, { token: tok.sup1, body });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }

    // 4. Past the deadline → red, pinned to the top of every list.
    clock.advance(3 * DAY);
    await syncClocks();
    await sup.page.reload();
    await sup.page.locator('[data-testid=loop-row][data-light=red]').waitFor();
    await screenshot(sup.page, 'caseloop-05-dashboard-red');
    await sup.page.goto(`${server.baseUrl}/`);
    await sup.page.getByTestId('case-row').first().waitFor();
    assert.equal(await sup.page.getByTestId('case-row').first().getAttribute('data-case-id'), caseId, 'red first');
    assert.equal(await sup.page.getByTestId('case-row').first().getAttribute('data-light'), 'red');
    await screenshot(sup.page, 'caseloop-06-list-red-pinned');

    // The supervisor adds a supervision note (督办) on the red case.
    await sup.page.goto(`${server.baseUrl}/cases/${caseId}`);
    await sup.page.locator('textarea[name=supText]').fill('已超期，请于明日前报告进展');
    await sup.page.getByTestId('supervision-form').locator('button[type=submit]').click();
    await sup.page.getByTestId('supervision-note').waitFor();

    // 5. The mediator: work queue (red first), answers the note, starts the session, whistles the department.
    const med = await newContext('mediator', desktop, true);
    await login(med.page, 'med1');
    await med.page.goto(`${server.baseUrl}/queue`);
    await med.page.getByTestId('loop-row').first().waitFor();
    assert.equal(await med.page.getByTestId('loop-row').first().getAttribute('data-case-id'), caseId);
    await screenshot(med.page, 'caseloop-07-mediator-queue');
    await med.page.getByTestId('loop-row').first().getByTestId('open-case').click();
    await med.page.locator('[data-testid=loop-card][data-state=assigned]').waitFor();
    await med.page.locator('textarea[name=answer]').fill('今日已联系双方，明天上午召开云调解');
    await med.page.getByTestId('supervision-card').locator('button[type=submit]').click();
    await med.page.locator('.sup-note--answered').waitFor();
    await med.page.getByTestId('start-session').click();
    await med.page.getByTestId('enter-room').waitFor();
    await med.page.locator('[data-testid=loop-card][data-state=in_mediation]').waitFor();
    await med.page.getByTestId('action-close_settled').waitFor();
    await med.page.getByTestId('whistle-open').click();
    await med.page.locator('select[name=whistleUnit]').selectOption({ label: '区人社局' });
    await med.page.locator('textarea[name=whistleNeed]').fill('请人社局核实欠薪金额并到场说明政策');
    await med.page.getByTestId('whistle-submit').click();
    await med.page.locator('[data-testid=whistle-item][data-status=open]').waitFor();
    await screenshot(med.page, 'caseloop-08-mediator-whistle');

    // 6. The official accepts in the whistle queue and joins the session.
    clock.advance(20 * 60_000);
    await syncClocks();
    const off = await newContext('official', desktop, false);
    await login(off.page, 'off1');
    await off.page.goto(`${server.baseUrl}/whistles`);
    await off.page.getByTestId('whistle-task').first().waitFor();
    await off.page.getByTestId('whistle-accept').first().click();
    await off.page.getByTestId('whistle-join').waitFor();
    await screenshot(off.page, 'caseloop-09-whistle-accepted');
    await off.page.getByTestId('whistle-join').click();
    await off.page.getByTestId('invitation-landing').waitFor();
    const continueButton = off.page.getByTestId('continue');
    if (await continueButton.isVisible().catch(() => false)) await continueButton.click();
    await off.page.getByTestId('prejoin').waitFor();
    await off.page.getByTestId('join-button').click();
    await off.page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    await off.page.waitForTimeout(800);
    await screenshot(off.page, 'caseloop-10-official-joined');
    const whistles = (await server.api('GET', `/api/cases/${caseId}/whistles`, { token: tok.sup1 })).body as Array<{ status: string; responseSeconds: number }>;
    assert.equal(whistles[0]?.status, 'accepted');
    assert.equal(whistles[0]?.responseSeconds, 20 * 60, 'the time taken is recorded');

    // 7. The mediator closes the case as settled and makes the follow-up link.
    await med.page.reload();
    await runAction(
      med.page,
      'close_settled',
      async () => {
        await med.page.locator('textarea[name=summary]').fill('被申请人于 1 月 31 日前分两期支付 18000 元');
      },
      'closed_settled',
    );
    await med.page.getByTestId('followup-link-create').click();
    const linkField = med.page.getByTestId('followup-link').getByTestId('invitation-url');
    await linkField.waitFor();
    const followUpUrl = await linkField.inputValue();
    assert.ok(followUpUrl.startsWith(`${server.baseUrl}/followup#t=`), followUpUrl);
    await screenshot(med.page, 'caseloop-11-closed-followup-link');

    // 8. The party rates the mediation on a phone, without logging in.
    const party = await newContext('party', { ...phoneViewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }, false);
    await party.page.goto(followUpUrl);
    await party.page.getByTestId('followup-page').waitFor();
    assert.doesNotMatch(party.page.url(), /#t=/, 'the token leaves the address bar');
    await party.page.getByTestId('choice-satisfied').click();
    await party.page.locator('textarea[name=notes]').fill('第一期款已收到，谢谢调解员');
    await screenshot(party.page, 'caseloop-12-party-followup-phone');
    await party.page.getByTestId('followup-submit').click();
    await party.page.getByTestId('followup-done').waitFor();
    await screenshot(party.page, 'caseloop-13-party-followup-done');
    assert.equal(await caseState(caseId), 'followed_up');

    // 9. The loop is complete; the hash chain checks out.
    await med.page.reload();
    await med.page.locator('[data-testid=loop-card][data-state=followed_up]').waitFor();
    await med.page.getByTestId('timeline-verify').click();
    await med.page.locator('[data-testid=timeline-verify-result][data-ok=true]').waitFor();
    const types = await med.page.getByTestId('timeline-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    for (const t of [
      'case.created',
      'case.grade_and_route',
      'whistle.requested',
      'whistle.accepted',
      'supervision.added',
      'case.close_settled',
      'case.record_follow_up',
    ]) {
      assert.ok(types.includes(t), `timeline has ${t}: ${types.join(', ')}`);
    }
    await screenshot(med.page, 'caseloop-14-followed-up-timeline');

    // Dashboard after the loop: settled and satisfied.
    await sup.page.goto(`${server.baseUrl}/dashboard`);
    await sup.page.getByTestId('kpi-satisfaction').waitFor();
    assert.match((await sup.page.getByTestId('kpi-satisfaction').textContent()) ?? '', /100\.0%/);
    await screenshot(sup.page, 'caseloop-15-dashboard-after');

    assert.deepEqual(errors, []);
    for (const c of [sup.ctx, med.ctx, off.ctx, party.ctx]) await c.close();
  }

  test('a citizen reports online and follows progress with the query code (phone)', async () => {
    await citizen().catch(onFailure);
  });

  async function citizen() {
    const { ctx, page } = await newContext('citizen', { ...phoneViewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }, false);
    await page.goto(`${server.baseUrl}/report`);
    await page.locator('select[name=disputeType]').selectOption('property');
    await page.locator('textarea[name=description]').fill('小区物业长期不修电梯，多次反映无果。');
    await page.locator('input[name=community]').fill('幸福社区');
    await page.locator('input[name="parties.0.name"]').fill('周六');
    await page.locator('input[name="parties.0.phone"]').fill('13600002222');
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-receipt').waitFor();
    const caseNumber = (await page.getByTestId('receipt-case-number').textContent())!.trim();
    const queryCode = (await page.getByTestId('receipt-query-code').textContent())!.trim();
    assert.ok(caseNumber && queryCode);
    await screenshot(page, 'caseloop-16-public-receipt');

    await page.goto(`${server.baseUrl}/query`);
    await page.locator('input[name=caseNumber]').fill(caseNumber);
    await page.locator('input[name=queryCode]').fill(queryCode);
    await page.getByTestId('query-submit').click();
    await page.locator('[data-testid=query-result][data-state=reported]').waitFor();
    assert.doesNotMatch(await page.content(), /13600002222|周六/, 'nothing personal in the progress page');
    assert.doesNotMatch(page.url(), new RegExp(queryCode), 'the code never goes in the URL');
    await screenshot(page, 'caseloop-17-public-query');
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});
