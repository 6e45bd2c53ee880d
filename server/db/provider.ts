import type { PoolConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { z } from 'zod';

/** The database engine behind a DATABASE_URL, told by its scheme. */
export type DatabaseProvider = 'sqlite' | 'postgresql';

const SQLITE = /^file:/;
const POSTGRESQL = /^postgres(ql)?:\/\//;

export const databaseUrlSchema = z
  .string()
  .refine((url) => SQLITE.test(url) || POSTGRESQL.test(url), 'DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)');

export function databaseProvider(databaseUrl: string): DatabaseProvider {
  return SQLITE.test(databaseUrlSchema.parse(databaseUrl)) ? 'sqlite' : 'postgresql';
}

/**
 * A PostgreSQL URL as separate pool fields (host, port, user, password, database, ssl, …).
 * Never `{ connectionString }`: @prisma/adapter-pg opens the migrate shadow database as
 * `{ ...config, database: shadow }`, and a connection string there wins over `database`, so
 * `migrate diff` would replay every migration on the main database.
 */
export function pgPoolConfig(databaseUrl: string): PoolConfig {
  if (databaseProvider(databaseUrl) !== 'postgresql') throw new Error('not a PostgreSQL URL');
  const { connectionString: _ignored, ...fields } = parseIntoClientConfig(databaseUrl);
  if (!fields.database) throw new Error('DATABASE_URL names no database (postgresql://user:password@host:port/DATABASE)');
  return fields;
}
