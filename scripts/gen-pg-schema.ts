/*
 * Writes prisma/postgresql/schema.prisma from prisma/schema.prisma, the one hand-edited schema:
 * the same models with the datasource provider and the client's output swapped.
 * Run by scripts/setup.sh when stale; tests/unit/scripts/pgSchema.test.ts fails when the
 * committed file is stale. Usage: node --import tsx scripts/gen-pg-schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE_SCHEMA = path.join(root, 'prisma', 'schema.prisma');
export const PG_SCHEMA = path.join(root, 'prisma', 'postgresql', 'schema.prisma');

const HEADER = '// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.ts: edit that file, not this one.\n';

/** Each swap must match exactly once, so a reworded source line fails here instead of slipping through. */
const SWAPS: ReadonlyArray<[RegExp, string]> = [
  [/^(\s*output\s*=\s*)"\.\.\/server\/db\/generated"$/m, '$1"../../server/db/generated-pg"'],
  [/^(\s*provider\s*=\s*)"sqlite"$/m, '$1"postgresql"'],
  [/^(\s*url\s*=\s*)"file:[^"]*"$/m, '$1"postgresql://localhost/unused-see-prisma-config"'],
];

export function pgSchemaFrom(source: string): string {
  let out = source;
  for (const [pattern, replacement] of SWAPS) {
    const global = new RegExp(pattern.source, 'gm');
    const count = [...source.matchAll(global)].length;
    if (count !== 1) throw new Error(`prisma/schema.prisma: expected one line matching ${pattern}, found ${count}`);
    out = out.replace(pattern, replacement);
  }
  return HEADER + out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = pgSchemaFrom(readFileSync(SOURCE_SCHEMA, 'utf8'));
  let current = '';
  try {
    current = readFileSync(PG_SCHEMA, 'utf8');
  } catch {
    // no PostgreSQL schema yet: write it below
  }
  if (current === wanted) process.exit(0);
  if (process.argv.includes('--check')) {
    process.stderr.write(`${path.relative(root, PG_SCHEMA)} is stale: run node --import tsx scripts/gen-pg-schema.ts\n`);
    process.exit(1);
  }
  writeFileSync(PG_SCHEMA, wanted);
  process.stderr.write(`wrote ${path.relative(root, PG_SCHEMA)}\n`);
}
