export { cloudErrors, type CloudErrorCode } from './errors.ts';
export { ingestRoutes, INGEST_BODY_LIMIT, type IngestRoutesOptions } from './http/ingest-routes.ts';
export { cloudErrorHandler, cloudNotFoundHandler, errorResponse, type ErrorBody } from './http/error-handler.ts';
export { authenticateBox } from './http/box-auth.ts';
export { TelemetryPipeline, TELEMETRY_STAGES, type TelemetryStage, type PipelineDeps } from './pipeline/telemetry-pipeline.ts';
export { recordAlert, type AlertReceipt } from './pipeline/alert-intake.ts';
export { recordHeartbeat } from './pipeline/heartbeat-intake.ts';
export {
  implausibility,
  PLAUSIBLE_RANGES,
  MAX_FUTURE_SKEW_MS,
  EARLIEST_PLAUSIBLE_TS,
  type RejectReason,
} from './pipeline/plausibility.ts';
export { patientAt, type Assignment } from './pipeline/write-telemetry.ts';
