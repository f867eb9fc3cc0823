/**
 * `@vigie/cloud-reports`: periodic PDF reports (issue 13). The scheduler role's nightly pass,
 * the report-request transports (Kafka, database queue), the reports service (render with pdfkit,
 * store in an S3-compatible object store) and the object store the portal reads from.
 */
export { reportErrors, type ReportErrorCode } from './errors.ts';
// Report periods live in protocol/ (the portal checks them too).
export { recordRequest, claimUnpublished, type NewReportRequest } from './requests/report-requests.ts';
export { ReportScheduler, publishPending, cronTrigger, type DailyTrigger, type ReportSchedulerOptions, type SchedulerPass } from './requests/scheduler.ts';
export type { ReportDelivery, DeliveryHandler, ReportRequestTransport } from './transport/port.ts';
export { DbReportQueue, type DbReportQueueOptions } from './transport/db-queue.ts';
export { KafkaReportTransport, type KafkaReportTransportOptions, type ReportsKafkaConnection } from './transport/kafka-transport.ts';
export { ReportObjectStore, reportObjectKey, type ObjectStoreConfig, type StoredObject } from './objects/object-store.ts';
export { startEmbeddedS3, type EmbeddedS3 } from './objects/embedded-s3.ts';
export * from './render/report-data.ts';
export { readReportData, dailyStats, periodSummary, UnknownPatientError } from './render/report-reader.ts';
export { renderReportPdf } from './render/report-pdf.ts';
export { formatNumber, formatDate, formatInstant, REPORT_STRINGS } from './render/report-strings.ts';
export { ReportsService, type ReportsServiceOptions, type ReportOutcome, type ReportMailer } from './service/reports-service.ts';
export { loadReportsConfig, reportsEnvSchema, type ReportsConfig } from './config.ts';
