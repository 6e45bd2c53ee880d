import type { PoolConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/** The database engine behind a DATABASE_URL, told by its scheme. */
export type DatabaseProvider = 'sqlite' | 'postgresql';

export function databaseProvider(databaseUrl: string): DatabaseProvider {
  if (databaseUrl.startsWith('file:')) return 'sqlite';
  if (databaseUrl.startsWith('postgresql://') || databaseUrl.startsWith('postgres://')) return 'postgresql';
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), not ${databaseUrl.split(':')[0]}:`);
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
