import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../server/config.ts';
import { databaseProvider, pgPoolConfig } from '../../../server/db/provider.ts';

test("DATABASE_URL's scheme picks the engine; any other scheme is refused at start-up", () => {
  assert.equal(databaseProvider('file:/srv/data/cloud-mediation.db'), 'sqlite');
  assert.equal(databaseProvider('postgresql://cm@db.internal:5432/cloud_mediation'), 'postgresql');
  assert.equal(databaseProvider('postgres://cm@db.internal/cloud_mediation'), 'postgresql');
  assert.throws(() => databaseProvider('mysql://cm@db/cm'), /file: \(SQLite\) or postgresql:\/\//);
  assert.throws(() => loadConfig({ DATABASE_URL: 'sqlite:data.db', JWT_SECRET: 'x'.repeat(40) }), /DATABASE_URL must start with file:/);
});

test('a PostgreSQL URL becomes separate pool fields, never a connection string (it would win over the shadow database name)', () => {
  const config = pgPoolConfig('postgresql://cm:s%40cret@db.internal:6543/cloud_mediation?sslmode=verify-full&application_name=cm');
  assert.equal(config.connectionString, undefined);
  assert.deepEqual(
    {
      host: config.host,
      port: config.port,
      user: config.user,
      password: config.password,
      database: config.database,
      application_name: config.application_name,
    },
    { host: 'db.internal', port: 6543, user: 'cm', password: 's@cret', database: 'cloud_mediation', application_name: 'cm' },
  );
  assert.ok(config.ssl, 'sslmode is kept');
  assert.throws(() => pgPoolConfig('postgresql://cm@db.internal:5432'), /names no database/);
  assert.throws(() => pgPoolConfig('file:x.db'), /not a PostgreSQL URL/);
});
