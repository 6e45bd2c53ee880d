import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../server/config.ts';

/* Media ports: server mode (a WebRtcServer per worker on RTC_PORT + i) by default, range mode on request. */

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-rtc-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const media = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env }).mediasoup;

test('default: server mode on port 40000, the range kept for range mode and RTC_PORT=0', () => {
  const m = media({});
  assert.deepEqual(
    { portMode: m.portMode, port: m.port, minPort: m.minPort, maxPort: m.maxPort },
    { portMode: 'server', port: 40000, minPort: 40000, maxPort: 40999 },
  );
});

test('RTC_PORT, RTC_PORT=0 and RTC_PORT_MODE=range are taken as given', () => {
  assert.equal(media({ RTC_PORT: '44000' }).port, 44000);
  assert.equal(media({ RTC_PORT: '0' }).port, 0);
  assert.equal(media({ RTC_PORT_MODE: 'range', RTC_MIN_PORT: '41000', RTC_MAX_PORT: '41010' }).portMode, 'range');
});

test('refused: an unknown mode, a port out of range, workers running past 65535', () => {
  assert.throws(() => media({ RTC_PORT_MODE: 'single' }), /RTC_PORT_MODE/);
  assert.throws(() => media({ RTC_PORT: '70000' }), /RTC_PORT/);
  assert.throws(() => media({ RTC_PORT: '65535', MEDIASOUP_WORKERS: '2' }), /RTC_PORT \+ MEDIASOUP_WORKERS - 1/);
  // Range mode does not use RTC_PORT.
  assert.equal(media({ RTC_PORT: '65535', MEDIASOUP_WORKERS: '2', RTC_PORT_MODE: 'range' }).portMode, 'range');
});
