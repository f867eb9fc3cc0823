/**
 * The reports roles of `vigie-cloud` (issue 13): `reports` (the service that renders and stores
 * the PDFs) and `scheduler` (the nightly pass), and what the portal borrows from them (the object
 * store to stream from, the transport to publish a doctor's request).
 *
 * Object store: VIGIE_S3_ENDPOINT (MinIO, Garage, AWS S3), or an embedded s3rver over
 * `<data>/cloud/objects` when unset (one process: `vigie-cloud all`, `npm start`). Transport:
 * Kafka (`vigie.report-requests`, group `vigie-reports`) when KAFKA_BROKERS is set, else the
 * database queue.
 */
import { ensurePrivateDir, dataPaths, type Logger } from '@vigie/common';
import type { Db } from '@vigie/cloud-store';
import type { KafkaConnection } from '@vigie/cloud-ingest';
import type { CloudConfig, PortalReports } from '@vigie/cloud-portal';
import {
  DbReportQueue,
  KafkaReportTransport,
  loadReportsConfig,
  reportErrors,
  publishPending,
  ReportObjectStore,
  ReportScheduler,
  ReportsService,
  startEmbeddedS3,
  type EmbeddedS3,
  type ReportMailer,
  type ReportRequestTransport,
} from '@vigie/cloud-reports';

/** Which report roles this process runs. */
export interface ReportRoles {
  readonly service: boolean;
  readonly scheduler: boolean;
  /** The portal runs here: it needs the store and the transport too. */
  readonly portal: boolean;
}

/** The running report parts of one process. */
export interface ReportsRuntime {
  readonly portalReports: PortalReports;
  /** Null in a portal without VIGIE_S3_ENDPOINT (downloads answer 503). */
  readonly objects: ReportObjectStore | null;
  readonly transport: ReportRequestTransport;
  readonly service: ReportsService | null;
  readonly scheduler: ReportScheduler | null;
  stop(): Promise<void>;
}

/** Start the object store, the transport, and the roles asked for. */
export async function startReports(options: {
  db: Db;
  config: CloudConfig;
  log: Logger;
  roles: ReportRoles;
  kafka: KafkaConnection | null;
  mailer?: ReportMailer;
  env?: Record<string, string | undefined>;
}): Promise<ReportsRuntime> {
  const { db, config, log, roles } = options;
  const rc = loadReportsConfig(options.env);
  let embedded: EmbeddedS3 | null = null;
  if (!rc.VIGIE_S3_ENDPOINT && roles.service && !roles.portal) {
    // The embedded store lives in one process: a portal elsewhere would never see its reports.
    throw reportErrors.create('REPORT_S3_ENDPOINT_REQUIRED');
  }
  if (!rc.VIGIE_S3_ENDPOINT && roles.portal && !roles.service) {
    log.warn('VIGIE_S3_ENDPOINT unset: this portal cannot serve report files (503) until it is set');
  }
  if (!rc.VIGIE_S3_ENDPOINT && roles.service) {
    const directory = dataPaths(config.VIGIE_DATA_DIR).cloudObjects;
    ensurePrivateDir(directory);
    embedded = await startEmbeddedS3({ directory, bucket: rc.VIGIE_S3_BUCKET });
    log.info({ endpoint: embedded.config.endpoint }, 'embedded object store (s3rver): development only');
  }
  const objects: ReportObjectStore | null = embedded
    ? new ReportObjectStore(embedded.config)
    : !rc.VIGIE_S3_ENDPOINT
      ? null
      : new ReportObjectStore({
      endpoint: rc.VIGIE_S3_ENDPOINT!,
      region: rc.VIGIE_S3_REGION,
      bucket: rc.VIGIE_S3_BUCKET,
      accessKeyId: rc.VIGIE_S3_ACCESS_KEY_ID!,
      secretAccessKey: rc.VIGIE_S3_SECRET_ACCESS_KEY!,
        forcePathStyle: rc.VIGIE_S3_FORCE_PATH_STYLE,
      });
  const transport: ReportRequestTransport = options.kafka
    ? new KafkaReportTransport({ kafka: { ...options.kafka, clientId: 'vigie-reports' }, log })
    : new DbReportQueue({ db, log, workers: rc.VIGIE_REPORT_WORKERS });
  let service: ReportsService | null = null;
  let scheduler: ReportScheduler | null = null;
  try {
    if (roles.service && objects) {
      await objects.ensureBucket(rc.VIGIE_REPORT_RETENTION_DAYS);
      service = new ReportsService({ db, objects, transport, log, maxAttempts: rc.VIGIE_REPORT_MAX_ATTEMPTS, ...(options.mailer ? { mailer: options.mailer } : {}) });
      await service.start();
    }
    if (roles.scheduler) {
      scheduler = new ReportScheduler({ db, transport, log });
      await scheduler.start();
    }
  } catch (err) {
    await service?.stop().catch(() => undefined);
    await transport.stop().catch(() => undefined);
    objects?.close();
    await embedded?.stop();
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    objects,
    transport,
    service,
    scheduler,
    portalReports: {
      available: objects !== null,
      open: (key) => (objects ? objects.open(key) : Promise.reject(new Error('no object store configured'))),
      publish: async () => void (await publishPending(db, transport, Date.now())),
    },
    stop: () =>
      (stopping ??= (async () => {
        await scheduler?.stop();
        await service?.stop();
        await transport.stop();
        objects?.close();
        await embedded?.stop();
      })()),
  };
}
