import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { pgPoolConfig } from '../../server/db/provider.ts';

/** Catalogue types the migrate engine reads (`name`, `"char"`) → text; both are text on the wire. */
const AS_TEXT = new Map([
  [19, 25],
  [18, 25],
]);

function nameAsText<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) field.dataTypeID = AS_TEXT.get(field.dataTypeID) ?? field.dataTypeID;
  }
  return result;
}

/**
 * The migrate engine reads catalogue columns of type `name`, which @prisma/adapter-pg 6.19 cannot
 * map ("Column type 'name' could not be deserialized", Prisma issue 27403); this client reports
 * them as text, which they are on the wire. Both of pg's call forms (callback, promise) are covered.
 */
class NameAsTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const call = super.query as unknown as (...a: unknown[]) => unknown;
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) => callback(error, error ? result : nameAsText(result));
      return call.apply(this, args) as never;
    }
    const out = call.apply(this, args);
    return (out instanceof Promise ? out.then(nameAsText) : out) as never;
  }
}

async function dropDatabase(config: pg.PoolConfig, database: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * The adapter's executeScript splits a migration at every ";", also inside comments and strings,
 * and runs the pieces one by one. Sent whole (no parameters: the simple query protocol), a
 * migration runs as one implicit transaction, as with Prisma's native engine.
 */
function wholeScripts<A extends SqlDriverAdapter>(adapter: A): A {
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

/** The PostgreSQL adapter for the Prisma CLI (migrate deploy, diff, status), with the workarounds above and below. */
export function pgMigrateAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const config: pg.PoolConfig = { ...pgPoolConfig(url), Client: NameAsTextClient };
  const factory = new PrismaPg(config);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wholeScripts(await factory.connect()),
    // The adapter's own shadow database is dropped while its pool still holds connections
    // ("being accessed by other users") and is left behind: drop it after the pool is closed.
    async connectToShadowDb() {
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      const admin = new pg.Client(config);
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${database}"`);
      } finally {
        await admin.end();
      }
      const adapter = wholeScripts(await new PrismaPg({ ...config, database }).connect());
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        try {
          await dispose();
        } finally {
          await dropDatabase(config, database);
        }
      };
      return adapter;
    },
  };
}
