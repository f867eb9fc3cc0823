import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { maintainPartitions, migrate, openDb, runExclusive, waitForSchema, type Db } from '@vigie/cloud-store';
import { exposeBoxMetrics, fleetThresholds, FleetWatch, ingestRoutes, KafkaIngestConsumer, lazyCommandSigningKey, loadFleetEnv, pruneHeartbeats, type KafkaConnection } from '@vigie/cloud-ingest';
import { dataPaths, ensurePrivateDir, restrictTree, type Logger, type Module } from '@vigie/common';
import { processMetrics, type HealthChecks } from '@vigie/common/metrics';
import type { ServiceFactory } from './roles.ts';
import { instrumentProcess, processHealth, type ListenerCertificate } from './process-metrics.ts';
import { startReports, type ReportsRuntime } from './reports.ts';
import { loadUpdateSettings, updateAdminRoutes, updateBoxRoutes, UpdateService } from '@vigie/cloud-updates';
import {
  buildCloudApp as buildPortalApp,
  createMailer,
  createQuestionnaireScheduler,
  createWebPushSender,
  ErasureJob,
  loadVapidKeys,
  pruneQuestionnaire,
  loadSecretsKey,
  portalErrors,
  sweepRateLimitHits,
  seedDemo,
  type CloudAppOptions,
  type CloudConfig,
  type CloudRoles,
  type DemoAccount,
  type IngestRoutes,
  type UpdateRoutes,
  type QuestionnaireScheduler,
} from '@vigie/cloud-portal';

/**
 * The portal's app with the ingest's routes mounted when the roles ask for them; the box commands
 * they serve are signed with the cloud's command key, read when first needed (decision 0009).
 */
const buildCloudApp = (options: Omit<CloudAppOptions, 'ingestRoutes' | 'updateRoutes'> & { readonly updates?: UpdateService | null }) => {
  const { updates, ...rest } = options;
  const commandKey = lazyCommandSigningKey({ dataDir: options.config.VIGIE_DATA_DIR, log: options.log });
  const signedIngestRoutes: IngestRoutes = async (scope, routeOptions) => ingestRoutes(scope, { ...routeOptions, commandKey });
  // The update service's routes, bound to its options; admin actions are audited under the session's account.
  const updateRoutes: UpdateRoutes | undefined = updates
    ? {
        box: async (scope) => updateBoxRoutes(scope, updates.boxRoutes()),
        admin: async (scope) => updateAdminRoutes(scope, updates.adminRoutes((request) => request.account!.accountId)),
      }
    : undefined;
  return buildPortalApp({ ...rest, ingestRoutes: signedIngestRoutes, ...(updateRoutes ? { updateRoutes } : {}) });
};

/** A running `vigie-cloud`. */
export interface CloudProcess {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** `http(s)://HOST:PORT` with the port actually bound (PORT=0 picks one). */
  readonly url: string;
  /** Where boxes reach the ingest: `url`, or the ingest's own listener (VIGIE_INGEST_PORT). */
  readonly ingestUrl: string;
  /** The report store, transport, service and scheduler of this process (null: none). */
  readonly reports: ReportsRuntime | null;
  /** Demo accounts to print (empty unless VIGIE_DEMO=1). */
  readonly demoAccounts: readonly DemoAccount[];
  /** What `/readyz` checks; a role added later registers its own dependency here. */
  readonly health: HealthChecks;
  /**
   * The questionnaire reminder scheduler (portal role, VIGIE_QUESTIONNAIRE_REMINDERS=on): it runs a
   * pass every minute; tests call `runPass(new Date(...))` for a pass at a given time.
   */
  readonly questionnaireScheduler: QuestionnaireScheduler | null;
  /** The Kafka consumer group member (null: no KAFKA_BROKERS); tests pause its partitions. */
  readonly kafkaConsumer: KafkaIngestConsumer | null;
  /** Stop serving, stop listening for events, close the database (and free the PGlite lock). */
  stop(): Promise<void>;
}

/** Options of {@link startCloud}. */
export interface StartOptions {
  readonly config: CloudConfig;
  readonly log: Logger;
  readonly roles: CloudRoles;
  /** Kafka settings (KAFKA_BROKERS set): the Kafka consumer group runs (roles `all`, `ingest`, `consumer`). */
  readonly kafka?: KafkaConnection | null;
  /** How often the consumer reads its lag from the brokers (default 15 s; tests shorter). */
  readonly kafkaLagIntervalMs?: number;
  /** The fleet watch (default: with the ingest routes). */
  readonly fleetWatch?: boolean;
  /** `apply` the migrations (default), or `wait` for the migration job to have applied them. */
  readonly migrations?: 'apply' | 'wait';
  /** Background services of the role (cloud-runtime/src/roles.ts). */
  readonly services?: readonly ServiceFactory[];
  /**
   * The report roles (issue 13): the reports service and the nightly scheduler. Default: both
   * when the process runs ingest and portal together (`vigie-cloud all`), none otherwise. The
   * portal always gets the report store and transport.
   */
  readonly reportRoles?: { readonly service: boolean; readonly scheduler: boolean };
  /** Kafka settings for the report requests (default: `kafka`). */
  readonly reportsKafka?: KafkaConnection | null;
  /** Environment of the report settings (VIGIE_S3_*; default process.env). */
  readonly env?: Record<string, string | undefined>;
}

/** The report roles of a process, from its ingest/portal roles when not given. */
export function reportRolesOf(roles: CloudRoles, given?: { service: boolean; scheduler: boolean }): { service: boolean; scheduler: boolean } {
  return given ?? (roles.ingest && roles.portal ? { service: true, scheduler: true } : { service: false, scheduler: false });
}

/**
 * Refuse to run one half of the cloud on PGlite: the other half would need the same directory,
 * which only one process may open.
 */
export function checkRoles(config: CloudConfig, roles: CloudRoles, migrations: 'apply' | 'wait' = 'apply'): void {
  if ((!roles.ingest || !roles.portal || roles.updates === false || migrations === 'wait') && !config.DATABASE_URL) {
    throw portalErrors.create('PORTAL_ROLE_NEEDS_DATABASE', {
      message:
        'Running ingest, portal or updates alone needs DATABASE_URL (a PostgreSQL server both processes share); ' +
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

/**
 * Open the database of `config` (PostgreSQL, or the locked PGlite directory) and migrate it; with
 * `migrations: 'wait'` (the instances of a scaled-out cloud) only wait, up to VIGIE_SCHEMA_WAIT_S,
 * for the migration job to have brought it to this version (CLOUD_DB_SCHEMA_BEHIND otherwise).
 */
export async function openCloudDb(config: CloudConfig, log: Logger, migrations: 'apply' | 'wait' = 'apply'): Promise<Db> {
  const paths = dataPaths(config.VIGIE_DATA_DIR);
  if (!config.DATABASE_URL) ensurePrivateDir(dirname(paths.cloudPgData));
  const db = await openDb({ databaseUrl: config.DATABASE_URL, pgliteDir: paths.cloudPgData }, log);
  try {
    if (migrations === 'wait') {
      await waitForSchema(db, { log, timeoutMs: schemaWaitMs() });
    } else {
      await migrate(db, { log });
      await maintainPartitions(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS, log });
    }
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

/** VIGIE_SCHEMA_WAIT_S (default 300): how long an instance waits for the migration job. */
function schemaWaitMs(): number {
  const raw = process.env.VIGIE_SCHEMA_WAIT_S;
  const seconds = raw === undefined || raw === '' ? 300 : Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: `VIGIE_SCHEMA_WAIT_S must be a number of seconds (got "${raw}")` });
  }
  return seconds * 1000;
}

/** Open the database, migrate (or wait for the migration job), seed the demo if asked, build the app(s) and listen. */
export async function startCloud(options: StartOptions): Promise<CloudProcess> {
  const { config, log, roles } = options;
  const migrations = options.migrations ?? 'apply';
  checkRoles(config, roles, migrations);
  const db = await openCloudDb(config, log, migrations);
  let app: FastifyInstance | null = null;
  let ingestApp: FastifyInstance | null = null;
  let adminApp: FastifyInstance | null = null;
  let consumer: KafkaIngestConsumer | null = null;
  const services: Module[] = [];
  const instruments: Array<() => void> = [];
  let reports: ReportsRuntime | null = null;
  // The update service: its box routes and rollout ticker with the updates role, its admin routes
  // with the portal.
  const updates = roles.updates || roles.portal ? new UpdateService({ db, log, settings: loadUpdateSettings(config.VIGIE_DATA_DIR) }) : null;
  try {
    const reportRoles = reportRolesOf(roles, options.reportRoles);
    if (reportRoles.service || reportRoles.scheduler || roles.portal) {
      // The e-mail of "a report is ready": the portal's mailer once it exists, else one of our own.
      let ownMailer: ReturnType<typeof createMailer> | null = null;
      reports = await startReports({
        db,
        config,
        log,
        roles: { ...reportRoles, portal: roles.portal },
        kafka: options.reportsKafka !== undefined ? options.reportsKafka : (options.kafka ?? null),
        mailer: { send: (mail) => (app?.mailer ?? (ownMailer ??= createMailer(config, log))).send(mail) },
        ...(options.env ? { env: options.env } : {}),
      });
    }
    const portalReports = reports?.portalReports;
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
    // Metrics and readiness, shared by every listener of the process (ops/prometheus/).
    const certificates: ListenerCertificate[] = [
      ...(tls && roles.ingest ? [{ listener: 'ingest', pem: tls.cert }] : []),
      ...(portalTls && roles.portal ? [{ listener: 'portal', pem: portalTls.cert }] : []),
    ];
    const uninstrument = instrumentProcess(db, certificates);
    const health = processHealth(db);
    const unexpose = roles.ingest ? exposeBoxMetrics(processMetrics(), db) : () => undefined;
    instruments.push(uninstrument, unexpose);
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
      app = await buildCloudApp({ db, config, log, health, updates, vapidPublicKey, roles: { ingest: false, portal: true }, reports: portalReports, ...(portalTls ? { tls: portalTls } : {}) });
      ingestApp = await buildCloudApp({ db, config, log, health, updates, roles: { ingest: true, portal: false, updates: roles.updates === true }, ...(tls ? { tls } : {}) });
      url = await listen(app, config.PORT, portalTls !== undefined);
      ingestUrl = await listen(ingestApp, config.VIGIE_INGEST_PORT!, tls !== undefined);
    } else {
      const single = roles.ingest || (roles.updates && !roles.portal) ? (tls ?? portalTls) : (portalTls ?? tls);
      app = await buildCloudApp({ db, config, log, health, updates, vapidPublicKey, reports: portalReports, roles, ...(single ? { tls: single } : {}) });
      url = await listen(app, config.PORT, single !== undefined);
      ingestUrl = url;
    }
    // The admin API on its own listener (VIGIE_ADMIN_PORT, e.g. bound to the company network by a
    // firewall or a reverse proxy); the listeners above then answer 404 under /admin/api.
    if (roles.portal && config.VIGIE_ADMIN_PORT !== undefined) {
      adminApp = await buildCloudApp({ db, config, log, health, updates, roles: { ingest: false, portal: true }, reports: portalReports, adminListener: true, ...(portalTls ? { tls: portalTls } : {}) });
      await listen(adminApp, config.VIGIE_ADMIN_PORT, portalTls !== undefined);
    }
    const running = [app, ingestApp, adminApp].filter((a): a is FastifyInstance => a !== null);
    if (options.kafka) {
      // Supervised: Kafka unreachable at start (or later) delays Kafka ingest, never the rest.
      consumer = new KafkaIngestConsumer({ db, kafka: options.kafka, log, ...(options.kafkaLagIntervalMs ? { lagIntervalMs: options.kafkaLagIntervalMs } : {}) });
      consumer.runSupervised();
      const kafkaReady = consumer;
      health.add('kafka', () => kafkaReady.checkReady());
    }
    const kafkaConsumer = consumer;
    const reportsRuntime = reports;
    // Partitions ahead and retention: again every 6 hours (idempotent, advisory-locked, so several
    // instances may run it).
    // Fleet: raw heartbeats pruned with the partitions; silence and implausible values watched
    // every minute by ingest.
    const fleet = loadFleetEnv();
    const fleetWatch =
      (options.fleetWatch ?? roles.ingest)
        ? new FleetWatch({ db, log, ...fleetThresholds(fleet), exclusive: (pass) => runExclusive(db, 'fleet-watch', pass) })
        : null;
    await fleetWatch?.start();
    // Erasure of patients whose soft-delete grace period ended: at start, then hourly (idempotent,
    // so every instance may run it).
    const erasureJob = new ErasureJob({ db, log, graceDays: config.VIGIE_ERASURE_GRACE_DAYS });
    await erasureJob.start();
    if (roles.updates) await updates!.start();
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
      // Expired rate-limit counters (shared by the portal instances): one instance sweeps.
      runExclusive(db, 'rate-limit-sweep', async () => {
        const swept = await sweepRateLimitHits(db);
        if (swept > 0) log.info({ swept }, 'expired rate-limit counters deleted');
      }).catch((err: unknown) => log.error({ err }, 'rate-limit sweep failed'));
      pruneHeartbeats(db, { now: Date.now(), retentionDays: fleet.VIGIE_HEARTBEAT_RETENTION_DAYS })
        .then((deleted) => log.info({ deleted }, 'heartbeat retention'))
        .catch((err: unknown) => log.error({ err }, 'heartbeat retention failed'));
      pruneQuestionnaire(db, { now: Date.now(), retentionMonths: config.VIGIE_RETENTION_MONTHS })
        .then((deleted) => log.info(deleted, 'questionnaire retention'))
        .catch((err: unknown) => log.error({ err }, 'questionnaire retention failed'));
    }, PARTITION_MAINTENANCE_MS);
    maintenance.unref();
    for (const factory of options.services ?? []) {
      const service = factory({ db, config, log });
      await service.start();
      services.push(service);
    }
    let stopping: Promise<void> | null = null;
    return {
      app,
      db,
      url,
      ingestUrl,
      reports: reportsRuntime,
      demoAccounts,
      health,
      questionnaireScheduler,
      kafkaConsumer,
      stop: () =>
        (stopping ??= (async () => {
          clearInterval(maintenance);
          await questionnaireScheduler?.stop();
          for (const service of services.reverse()) await service.stop();
          for (const release of instruments) release();
          await fleetWatch?.stop();
          await erasureJob.stop();
          await updates?.stop();
          try {
            // The consumer first: it leaves the group before the database it writes to closes.
            await kafkaConsumer?.stop();
            await reportsRuntime?.stop();
            await Promise.all(running.map((a) => a.close()));
          } finally {
            await db.close();
          }
        })()),
    };
  } catch (err) {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    for (const release of instruments) release();
    await consumer?.stop().catch(() => undefined);
    await reports?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await ingestApp?.close().catch(() => undefined);
    await adminApp?.close().catch(() => undefined);
    await db.close();
    throw err;
  }
}
