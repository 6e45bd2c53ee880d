import { databaseProvider } from '../db/provider.ts';
import { pgSnapshot } from './pgSnapshot.ts';
import { sqliteSnapshot } from './sqliteSnapshot.ts';
import type { DatabaseSnapshot } from './snapshot.ts';


export function databaseSnapshot(databaseUrl: string): DatabaseSnapshot {
  return databaseProvider(databaseUrl) === 'sqlite' ? sqliteSnapshot(databaseUrl) : pgSnapshot(databaseUrl);
}
