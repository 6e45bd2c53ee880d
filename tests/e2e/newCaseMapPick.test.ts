import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoUsers, seedDemo } from '../../server/demo/seed.ts';
import { createLogger } from '../../server/logger.ts';
import { collectCspViolations, launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { canvasColours } from '../helpers/canvasColours.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * The new-case form's map (在地图上选点), on the demo data: staff click a point on a small map of
 * the grids; the form shows the grid the server found for it and fills in its code; the case is
 * created with the point and that grid. The picker's map is shaded by open cases like the grid
 * map, so the test finds 和平社区第三网格 (the only grid with three) by its colour and clicks there.
 * On a phone, a tap outside every grid is shown as such and the case keeps the point without a grid.
 */

/** openShades in client/src/components/gridmap/shading.ts: 1 and 3+ open cases. */
const ONE_OPEN = [0xfd, 0xe3, 0xc3];
const THREE_OPEN = [0xe0, 0x7b, 0x28];
const BUSIEST = { code: '330199001002003', name: '和平社区第三网格' };

let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const violations: string[][] = [];
const pageErrors: string[] = [];

before(async () => {
  server = await startFullServer();
  await seedDemo({ db: server.testDb.db, log: createLogger('seed') });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function newCaseForm(username: string, options: Parameters<Browser['newContext']>[0], language: 'zh-CN' | 'en'): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 }, ...options });
  contexts.push(context);
  violations.push(await collectCspViolations(context, `${username} ${language}`));
  await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await loginStaff(page, server.baseUrl, username, demoUsers.find((u) => u.username === username)!.password);
  await page.getByRole('button', { name: language === 'en' ? 'New case' : '新建案件' }).click();
  await page.getByTestId('new-case-map-toggle').click();
  await page.waitForFunction(() => (document.querySelector('[data-testid=grid-picker-map] canvas') as HTMLCanvasElement | null)?.width);
  await page.getByTestId('grid-picker-map').scrollIntoViewIfNeeded();
  return page;
}

/** Where the picker's map has a colour: pixel count and the median pixel (CSS px in the page). */
async function colourAt(page: Page, rgb: number[]): Promise<{ count: number; x: number; y: number }> {
  return (await canvasColours(page, '[data-testid=grid-picker-map]', [rgb]))[0]!;
}

async function fillCase(page: Page, title: string): Promise<void> {
  await page.locator('select[name=disputeType]').selectOption('neighbour');
  await page.locator('input[name=title]').fill(title);
  await page.locator('textarea[name=description]').fill('楼道堆放杂物，影响通行，多次沟通未果。');
  await page.locator('input[name="parties.0.name"]').fill('周十');
  await page.locator('input[name="parties.0.phone"]').fill('13812345678');
}

/** A full-page screenshot resizes the page for a moment (and the map with it): `viewport` for one taken between taps. */
async function shot(page: Page, name: string, viewport = false): Promise<void> {
  const dir = '/tmp/shots/gridgaps';
  mkdirSync(dir, { recursive: true });
  if (viewport) return void (await page.screenshot({ path: path.join(dir, `new-case-map-${name}.png`) }));
  copyFileSync(await screenshot(page, `new-case-map-${name}`), path.join(dir, `new-case-map-${name}.png`));
}

const status = (page: Page) => page.getByTestId('grid-picker-status');
const stateIs = (page: Page, state: string) =>
  page.waitForFunction((s) => document.querySelector('[data-testid=grid-picker-status]')?.getAttribute('data-state') === s, state);

test('a mediator clicks the busiest grid on the form’s map: the form names it, the case has the point and that grid', async () => {
  const page = await newCaseForm('mediator', {}, 'zh-CN');
  await fillCase(page, '楼道堆物纠纷');
  const before = await colourAt(page, THREE_OPEN);
  assert.ok(before.count > 100, `the picker shades the grids (${before.count} px)`);
  // Zoomed in on it first: picking keeps the zoom.
  await page.mouse.move(before.x, before.y);
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -120);
  await page.mouse.move(1, 1); // a grid under the pointer is drawn highlighted, not in its shade
  let busiest = await colourAt(page, THREE_OPEN);
  for (let i = 0; i < 50 && busiest.count < before.count * 1.5; i++) busiest = await colourAt(page, THREE_OPEN);
  assert.ok(busiest.count > before.count * 1.5, `zoomed in (${before.count} → ${busiest.count} px)`);
  await page.mouse.click(busiest.x, busiest.y);
  await stateIs(page, 'found');
  await page.mouse.move(1, 1);
  const after = await colourAt(page, THREE_OPEN);
  assert.ok(after.count > before.count * 1.5, `still zoomed in after the pick (${after.count} px)`);
  assert.match((await status(page).textContent())!, new RegExp(`${BUSIEST.name}（${BUSIEST.code}）`));
  assert.equal(await page.getByTestId('new-case-grid').inputValue(), BUSIEST.code, 'the grid field shows its code');
  await shot(page, 'zh-desktop');

  await page.getByRole('button', { name: '登记案件' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
  const c = await server.testDb.db.case.findFirstOrThrow({ where: { title: '楼道堆物纠纷' } });
  assert.equal(c.grid, BUSIEST.code);
  assert.deepEqual([c.community, c.town, c.district], ['和平社区', '城关街道', '示范区']);
  assert.ok(c.longitude !== null && c.latitude !== null, 'the point is stored');
  const again = await server.app.services.grids.resolve({ lng: c.longitude, lat: c.latitude });
  assert.equal(again.grid?.code, BUSIEST.code, 'and it lies in that grid');
});

test('on a phone, a tap outside every grid is kept as a point without a grid; a tap in a grid names it', async () => {
  const page = await newCaseForm('gridworker', phoneViewport, 'zh-CN');
  await fillCase(page, '围墙外倾倒垃圾纠纷');
  const box = (await page.getByTestId('grid-picker-map').boundingBox())!;
  await page.touchscreen.tap(box.x + 6, box.y + 6);
  await stateIs(page, 'outside');
  assert.match((await status(page).textContent())!, /不在任何网格内/);
  await shot(page, 'outside-zh-phone', true);

  const grid = await colourAt(page, ONE_OPEN);
  await page.touchscreen.tap(grid.x, grid.y);
  await stateIs(page, 'found');
  const code = await page.getByTestId('new-case-grid').inputValue();
  assert.match(code, /^330199\d{9}$/);
  await shot(page, 'zh-phone', true);

  // Back outside, then submitted: the point is kept, without a grid (the picked code went with the point).
  await page.getByTestId('new-case-grid').fill('');
  assert.equal(await status(page).getAttribute('data-state'), 'idle', 'typing a grid code drops the point');
  await page.touchscreen.tap(box.x + 6, box.y + 6);
  await stateIs(page, 'outside');
  await page.getByRole('button', { name: '登记案件' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
  const c = await server.testDb.db.case.findFirstOrThrow({ where: { title: '围墙外倾倒垃圾纠纷' } });
  assert.equal(c.grid, null);
  assert.ok(c.longitude !== null && c.latitude !== null && c.longitude < 120.1, 'the point west of the demo county is stored');
});

test('the form’s map in English, desktop and phone', async () => {
  for (const [name, options] of [
    ['en-desktop', {}],
    ['en-phone', phoneViewport],
  ] as const) {
    const page = await newCaseForm('mediator', options, 'en');
    const busiest = await colourAt(page, THREE_OPEN);
    await page.mouse.click(busiest.x, busiest.y);
    await stateIs(page, 'found');
    assert.match((await status(page).textContent())!, new RegExp(`The point is in ${BUSIEST.name} \\(${BUSIEST.code}\\)`));
    await shot(page, name);
  }
});

test('no Content-Security-Policy violation and no page error', () => {
  assert.deepEqual(violations.flat(), []);
  assert.deepEqual(pageErrors, []);
});
