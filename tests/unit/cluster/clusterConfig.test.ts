import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../server/config.ts';

/* Cluster mode refuses to start half-configured: each missing or unfit setting named. */

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cm-config-'));
const secret = 'a-shared-secret-of-more-than-32-bytes-0123456789';
const full = {
  DATA_DIR: dataDir,
  DATABASE_URL: 'postgresql://cm@db.example:5432/cm',
  JWT_SECRET: secret,
  REDIS_URL: 'redis://redis.example:6379',
  NODE_ID: 'node-a',
  NODE_URL: 'http://10.0.0.11:3000/',
};

test('no cluster setting: one process, no Redis (the default)', () => {
  assert.equal(loadConfig({ DATA_DIR: dataDir }).cluster, null);
});

test('all cluster settings with PostgreSQL and a shared secret: cluster mode', () => {
  assert.deepEqual(loadConfig(full).cluster, { redisUrl: 'redis://redis.example:6379', nodeId: 'node-a', nodeUrl: 'http://10.0.0.11:3000' });
});

test('cluster mode refuses SQLite, a generated secret, or a missing REDIS_URL / NODE_ID / NODE_URL', () => {
  const refusal = (env: Record<string, string | undefined>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail('started');
  };
  assert.match(refusal({ ...full, DATABASE_URL: `file:${path.join(dataDir, 'x.db')}` }), /DATABASE_URL: cluster mode needs PostgreSQL/);
  assert.match(refusal({ ...full, JWT_SECRET: undefined }), /JWT_SECRET: cluster mode needs one explicit secret/);
  assert.match(refusal({ ...full, REDIS_URL: undefined }), /REDIS_URL: cluster mode needs the shared Redis/);
  assert.match(refusal({ ...full, NODE_ID: undefined }), /NODE_ID: cluster mode needs/);
  assert.match(refusal({ ...full, NODE_URL: undefined }), /NODE_URL: cluster mode needs/);
  const several = refusal({ DATA_DIR: dataDir, REDIS_URL: 'redis://r:6379' });
  for (const name of ['NODE_ID', 'NODE_URL', 'DATABASE_URL', 'JWT_SECRET']) assert.match(several, new RegExp(`${name}:`), `names ${name}`);
  assert.match(refusal({ ...full, NODE_ID: 'Node A' }), /NODE_ID: lower-case letters/);
  assert.match(refusal({ ...full, REDIS_URL: 'http://redis:6379' }), /REDIS_URL: a redis:\/\/ or rediss:\/\/ URL/);
});
