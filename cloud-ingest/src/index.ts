/**
 * `@vigie/cloud-ingest`: the box-facing transports (HTTP ingest and downlink routes, Kafka consumer),
 * the telemetry pipeline and the fleet watch. The database is `@vigie/cloud-store`'s.
 */
export { cloudErrors, type CloudErrorCode } from './errors.ts';
export { ingestRoutes, INGEST_BODY_LIMIT, type IngestRoutesOptions } from './http/ingest-routes.ts';
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
export { type PipelineResult } from './pipeline/telemetry-pipeline.ts';
export { writeTelemetryMany, type FilteredBatch } from './pipeline/write-telemetry.ts';
export {
  KafkaIngestConsumer,
  loadKafkaConnection,
  registerBoxSigningKey,
  clearBoxSigningKey,
  type KafkaIngestOptions,
  type KafkaConnection,
} from './kafka/index.ts';
export { pruneHeartbeats, DEFAULT_HEARTBEAT_RETENTION_DAYS } from './fleet/heartbeat-retention.ts';
export { detectSilence, DEFAULT_SILENCE_THRESHOLDS, type SilenceThresholds } from './fleet/silence-detector.ts';
export { detectImplausibleValues, DEFAULT_IMPLAUSIBLE_THRESHOLDS, SENSOR_REASONS, type ImplausibleThresholds } from './fleet/implausible-values.ts';
export { FleetWatch, loadFleetEnv, fleetThresholds, type FleetEnv } from './fleet/fleet-watch.ts';
export { timestampProblem, boxProvisionedAt, PROVISIONING_SKEW_MS } from './pipeline/plausibility.ts';
export { loadCommandSigningKey, lazyCommandSigningKey, commandSigningKeyFile, commandPublicKeyOf } from './downlink/command-signing-key.ts';
export { ingestMetrics, type IngestMetrics, type IngestTransport } from './metrics/ingest-metrics.ts';
export { exposeBoxMetrics } from './metrics/box-metrics-exporter.ts';
