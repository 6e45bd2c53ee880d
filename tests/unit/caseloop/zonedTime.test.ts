import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isoInZone, utcOffsetLabel } from '../../../server/caseloop/zonedTime.ts';
import { loadConfig } from '../../../server/config.ts';

describe("times in the centre's zone", () => {
  const at = new Date('2026-03-01T16:30:05.000Z');

  it("ISO 8601 with the zone's offset, the same instant", () => {
    assert.equal(isoInZone(at, 'Asia/Shanghai'), '2026-03-02T00:30:05+08:00', 'past midnight in China: the next calendar day');
    assert.equal(isoInZone(at, 'UTC'), '2026-03-01T16:30:05+00:00');
    assert.equal(isoInZone(at, 'Asia/Kolkata'), '2026-03-01T22:00:05+05:30');
    for (const zone of ['Asia/Shanghai', 'UTC', 'Asia/Kolkata', 'America/New_York']) {
      assert.equal(new Date(isoInZone(at, zone)).getTime(), at.getTime(), zone);
    }
  });

  it('follows daylight saving where the zone has it', () => {
    assert.equal(isoInZone(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin'), '2026-01-15T13:00:00+01:00');
    assert.equal(isoInZone(new Date('2026-07-15T12:00:00Z'), 'Europe/Berlin'), '2026-07-15T14:00:00+02:00');
    assert.equal(utcOffsetLabel(at, 'Asia/Shanghai'), 'UTC+08:00');
  });

  it('CENTRE_TIME_ZONE defaults to Asia/Shanghai and must be a real zone', () => {
    const base = { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cm-config-')), JWT_SECRET: 'x'.repeat(40) };
    assert.equal(loadConfig(base).centreTimeZone, 'Asia/Shanghai');
    assert.equal(loadConfig({ ...base, CENTRE_TIME_ZONE: 'Europe/Berlin' }).centreTimeZone, 'Europe/Berlin');
    assert.throws(() => loadConfig({ ...base, CENTRE_TIME_ZONE: 'Mars/Olympus' }), /CENTRE_TIME_ZONE/);
  });
});
