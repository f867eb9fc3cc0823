import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { maintainPartitions, migrate, openDb, type Db } from '@vigie/cloud-store';
import { fleetThresholds, FleetWatch, ingestRoutes, KafkaIngestConsumer, lazyCommandSigningKey, loadFleetEnv, pruneHeartbeats, type KafkaConnection } from '@vigie/cloud-ingest';
import { dataPaths, ensurePrivateDir, restrictTree, type Logger } from '@vigie/common';
import {
  buildCloudApp as buildPortalApp,
  createQuestionnaireScheduler,
  createWebPushSender,
  ErasureJob,
  loadVapidKeys,
  pruneQuestionnaire,
  loadSecretsKey,
  portalErrors,
  seedDemo,
  type CloudAppOptions,
  type CloudConfig,
  type CloudRoles,
  type DemoAccount,
  type IngestRoutes,
  type QuestionnaireScheduler,
} from '@vigie/cloud-portal';

/**
 * The portal's app with the ingest's routes mounted when the roles ask for them; the box commands
 * they serve are signed with the cloud's command key, read when first needed (decision 0009).
 */
const buildCloudApp = (options: Omit<CloudAppOptions, 'ingestRoutes'>) => {
  const commandKey = lazyCommandSigningKey({ dataDir: options.config.VIGIE_DATA_DIR, log: options.log });
  const signedIngestRoutes: IngestRoutes = async (scope, routeOptions) => ingestRoutes(scope, { ...routeOptions, commandKey });
  return buildPortalApp({ ...options, ingestRoutes: signedIngestRoutes });
};

/** A running `vigie-cloud`. */
export interface CloudProcess {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** `http(s)://HOST:PORT` with the port actually bound (PORT=0 picks one). */
  readonly url: string;
  /** Where boxes reach the ingest: `url`, or the ingest's own listener (VIGIE_INGEST_PORT). */
  readonly ingestUrl: string;
  /** Demo accounts to print (empty unless VIGIE_DEMO=1). */
  readonly demoAccounts: readonly DemoAccount[];
  /**
   * The questionnaire reminder scheduler (portal role, VIGIE_QUESTIONNAIRE_REMINDERS=on): it runs a
   * pass every minute; tests call `runPass(new Date(...))` for a pass at a given time.
   */
  readonly questionnaireScheduler: QuestionnaireScheduler | null;
  /** Stop serving, stop listening for events, close the database (and free the PGlite lock). */
  stop(): Promise<void>;
}

/** Options of {@link startCloud}. */
export interface StartOptions {
  readonly config: CloudConfig;
  readonly log: Logger;
  readonly roles: CloudRoles;
  /** Kafka settings (KAFKA_BROKERS set): the ingest role also runs the Kafka consumer group. */
  readonly kafka?: KafkaConnection | null;
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

/** A PEM certificate chain and key read from their files, or undefined when not configured. */
function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: string; key: string } | undefined {
  return certFile && keyFile ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : undefined;
}

/** Open and migrate the database of `config` (PostgreSQL, or the locked PGlite directory). */
export async function openCloudDb(config: CloudConfig, log: Logger): Promise<Db> {
  const paths = dataPaths(config.VIGIE_DATA_DIR);
  if (!config.DATABASE_URL) ensurePrivateDir(dirname(paths.cloudPgData));
  const db = await openDb({ databaseUrl: config.DATABASE_URL, pgliteDir: paths.cloudPgData }, log);
  try {
    await migrate(db, { log });
    await maintainPartitions(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS, log });
    // The embedded database holds every patient's data: its folders 0700 and files 0600, whatever
    // PGlite (at initdb) or an older version created; the umask vigie-cloud sets at start
    // (restrictNewFiles) covers the files it creates later.
    if (!config.DATABASE_URL) {
      const tightened = restrictTree(paths.cloudPgData);
      if (tightened > 0) log.info({ tightened }, 'data directory permissions tightened');
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** Open the database, migrate, seed the demo if asked, build the app(s) and listen. */
export async function startCloud(options: StartOptions): Promise<CloudProcess> {
  const { config, log, roles } = options;
  checkRoles(config, roles);
  const db = await openCloudDb(config, log);
  let app: FastifyInstance | null = null;
  let ingestApp: FastifyInstance | null = null;
  let adminApp: FastifyInstance | null = null;
  let consumer: KafkaIngestConsumer | null = null;
  try {
    // The key of the secrets kept encrypted (staff TOTP): checked, and created on a first start,
    // before anything listens.
    if (roles.portal) await loadSecretsKey(config, { create: true });
    const demoAccounts = config.VIGIE_DEMO
      ? await seedDemo(db, { boxId: config.VIGIE_DEMO_BOX_ID, boxToken: config.VIGIE_DEMO_BOX_TOKEN! })
      : [];
    // The certificate of the listener boxes talk to: the ingest's own listener when it has one,
    // else the single listener.
    const tls = readTls(config.VIGIE_TLS_CERT_FILE, config.VIGIE_TLS_KEY_FILE);
    // The portal's own listener (browsers): its certificate, else plain HTTP behind a reverse
    // proxy that terminates TLS (deploy/). A single listener takes the box-facing one first.
    const portalTls = readTls(config.VIGIE_PORTAL_TLS_CERT_FILE, config.VIGIE_PORTAL_TLS_KEY_FILE);
    const separateIngest = roles.ingest && roles.portal && config.VIGIE_INGEST_PORT !== undefined;
    // Web Push identity: configured, or generated once into the data directory (questionnaire reminders).
    const vapid = roles.portal
      ? loadVapidKeys(
          { publicKey: config.VIGIE_VAPID_PUBLIC_KEY, privateKey: config.VIGIE_VAPID_PRIVATE_KEY, subject: config.VIGIE_VAPID_SUBJECT },
          join(dataPaths(config.VIGIE_DATA_DIR).root, 'cloud', 'vapid.json'),
        )
      : null;
    const vapidPublicKey = () => vapid?.publicKey ?? null;
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const listen = async (instance: FastifyInstance, port: number, secure: boolean): Promise<string> => {
      await instance.listen({ port, host: config.HOST });
      return `${secure ? 'https' : 'http'}://${host}:${(instance.server.address() as AddressInfo).port}`;
    };
    let url: string;
    let ingestUrl: string;
    if (separateIngest) {
      app = await buildCloudApp({ db, config, log, roles: { ingest: false, portal: true }, vapidPublicKey, ...(portalTls ? { tls: portalTls } : {}) });
      ingestApp = await buildCloudApp({ db, config, log, roles: { ingest: true, portal: false }, ...(tls ? { tls } : {}) });
      url = await listen(app, config.PORT, portalTls !== undefined);
      ingestUrl = await listen(ingestApp, config.VIGIE_INGEST_PORT!, tls !== undefined);
    } else {
      const single = roles.ingest ? (tls ?? portalTls) : (portalTls ?? tls);
      app = await buildCloudApp({ db, config, log, roles, vapidPublicKey, ...(single ? { tls: single } : {}) });
      url = await listen(app, config.PORT, single !== undefined);
      ingestUrl = url;
    }
    // The admin API on its own listener (VIGIE_ADMIN_PORT, e.g. bound to the company network by a
    // firewall or a reverse proxy); the listeners above then answer 404 under /admin/api.
    if (roles.portal && config.VIGIE_ADMIN_PORT !== undefined) {
      adminApp = await buildCloudApp({ db, config, log, roles: { ingest: false, portal: true }, adminListener: true, ...(portalTls ? { tls: portalTls } : {}) });
      await listen(adminApp, config.VIGIE_ADMIN_PORT, portalTls !== undefined);
    }
    const running = [app, ingestApp, adminApp].filter((a): a is FastifyInstance => a !== null);
    if (roles.ingest && options.kafka) {
      // Supervised: Kafka unreachable at start (or later) delays Kafka ingest, never the rest.
      consumer = new KafkaIngestConsumer({ db, kafka: options.kafka, log });
      consumer.runSupervised();
    }
    const kafkaConsumer = consumer;
    // Partitions ahead and retention: again every 6 hours (idempotent, advisory-locked, so several
    // instances may run it).
    // Fleet: raw heartbeats pruned with the partitions; silence and implausible values watched
    // every minute by ingest.
    const fleet = loadFleetEnv();
    const fleetWatch = roles.ingest ? new FleetWatch({ db, log, ...fleetThresholds(fleet) }) : null;
    await fleetWatch?.start();
    // Erasure of patients whose soft-delete grace period ended: at start, then hourly (idempotent,
    // so every instance may run it).
    const erasureJob = new ErasureJob({ db, log, graceDays: config.VIGIE_ERASURE_GRACE_DAYS });
    await erasureJob.start();
    // Questionnaire reminders: a pass every minute (claims in the database make several instances
    // safe); e-mail through the portal's mailer.
    const questionnaireScheduler =
      roles.portal && config.VIGIE_QUESTIONNAIRE_REMINDERS === 'on'
        ? createQuestionnaireScheduler({ db, push: vapid ? createWebPushSender(vapid) : null, mail: app.mailer, log, portalUrl: config.VIGIE_PUBLIC_URL ?? url })
        : null;
    await questionnaireScheduler?.start();
    const maintenance = setInterval(() => {
      maintainPartitions(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS, log }).catch((err: unknown) =>
        log.error({ err }, 'partition maintenance failed'),
      );
      pruneHeartbeats(db, { now: Date.now(), retentionDays: fleet.VIGIE_HEARTBEAT_RETENTION_DAYS })
        .then((deleted) => log.info({ deleted }, 'heartbeat retention'))
        .catch((err: unknown) => log.error({ err }, 'heartbeat retention failed'));
      pruneQuestionnaire(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS })
        .then((deleted) => log.info(deleted, 'questionnaire retention'))
        .catch((err: unknown) => log.error({ err }, 'questionnaire retention failed'));
    }, PARTITION_MAINTENANCE_MS);
    maintenance.unref();
    let stopping: Promise<void> | null = null;
    return {
      app,
      db,
      url,
      ingestUrl,
      demoAccounts,
      questionnaireScheduler,
      stop: () =>
        (stopping ??= (async () => {
          clearInterval(maintenance);
          await questionnaireScheduler?.stop();
          await fleetWatch?.stop();
          await erasureJob.stop();
          try {
            // The consumer first: it leaves the group before the database it writes to closes.
            await kafkaConsumer?.stop();
            await Promise.all(running.map((a) => a.close()));
          } finally {
            await db.close();
          }
        })()),
    };
  } catch (err) {
    await consumer?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await ingestApp?.close().catch(() => undefined);
    await adminApp?.close().catch(() => undefined);
    await db.close();
    throw err;
  }
}
