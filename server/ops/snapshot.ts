/** The database's part of a backup, by engine: taken online, restored only into an empty target. */
export interface DatabaseSnapshot {
  /** The file name in the backup directory, which also tells the engine. */
  file: 'database.sqlite' | 'database.pgdump';
  /** Where the snapshot came from, without a password. */
  source: string;
  /** Files of the live database that lie inside DATA_DIR and are not copied as files. */
  liveFiles: string[];
  /** Writes a consistent snapshot to `to`, checks it, and returns the migrations it has. */
  take(to: string): Promise<string[]>;
  /** Throws unless the target database is absent (SQLite) or holds no tables (PostgreSQL). */
  assertEmptyTarget(): Promise<void>;
  load(from: string): Promise<void>;
}
