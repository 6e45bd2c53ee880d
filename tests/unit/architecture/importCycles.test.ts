import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCircular, parseDependencyTree } from 'dpdm';

/*
 * No import cycles in server/ or client/src/, type-only imports included: a cycle means neither
 * module is the lower layer (the protocol modules must be leaves). dpdm parses with TypeScript and
 * follows every import from the entry files.
 */

async function cycles(entries: string[], tsconfig: string, cwd = process.cwd()): Promise<string[][]> {
  const tree = await parseDependencyTree(entries, { cwd, context: cwd, tsconfig, transform: false, skipDynamicImports: false });
  return parseCircular(tree);
}

const show = (found: string[][]) => found.map((c) => c.join(' -> ')).join('\n');

test('the detector finds a cycle (two files that import each other, one by type only)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cycles-'));
  try {
    await writeFile(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport interface A { b: B }\n");
    await writeFile(join(dir, 'b.ts'), "import type { A } from './a.ts';\nexport interface B { a?: A }\n");
    const found = await cycles([join(dir, '*.ts')], join(process.cwd(), 'tsconfig.json'), dir);
    assert.equal(found.length, 1, show(found));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('server/ has no import cycle', async () => {
  const found = await cycles(['server/**/*.ts'], 'tsconfig.json');
  assert.deepEqual(found, [], show(found));
});

test('client/src/ has no import cycle', async () => {
  const found = await cycles(['client/src/**/*.ts', 'client/src/**/*.tsx'], 'client/tsconfig.json');
  assert.deepEqual(found, [], show(found));
});
