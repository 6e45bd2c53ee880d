import assert from 'node:assert/strict';
import { test } from 'node:test';
import { project, tilesInView, tileUrl, unproject, zoomFor } from '../../../client/src/components/gridmap/tiles.ts';

test('Web Mercator world units: the tile scheme of XYZ servers, and back', () => {
  assert.deepEqual(project([-180, 0]), [0, 128]);
  // Hangzhou at zoom 13 is tile 6830/3373 (OpenStreetMap's slippy-map formula).
  const [x, y] = project([120.15, 30.25]).map((w) => Math.floor((w * 2 ** 13) / 256));
  assert.deepEqual([x, y], [6830, 3373]);
  const [lng, lat] = unproject(project([120.15, 30.25]));
  assert.ok(Math.abs(lng - 120.15) < 1e-9 && Math.abs(lat - 30.25) < 1e-9);
  assert.equal(tileUrl('https://t.example/{z}/{x}/{y}.png?s={z}', 3, 4, 5), 'https://t.example/3/4/5.png?s=3');
});

test('the tiles of a view: the zoom closest to their own size, covering the view, placed edge to edge', () => {
  assert.equal(zoomFor(2 ** 13), 13);
  assert.equal(zoomFor(2 ** 13 * 1.3), 13);
  assert.equal(zoomFor(2 ** 13 * 1.5), 14);
  assert.equal(zoomFor(2 ** 30), 18, 'no deeper than servers cut');
  // One world unit is 2^13 px: zoom 13's tiles are 256 px; the view starts 100 px into tile 10/20.
  const scale = 2 ** 13;
  const view = { scale, offsetX: -(10 * 256 + 100), offsetY: -(20 * 256 + 10), width: 600, height: 300 };
  const placed = tilesInView(view, '{z}/{x}/{y}');
  assert.deepEqual(
    placed.map((t) => t.url),
    ['13/10/20', '13/11/20', '13/12/20', '13/10/21', '13/11/21', '13/12/21'],
  );
  assert.deepEqual(
    placed.slice(0, 2).map((t) => [t.left, t.top, t.width, t.height]),
    [
      [-100, -10, 256, 256],
      [156, -10, 256, 256],
    ],
  );
  assert.deepEqual(tilesInView({ ...view, scale: Number.POSITIVE_INFINITY }, '{z}/{x}/{y}'), []);
});
