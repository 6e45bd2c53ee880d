import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/index.js';
import { PrismaClient as PgPrismaClient } from './generated-pg/index.js';
import { drainOnDisconnect } from './drainOnDisconnect.ts';
import { databaseProvider, pgPoolConfig } from './provider.ts';

/**
 * The one database type above the data layer, whichever engine DATABASE_URL names. Both clients
 * are generated from the same models (prisma/postgresql/schema.prisma is generated from
 * prisma/schema.prisma), so they have the same API; the SQLite client's type is the common one,
 * which also keeps PostgreSQL-only options (e.g. `mode: 'insensitive'`) out of server code.
 */
export type Db = PrismaClient;
export { Prisma } from './generated/index.js';

/** Told how long each database operation took (metrics). */
export type QueryObserver = (model: string, operation: string, seconds: number) => void;

function connect(databaseUrl: string): Db {
  if (databaseProvider(databaseUrl) === 'sqlite') return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });
  // The one place the PostgreSQL client is seen as the common type (see Db).
  return new PgPrismaClient({ adapter: new PrismaPg(pgPoolConfig(databaseUrl)) }) as unknown as Db;
}

/** Opens the database through its driver adapter (no native Prisma engine): `file:` SQLite, `postgresql://` PostgreSQL. */
export function openDb(databaseUrl: string, options: { observe?: QueryObserver } = {}): Db {
  return drainOnDisconnect(withObserver(connect(databaseUrl), options.observe));
}

function withObserver(client: Db, observe: QueryObserver | undefined): Db {
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
