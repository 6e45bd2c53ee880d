import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PHONE_VIEWPORT_PX, SMALL_TILE_PX, preferredSpatialLayer } from '../../../client/src/services/layers.ts';

test('small tiles and phone viewports get the small simulcast layer, others the full one', () => {
  assert.equal(preferredSpatialLayer(SMALL_TILE_PX - 1, 1440), 0, 'small tile on a desktop');
  assert.equal(preferredSpatialLayer(SMALL_TILE_PX, 1440), 1, 'a 320 px tile on a desktop');
  assert.equal(preferredSpatialLayer(900, 1440), 1, 'large tile on a desktop');
  assert.equal(preferredSpatialLayer(390, 390), 0, 'full-width tile on a phone');
  assert.equal(preferredSpatialLayer(500, PHONE_VIEWPORT_PX - 1), 0);
  assert.equal(preferredSpatialLayer(500, PHONE_VIEWPORT_PX), 1);
  assert.equal(preferredSpatialLayer(500, 0), 1, 'unknown viewport: by tile size');
});
