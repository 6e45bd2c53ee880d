import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** The better-sqlite3 adapter for the Prisma CLI (migrate deploy, diff, status). */
export function sqliteMigrateAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaBetterSQLite3({ url });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    // `migrate diff --from-migrations` replays each migration file on the shadow database
    // through executeRaw, which better-sqlite3 refuses for multi-statement SQL; run those as scripts.
    async connectToShadowDb() {
      const adapter = await factory.connectToShadowDb();
      const executeRaw = adapter.executeRaw.bind(adapter);
      adapter.executeRaw = async (query) => {
        if (query.args.length > 0) return executeRaw(query);
        await adapter.executeScript(query.sql);
        return 0;
      };
      return adapter;
    },
  };
}
