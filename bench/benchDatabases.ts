import type { Db } from '../server/db/client.ts';
import { createTestDb } from '../tests/helpers/testDb.ts';

/** A fresh, migrated database of one kind, from the test helper; close() removes it. */
export interface BenchDatabase {
  name: string;
  open(): Promise<{ db: Db; close(): Promise<void> }>;
}

export function benchDatabases(): BenchDatabase[] {
  return [
    {
      name: 'sqlite',
      async open() {
        const t = createTestDb();
        return { db: t.db, close: () => t.cleanup() };
      },
    },
  ];
}
