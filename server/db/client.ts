import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/index.js';

export type Db = PrismaClient;
export { Prisma } from './generated/index.js';

/** Opens the database through the better-sqlite3 driver adapter (no native Prisma engine). */
export function openDb(databaseUrl: string): Db {
  const adapter = new PrismaBetterSQLite3({ url: databaseUrl });
  return new PrismaClient({ adapter });
}
