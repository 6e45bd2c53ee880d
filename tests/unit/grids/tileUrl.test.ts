import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../server/config.ts';
import { documentCspDirectives } from '../../../server/http/securityHeaders.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tile-url-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = (extra: Record<string, string>) => ({ DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40), ...extra });

test('GRID_MAP_TILE_URL: unset by default; a {z}/{x}/{y} template is taken and its origin allowed for images', () => {
  assert.equal(loadConfig(env({})).gridMapTileUrl, null);
  const config = loadConfig(env({ GRID_MAP_TILE_URL: 'https://tiles.intranet.gov.cn/{z}/{x}/{y}.png' }));
  assert.equal(config.gridMapTileUrl, 'https://tiles.intranet.gov.cn/{z}/{x}/{y}.png');
  assert.ok(documentCspDirectives(config)['img-src']!.includes('https://tiles.intranet.gov.cn'));
  assert.ok(!documentCspDirectives(loadConfig(env({})))['img-src']!.some((s) => s.startsWith('http')));
});

test('GRID_MAP_TILE_URL: refused without the placeholders or with another scheme', () => {
  assert.throws(() => loadConfig(env({ GRID_MAP_TILE_URL: 'https://tiles.example/{z}/{x}.png' })), /GRID_MAP_TILE_URL/);
  assert.throws(() => loadConfig(env({ GRID_MAP_TILE_URL: 'javascript:alert(1)//{z}{x}{y}' })), /GRID_MAP_TILE_URL/);
});
