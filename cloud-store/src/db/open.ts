import type { Logger } from '@vigie/common';
import { openPgDb } from './pg-adapter.ts';
import { openPgliteDb } from './pglite-adapter.ts';
import type { Db } from './types.ts';

/** Where the cloud's database is. */
export interface DbLocation {
  /** A PostgreSQL URL; when absent the embedded PGlite is used. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data directory (`dataPaths().cloudPgData`); absent → in memory. */
  readonly pgliteDir?: string | undefined;
}

/**
 * Open the database the configuration names: PostgreSQL when a URL is given, else PGlite
 * (file-backed and locked to this process, or in memory). Does not migrate.
 */
export async function openDb(location: DbLocation, log?: Logger): Promise<Db> {
  if (location.databaseUrl) return openPgDb({ connectionString: location.databaseUrl, log });
  return openPgliteDb({ dataDir: location.pgliteDir, log });
}
