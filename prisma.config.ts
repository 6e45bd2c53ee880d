import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { pgMigrateAdapter } from './prisma/config/pgMigrateAdapter.ts';
import { sqliteMigrateAdapter } from './prisma/config/sqliteMigrateAdapter.ts';
import { databaseProvider } from './server/db/provider.ts';

// The JS engine needs no native Prisma binaries, so the CLI works offline.
// The database is the one the server uses: DATABASE_URL, else DATA_DIR/cloud-mediation.db.
// Its scheme picks the schema, the migrations folder and the driver adapter.
const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
mkdirSync(dataDir, { recursive: true });
const url = process.env.DATABASE_URL ?? `file:${path.join(dataDir, 'cloud-mediation.db')}`;
const postgresql = databaseProvider(url) === 'postgresql';
const prismaDir = postgresql ? path.join('prisma', 'postgresql') : 'prisma';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(prismaDir, 'schema.prisma'),
  migrations: { path: path.join(prismaDir, 'migrations') },
  async adapter() {
    return postgresql ? pgMigrateAdapter(url) : sqliteMigrateAdapter(url);
  },
});
