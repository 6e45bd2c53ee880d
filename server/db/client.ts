import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/index.js';

export type Db = PrismaClient;
export { Prisma } from './generated/index.js';

/** Told how long each database operation took (metrics). */
export type QueryObserver = (model: string, operation: string, seconds: number) => void;

/** Opens the database through the better-sqlite3 driver adapter (no native Prisma engine). */
export function openDb(databaseUrl: string, options: { observe?: QueryObserver } = {}): Db {
  const adapter = new PrismaBetterSQLite3({ url: databaseUrl });
  const client = new PrismaClient({ adapter });
  const observe = options.observe;
  if (!observe) return client;
  // A query extension times every operation (inside transactions too). It adds no methods or
  // result fields, so the extended client is used as the plain client type everywhere.
  return client.$extends({
    name: 'query-timing',
    query: {
      async $allOperations({ model, operation, args, query }) {
        const started = process.hrtime.bigint();
        try {
          return await query(args);
        } finally {
          observe(model ?? '(raw)', operation, Number(process.hrtime.bigint() - started) / 1e9);
        }
      },
    },
  }) as unknown as Db;
}
