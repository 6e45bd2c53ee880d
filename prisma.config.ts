import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

// The JS engine needs no native Prisma binaries, so the CLI works offline.
// The database is the one the server uses: DATABASE_URL, else DATA_DIR/cloud-mediation.db.
const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
mkdirSync(dataDir, { recursive: true });
const url = process.env.DATABASE_URL ?? `file:${path.join(dataDir, 'cloud-mediation.db')}`;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
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
  },
});
