import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { maintainPartitions, migrate, openDb, type Db } from '@vigie/cloud-ingest/db';
import { dataPaths, type Logger } from '@vigie/common';
import { buildCloudApp, type CloudRoles } from './app.ts';
import type { CloudConfig } from './config.ts';
import { seedDemo, type DemoAccount } from './demo/seed.ts';
import { portalErrors } from './errors.ts';

/** A running `vigie-cloud`. */
export interface CloudProcess {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** `http://HOST:PORT` with the port actually bound (PORT=0 picks one). */
  readonly url: string;
  /** Demo accounts to print (empty unless VIGIE_DEMO=1). */
  readonly demoAccounts: readonly DemoAccount[];
  /** Stop serving, stop listening for events, close the database (and free the PGlite lock). */
  stop(): Promise<void>;
}

/** Options of {@link startCloud}. */
export interface StartOptions {
  readonly config: CloudConfig;
  readonly log: Logger;
  readonly roles: CloudRoles;
}

/**
 * Refuse to run one half of the cloud on PGlite: the other half would need the same directory,
 * which only one process may open.
 */
export function checkRoles(config: CloudConfig, roles: CloudRoles): void {
  if ((!roles.ingest || !roles.portal) && !config.DATABASE_URL) {
    throw portalErrors.create('PORTAL_ROLE_NEEDS_DATABASE', {
      message:
        'Running ingest or portal alone needs DATABASE_URL (a PostgreSQL server both processes share); ' +
        'the embedded database can be opened by one process only. Run `vigie-cloud all` instead, or set DATABASE_URL.',
    });
  }
}

/** How often measurement partitions are created ahead and expired ones dropped. */
const PARTITION_MAINTENANCE_MS = 6 * 60 * 60_000;

/** Open and migrate the database of `config` (PostgreSQL, or the locked PGlite directory). */
export async function openCloudDb(config: CloudConfig, log: Logger): Promise<Db> {
  const db = await openDb({ databaseUrl: config.DATABASE_URL, pgliteDir: dataPaths(config.VIGIE_DATA_DIR).cloudPgData }, log);
  try {
    await migrate(db, { log });
    await maintainPartitions(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS, log });
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** Open the database, migrate, seed the demo if asked, build the app and listen. */
export async function startCloud(options: StartOptions): Promise<CloudProcess> {
  const { config, log, roles } = options;
  checkRoles(config, roles);
  const db = await openCloudDb(config, log);
  let app: FastifyInstance | null = null;
  try {
    const demoAccounts = config.VIGIE_DEMO
      ? await seedDemo(db, { boxId: config.VIGIE_DEMO_BOX_ID, boxToken: config.VIGIE_DEMO_BOX_TOKEN! })
      : [];
    app = await buildCloudApp({ db, config, log, roles });
    await app.listen({ port: config.PORT, host: config.HOST });
    const { port } = app.server.address() as AddressInfo;
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const running = app;
    // Partitions ahead and retention: again every 6 hours (idempotent, advisory-locked, so several
    // instances may run it).
    const maintenance = setInterval(() => {
      maintainPartitions(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS, log }).catch((err: unknown) =>
        log.error({ err }, 'partition maintenance failed'),
      );
    }, PARTITION_MAINTENANCE_MS);
    maintenance.unref();
    let stopping: Promise<void> | null = null;
    return {
      app,
      db,
      url: `http://${host}:${port}`,
      demoAccounts,
      stop: () =>
        (stopping ??= (async () => {
          clearInterval(maintenance);
          try {
            await running.close();
          } finally {
            await db.close();
          }
        })()),
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await db.close();
    throw err;
  }
}
