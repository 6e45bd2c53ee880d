import type { Db } from '../server/db/client.ts';
import type { DatabaseProvider } from '../server/db/provider.ts';
import { createTestDb } from '../tests/helpers/testDb.ts';

/** A fresh, migrated database of one kind, from the test helper; close() removes it. */
export interface BenchDatabase {
  name: DatabaseProvider;
  open(): Promise<{ db: Db; close(): Promise<void> }>;
}

const providers: readonly DatabaseProvider[] = ['sqlite', 'postgresql'];

/**
 * Every engine, in one run. The test helper picks its engine from TEST_DATABASE (PostgreSQL: a
 * cluster of its own, started on first use and stopped when the process exits), so it is set for
 * the one call.
 */
export function benchDatabases(): BenchDatabase[] {
  return providers.map((name) => ({
    name,
    async open() {
      const before = process.env.TEST_DATABASE;
      process.env.TEST_DATABASE = name;
      try {
        const t = await createTestDb();
        return { db: t.db, close: () => t.cleanup() };
      } finally {
        if (before === undefined) delete process.env.TEST_DATABASE;
        else process.env.TEST_DATABASE = before;
      }
    },
  }));
}
