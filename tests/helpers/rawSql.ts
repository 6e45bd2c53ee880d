import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Raw SQL behind Prisma's back (tests that tamper with rows), the same on SQLite and PostgreSQL.
 * Write `?` placeholders and double-quote identifiers ("Case", "caseId"): the tables and columns
 * keep the Prisma model and field names, which PostgreSQL folds to lower case unless quoted.
 * Dates read back as Date (PostgreSQL) or as Prisma stores them (SQLite); pass Date parameters
 * and they are written in the stored format of each engine.
 */
export interface RawSql {
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
  /** Orders an append-only table by insertion (SQLite `rowid`, PostgreSQL `ctid`), e.g. when the test clock is frozen and times tie. */
  readonly insertionOrder: string;
  close(): Promise<void>;
}

/** `?` → `$1, $2, …`, outside quoted strings and identifiers. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | null = null;
  let out = '';
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

export function sqliteRawSql(file: string): RawSql {
  let conn: Database.Database | null = null;
  const open = () => (conn ??= new Database(file));
  // Prisma's SQLite adapter stores DateTime as ISO text with a +00:00 offset, Boolean as 0/1.
  const bind = (params: unknown[]) => params.map((p) => (p instanceof Date ? p.toISOString().replace('Z', '+00:00') : typeof p === 'boolean' ? Number(p) : p));
  return {
    all: async <T>(sql: string, ...params: unknown[]) =>
      open()
        .prepare(sql)
        .all(...bind(params)) as T[],
    get: async <T>(sql: string, ...params: unknown[]) =>
      open()
        .prepare(sql)
        .get(...bind(params)) as T | undefined,
    run: async (sql, ...params) =>
      open()
        .prepare(sql)
        .run(...bind(params)).changes,
    insertionOrder: 'rowid',
    async close() {
      conn?.close();
      conn = null;
    },
  };
}

// Prisma writes DateTime as UTC into `timestamp(3)` (no zone); pg would read those as local time.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value); // counts
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function pgRawSql(config: pg.ClientConfig): RawSql {
  let client: Promise<pg.Client> | null = null;
  const open = () =>
    (client ??= (async () => {
      const c = new pg.Client({ ...config, types });
      await c.connect();
      return c;
    })());
  // A Date becomes its UTC time, as Prisma stores it (pg would send local time with an offset, which `timestamp` drops).
  const bind = (params: unknown[]) => params.map((p) => (p instanceof Date ? p.toISOString().replace('Z', '') : p));
  const query = async (sql: string, params: unknown[]) => (await open()).query(numberedPlaceholders(sql), bind(params));
  return {
    all: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql, ...params) => (await query(sql, params)).rowCount ?? 0,
    insertionOrder: 'ctid',
    async close() {
      const c = client;
      client = null;
      if (c) await (await c).end();
    },
  };
}
