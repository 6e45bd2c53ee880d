import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PG_SCHEMA, pgSchemaFrom, SOURCE_SCHEMA } from '../../../scripts/gen-pg-schema.ts';

test('prisma/postgresql/schema.prisma is generated from prisma/schema.prisma and up to date', () => {
  const wanted = pgSchemaFrom(readFileSync(SOURCE_SCHEMA, 'utf8'));
  assert.ok(readFileSync(PG_SCHEMA, 'utf8') === wanted, 'stale: run node --import tsx scripts/gen-pg-schema.ts (scripts/setup.sh does) and commit the result');
});

test('the generated schema differs from the source only in provider, client output and the unused URL', () => {
  const source = readFileSync(SOURCE_SCHEMA, 'utf8');
  const generated = pgSchemaFrom(source);
  const changed = generated.split('\n').filter((line) => !source.split('\n').includes(line));
  assert.deepEqual(
    changed.map((l) => l.trim().split(/\s*=\s*|\s+/)[0]),
    ['//', 'output', 'provider', 'url'],
  );
  assert.match(generated, /provider = "postgresql"/);
  assert.match(generated, /output\s+= "\.\.\/\.\.\/server\/db\/generated-pg"/);
  assert.throws(() => pgSchemaFrom(source.replace('provider = "sqlite"', 'provider = "mysql"')), /expected one line/);
});
