import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoGridFile, demoPointIn } from '../../server/demo/demoGrids.ts';
import { demoUsers, seedDemo } from '../../server/demo/seed.ts';
import { createLogger } from '../../server/logger.ts';
import { collectCspViolations, launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * The grid map over a tile server (GRID_MAP_TILE_URL). The test serves the tiles itself: every tile
 * that touches the demo county is one colour (TILE) with a small square of another (MARK) at the
 * centre's south of 和平社区第三网格, the demo grid with three open cases; every other tile fails (404).
 * The page must ask for the tiles of one zoom that cover the county, draw them under the grids
 * (the grids' shades blended over TILE, TILE around them), with the mark under that very grid
 * (the tiles line up with the grids), survive the failed tiles, and ask for the next zoom's tiles
 * after a zoom with the wheel. Pixels are read from screenshots: tiles from another origin,
 * loaded without CORS, leave the map's canvas unreadable to scripts, as in production.
 */

const TILE = [0x2f, 0x8f, 0x5b];
const MARK = [0x1f, 0x4f, 0xbf];
/** openShades in client/src/components/gridmap/shading.ts: 1 and 3+ open cases. */
const ONE_OPEN = [0xfd, 0xe3, 0xc3];
const THREE_OPEN = [0xe0, 0x7b, 0x28];
/** OVER_TILES_OPACITY in client/src/components/gridmap/GridMapChart.tsx. */
const OPACITY = 0.75;
const over = (shade: number[], tile: number[]) => shade.map((s, i) => Math.round(OPACITY * s + (1 - OPACITY) * tile[i]!));
const MARK_HALF = 6;

let tiles: Server;
let tileBase = '';
const requested: Array<{ z: number; x: number; y: number; status: number }> = [];
let server: FullServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const violations: string[][] = [];
const pageErrors: string[] = [];

/** Web Mercator pixel of a point at zoom z (256-px tiles), written out here apart from the client's. */
function worldPixel(lng: number, lat: number, z: number): [number, number] {
  const size = 256 * 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return [((lng + 180) / 360) * size, ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * size];
}

const county = (() => {
  const box = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (const f of demoGridFile().features as Array<{ properties: { level: string }; geometry: { coordinates: number[][][] } | null }>) {
    if (f.properties.level !== 'grid' || !f.geometry) continue;
    for (const [lng, lat] of f.geometry.coordinates[0]!) {
      box.west = Math.min(box.west, lng!);
      box.east = Math.max(box.east, lng!);
      box.south = Math.min(box.south, lat!);
      box.north = Math.max(box.north, lat!);
    }
  }
  return box;
})();

/** The tiles (x and y ranges) the county touches at zoom z. */
function countyTiles(z: number) {
  const [x0, y0] = worldPixel(county.west, county.north, z).map((p) => Math.floor(p / 256));
  const [x1, y1] = worldPixel(county.east, county.south, z).map((p) => Math.floor(p / 256));
  return { x0: x0!, x1: x1!, y0: y0!, y1: y1! };
}

/** Where the mark is: south of the centre of 和平社区第三网格 (its label sits on the centre). */
const markPoint = (() => {
  const p = demoPointIn(2, 2);
  return { lng: p.lng, lat: p.lat - 0.004 };
})();

function png(width: number, height: number, colourAt: (x: number, y: number) => number[]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) raw.set(colourAt(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function tileImage(z: number, x: number, y: number): Buffer {
  const [mx, my] = worldPixel(markPoint.lng, markPoint.lat, z);
  return png(256, 256, (px, py) => (Math.abs(x * 256 + px - mx) <= MARK_HALF && Math.abs(y * 256 + py - my) <= MARK_HALF ? MARK : TILE));
}

before(async () => {
  tiles = createServer((req, res) => {
    const m = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const [z, x, y] = m.slice(1).map(Number) as [number, number, number];
    const c = countyTiles(z);
    const inside = x >= c.x0 && x <= c.x1 && y >= c.y0 && y <= c.y1;
    requested.push({ z, x, y, status: inside ? 200 : 404 });
    if (!inside) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(tileImage(z, x, y));
  });
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const address = tiles.address();
  tileBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  server = await startFullServer({ env: { GRID_MAP_TILE_URL: `${tileBase}/tiles/{z}/{x}/{y}.png` } });
  await seedDemo({ db: server.testDb.db, log: createLogger('seed') });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => tiles?.close(resolve));
});

async function open(options: Parameters<Browser['newContext']>[0], language: 'zh-CN' | 'en'): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 }, ...options });
  contexts.push(context);
  violations.push(await collectCspViolations(context, language));
  await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.stack ?? e.message));
  await loginStaff(page, server.baseUrl, 'supervisor', demoUsers.find((u) => u.username === 'supervisor')!.password);
  await page.goto(`${server.baseUrl}/map`);
  await page.locator('[data-testid=grid-map] canvas').first().waitFor();
  return page;
}

/** How many pixels of the map (a screenshot of it) have each colour, give or take 3 per channel. */
async function mapPixels(page: Page, colours: number[][]): Promise<number[]> {
  const box = (await page.getByTestId('grid-map').boundingBox())!;
  const shot = await page.screenshot({ clip: box });
  return page.evaluate(
    async ({ b64, wanted }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${b64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(image, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const counts = wanted.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        for (let k = 0; k < wanted.length; k++) {
          const [r, g, b] = wanted[k]!;
          if (Math.abs(data[i]! - r!) <= 3 && Math.abs(data[i + 1]! - g!) <= 3 && Math.abs(data[i + 2]! - b!) <= 3) counts[k]!++;
        }
      }
      return counts;
    },
    { b64: shot.toString('base64'), wanted: colours },
  );
}

/** Screenshots until the pixels satisfy `ok` (the tiles arrive after the grids). */
async function pixelsWhen(page: Page, colours: number[][], ok: (counts: number[]) => boolean): Promise<number[]> {
  let counts = await mapPixels(page, colours);
  for (let tries = 0; !ok(counts) && tries < 100; tries++) {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    counts = await mapPixels(page, colours);
  }
  return counts;
}

async function shot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, `gridmap-tiles-${name}`);
  const dir = '/tmp/shots/gridgaps';
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, path.join(dir, `map-tiles-${name}.png`));
}

test('the tiles of one zoom that cover the county are drawn under the grids, lined up with them; failed tiles are left out', async () => {
  const page = await open({}, 'zh-CN');
  const colours = [TILE, over(ONE_OPEN, TILE), over(THREE_OPEN, MARK), over(ONE_OPEN, MARK), MARK];
  const [tile, oneOverTile, markUnderBusiest, markUnderOther, bareMark] = await pixelsWhen(page, colours, (c) => c[0]! > 2000 && c[2]! > 0);
  assert.ok(tile! > 2000, `the tiles show around the grids (${tile} px)`);
  assert.ok(oneOverTile! > 1000, `the grids are shaded over the tiles (${oneOverTile} px)`);
  assert.ok(markUnderBusiest! > 30, `the tiles line up: the mark lies under 和平社区第三网格 (${markUnderBusiest} px)`);
  assert.equal(markUnderOther, 0, 'and under no other grid');
  assert.equal(bareMark, 0, 'nor outside the grids');

  const zooms = [...new Set(requested.map((r) => r.z))];
  assert.equal(zooms.length, 1, `one zoom (${zooms.join(', ')})`);
  const z = zooms[0]!;
  assert.ok(z >= 11 && z <= 15, `a zoom that fits a county on a screen (${z})`);
  const c = countyTiles(z);
  for (let x = c.x0; x <= c.x1; x++)
    for (let y = c.y0; y <= c.y1; y++)
      assert.ok(
        requested.some((r) => r.z === z && r.x === x && r.y === y),
        `tile ${z}/${x}/${y} under the county`,
      );
  for (const r of requested)
    assert.ok(r.x >= c.x0 - 3 && r.x <= c.x1 + 3 && r.y >= c.y0 - 3 && r.y <= c.y1 + 3, `only tiles near the county (${r.z}/${r.x}/${r.y})`);
  assert.ok(
    requested.some((r) => r.status === 404),
    'some tiles around the county failed',
  );
  assert.deepEqual(pageErrors, [], 'and the page went on');
  await shot(page, 'zh-desktop');

  // Zooming in with the wheel asks for the next zoom's tiles, lined up again.
  const box = (await page.getByTestId('grid-map').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 30 && !requested.some((r) => r.z > z); i++) {
    await page.mouse.wheel(0, -120);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  }
  assert.ok(
    requested.some((r) => r.z > z),
    'tiles of a higher zoom after zooming in',
  );
  await page.mouse.move(box.x + 2, box.y + 2); // no grid highlighted under the pointer
  const zoomed = await pixelsWhen(page, [TILE, over(THREE_OPEN, MARK)], (n) => n[1]! > 30);
  assert.ok(zoomed[1]! > 30, `the mark still under 和平社区第三网格 after the zoom (${zoomed[1]} px)`);
});

test('the map with tiles in English, and on phones', async () => {
  const en = await open({}, 'en');
  await pixelsWhen(en, [TILE], (n) => n[0]! > 2000);
  await shot(en, 'en-desktop');
  for (const language of ['zh-CN', 'en'] as const) {
    const phone = await open(phoneViewport, language);
    const [tile] = await pixelsWhen(phone, [TILE, over(ONE_OPEN, TILE)], (n) => n[0]! > 1000 && n[1]! > 500);
    assert.ok(tile! > 1000, `tiles on the phone (${language})`);
    await shot(phone, `${language === 'en' ? 'en' : 'zh'}-phone`);
  }
});

test('no Content-Security-Policy violation and no page error', () => {
  assert.deepEqual(violations.flat(), []);
  assert.deepEqual(pageErrors, []);
});
