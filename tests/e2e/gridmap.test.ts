import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoPointIn } from '../../server/demo/demoGrids.ts';
import { demoUsers, seedDemo } from '../../server/demo/seed.ts';
import { createLogger } from '../../server/logger.ts';
import { artifactFile, collectCspViolations, launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { canvasColours } from '../helpers/canvasColours.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * The grid map in Chromium, on the demo data: an admin imports the demo grid file through the
 * page (a broken copy first: refused, feature and reason named, nothing changed), a supervisor
 * sees the grids shaded by open cases (pixels of the map's canvas in the shading colours), clicks
 * the busiest grid and opens one of its cases; a grid worker's phone shows their own grid and its
 * cases; a citizen's phone report with the location consented lands in the right grid.
 */

const DEMO_FILE = path.resolve('server/demo/demo-grids.geojson');
/** openShades in client/src/components/gridmap/shading.ts: 1, 2 and 3+ open cases. */
const ONE_OPEN = [0xfd, 0xe3, 0xc3];
const TWO_OPEN = [0xf7, 0xb2, 0x6e];
const THREE_OPEN = [0xe0, 0x7b, 0x28];
/** redShades: one red light. */
const ONE_RED = [0xf1, 0x9a, 0x9a];

let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Each context's CSP violations, read at the end. */
const pending: string[][] = [];
/** Requests to any other origin than the server's: without GRID_MAP_TILE_URL, no tile is asked for. */
const elsewhere: string[] = [];
const password = (username: string) => demoUsers.find((u) => u.username === username)!.password;

before(async () => {
  server = await startFullServer();
  await seedDemo({ db: server.testDb.db, log: createLogger('seed') });
  // Start from no grids: the admin loads them through the page. The demo cases keep their codes.
  await server.testDb.db.grid.deleteMany();
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function open(username: string | null, options: Parameters<Browser['newContext']>[0] = {}, language: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 }, ...options });
  contexts.push(context);
  const found = await collectCspViolations(context, username ?? 'citizen');
  context.on('request', (r) => {
    if (!r.url().startsWith(`${server.baseUrl}/`) && !r.url().startsWith('data:')) elsewhere.push(r.url());
  });
  await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  pending.push(found);
  if (username) {
    await loginStaff(page, server.baseUrl, username, password(username));
  }
  return page;
}

/** Pixels of the map's canvas, counted by colour, and where each shading colour's pixels are (CSS px in the page). */
const canvasShades = (page: Page, colours: number[][]) => canvasColours(page, '[data-testid=grid-map]', colours);

async function shot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, `gridmap-${name}`);
  const dir = '/tmp/shots/gridmap';
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, path.join(dir, `${name}.png`));
}

test('an admin imports the demo grids (a broken file first: refused, named, nothing changed)', async () => {
  const page = await open('admin');
  await page.goto(`${server.baseUrl}/map`);
  await page.getByText('尚未导入网格').waitFor();

  const broken = JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as {
    features: Array<{ properties: { level: string; code?: string }; geometry: { coordinates: number[][][] } }>;
  };
  const k = broken.features.findIndex((f) => f.properties.level === 'grid') + 2;
  const ring = broken.features[k]!.geometry.coordinates[0]!;
  ring.pop(); // the ring is no longer closed
  const brokenFile = artifactFile('gridmap-broken.geojson');
  writeFileSync(brokenFile, JSON.stringify(broken));
  await page.locator('[data-testid=grid-import] input[type=file]').setInputFiles(brokenFile);
  await page.getByTestId('grid-import-submit').click();
  const error = page.getByTestId('grid-import-error');
  await error.waitFor();
  const text = await error.textContent();
  assert.match(text!, new RegExp(`第 ${k + 1} 个要素（features\\[${k}\\]，编码 ${broken.features[k]!.properties.code}）`));
  assert.match(text!, /未闭合/);
  assert.match(text!, /未做任何更改/);
  assert.equal(await server.testDb.db.grid.count(), 0, 'nothing was written');
  await shot(page, 'import-error-zh-desktop');

  await page.locator('[data-testid=grid-import] input[type=file]').setInputFiles(DEMO_FILE);
  await page.getByTestId('grid-import-submit').click();
  await page.getByTestId('grid-import-result').waitFor();
  assert.match((await page.getByTestId('grid-import-result').textContent())!, /16 个网格/);
  await page.locator('[data-testid=grid-map] canvas').first().waitFor();
  assert.equal(await server.testDb.db.grid.count({ where: { level: 'grid' } }), 16);
});

test('a supervisor sees the grids shaded by open cases, clicks the busiest grid and opens a case', async () => {
  const page = await open('supervisor');
  await page.getByRole('link', { name: '网格地图' }).click();
  await page.waitForURL((u) => u.pathname === '/map');
  await page.locator('[data-testid=grid-map] canvas').first().waitFor();
  // The demo cases: three in 和平社区第三网格, two in 幸福社区第一网格, one in some others.
  await page.waitForFunction(() => (document.querySelector('[data-testid=grid-map] canvas') as HTMLCanvasElement | null)?.width !== 0);
  let shades = await canvasShades(page, [ONE_OPEN, TWO_OPEN, THREE_OPEN]);
  assert.ok(shades[0]!.count > 500, `grids with one open case are shaded (${shades[0]!.count} px)`);
  assert.ok(shades[1]!.count > 500, `the grid with two open cases is shaded darker (${shades[1]!.count} px)`);
  assert.ok(shades[2]!.count > 500, `the grid with three open cases is the darkest (${shades[2]!.count} px)`);
  await shot(page, 'map-zh-desktop');

  // The red-light layer: the demo's overdue case (demoOverdueCase) shades its grid; the open-case shades are gone.
  await page.getByTestId('layer-red').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=grid-map]')?.getAttribute('data-layer') === 'red');
  const red = await canvasShades(page, [TWO_OPEN, THREE_OPEN, ONE_RED]);
  assert.deepEqual(
    red.slice(0, 2).map((s) => s.count),
    [0, 0],
    'the layer changed the shading',
  );
  assert.ok(red[2]!.count > 500, `the overdue demo case's grid is red (${red[2]!.count} px)`);
  await page.mouse.click(red[2]!.x, red[2]!.y);
  await page.getByTestId('grid-name').filter({ hasText: '东湖村第四网格' }).waitFor();
  await page.getByTestId('grid-cases').getByText('相邻通行纠纷').waitFor();
  await shot(page, 'map-red-zh-desktop');
  await page.getByTestId('layer-patrol').click();
  await shot(page, 'map-patrol-zh-desktop');
  await page.getByTestId('layer-open').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=grid-map]')?.getAttribute('data-layer') === 'open');
  shades = await canvasShades(page, [ONE_OPEN, TWO_OPEN, THREE_OPEN]);

  // Click where the darkest grid is drawn.
  await page.mouse.click(shades[2]!.x, shades[2]!.y);
  await page.getByTestId('grid-name').filter({ hasText: '和平社区第三网格' }).waitFor();
  const cases = page.getByTestId('grid-cases').getByRole('link');
  await cases.first().waitFor();
  assert.deepEqual((await cases.locator('.gridmap-cases__title').allTextContents()).sort(), ['保洁员工资纠纷', '小区停车剐蹭纠纷', '预付卡退费纠纷']);
  await shot(page, 'map-selected-zh-desktop');
  await cases.filter({ hasText: '预付卡退费纠纷' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
  await page.getByRole('heading', { name: '预付卡退费纠纷' }).first().waitFor();
});

test('the map in English, and on a phone', async () => {
  const en = await open('supervisor', {}, 'en');
  await en.goto(`${server.baseUrl}/map`);
  await en.getByRole('heading', { name: 'Grid map' }).waitFor();
  await en.locator('[data-testid=grid-map] canvas').first().waitFor();
  await en.waitForFunction(() => (document.querySelector('[data-testid=grid-map] canvas') as HTMLCanvasElement | null)?.width !== 0);
  await shot(en, 'map-en-desktop');
  const phone = await open('supervisor', phoneViewport);
  await phone.goto(`${server.baseUrl}/map`);
  await phone.locator('[data-testid=grid-map] canvas').first().waitFor();
  const shades = await canvasShades(phone, [ONE_OPEN]);
  assert.ok(shades[0]!.count > 200, 'shaded on the phone too');
  await shot(phone, 'map-zh-phone');
  const phoneEn = await open('supervisor', phoneViewport, 'en');
  await phoneEn.goto(`${server.baseUrl}/map`);
  await phoneEn.locator('[data-testid=grid-map] canvas').first().waitFor();
  await shot(phoneEn, 'map-en-phone');
});

test("a grid worker's phone shows their own grid and its cases", async () => {
  const page = await open('gridworker', phoneViewport);
  await page.getByRole('link', { name: '网格地图' }).click();
  await page.getByRole('heading', { name: '我的网格' }).waitFor();
  await page.getByTestId('grid-name').filter({ hasText: '幸福社区第一网格' }).waitFor();
  const titles = page.getByTestId('grid-cases').locator('.gridmap-cases__title');
  await titles.first().waitFor();
  assert.deepEqual((await titles.allTextContents()).sort(), ['楼上漏水邻里纠纷', '欠薪纠纷'], 'also the window case in their grid, which they did not report');
  await shot(page, 'gridworker-zh-phone');
  await titles.filter({ hasText: '欠薪纠纷' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
  await page.getByRole('heading', { name: '欠薪纠纷' }).first().waitFor();

  // Registering a case from the map: the form opens with the grid picked.
  await page.goBack();
  await page.getByTestId('grid-name').filter({ hasText: '幸福社区第一网格' }).waitFor();
  await page.getByTestId('grid-new-case').click();
  await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('grid') === '330199001001001');
  assert.equal(await page.getByTestId('new-case-grid').inputValue(), '330199001001001');
});

test("a citizen's phone report with their location consented lands in the right grid", async () => {
  const point = demoPointIn(1, 3); // 湖滨村第二网格
  const page = await open(null, { ...phoneViewport, geolocation: { longitude: point.lng, latitude: point.lat }, permissions: ['geolocation'] });
  await page.goto(`${server.baseUrl}/report`);
  await page.locator('select[name=disputeType]').selectOption('neighbour');
  await page.locator('textarea[name=description]').fill('邻居在公共过道堆放杂物，多次沟通未果。');
  const useLocation = page.getByTestId('use-location');
  assert.equal(await useLocation.isDisabled(), true, 'nothing is asked before the consent');
  await page.getByTestId('location-consent').check();
  await useLocation.click();
  await page.getByTestId('location-found').waitFor();
  await shot(page, 'report-location-zh-phone');
  await page.locator('input[name="parties.0.name"]').fill('刘六');
  await page.locator('input[name="parties.0.phone"]').fill('13812345678');
  await page.getByTestId('report-submit').click();
  const caseNumber = (await page.getByTestId('receipt-case-number').textContent())!;
  const c = await server.testDb.db.case.findUniqueOrThrow({ where: { caseNumber } });
  assert.equal(c.grid, '330199002002002');
  assert.equal(c.community, '湖滨村');
  assert.equal(c.longitude, point.lng);
  assert.equal(c.latitude, point.lat);
});

test('no Content-Security-Policy violation on these pages, and no request elsewhere (no tile server configured)', () => {
  assert.deepEqual(pending.flat(), []);
  assert.deepEqual(elsewhere, []);
});
