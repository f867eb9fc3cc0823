/**
 * The Kafka transport's wire contract (box → cloud). Payloads are the same JSON messages as over
 * HTTPS (`TelemetryBatch`, `AlertEvent`, `Heartbeat`), UTF-8, one per Kafka message. The message
 * key is the box id, so every message of one box lands on one partition, in order.
 */
export const KAFKA_TOPICS = {
  telemetry: 'vigie.telemetry.v1',
  alerts: 'vigie.alerts.v1',
  heartbeats: 'vigie.heartbeats.v1',
  /** Messages the ingest could not use, with the reason in headers (written by cloud-ingest). */
  deadLetter: 'vigie.deadletter.v1',
  /**
   * Cloud → cloud: `ReportRequest` messages from the scheduler and the portal to the reports
   * service, keyed by patient id. Unversioned name as issue 13 gives it; the version is in each
   * message (`v`). Refused requests go to `reportDeadLetter`.
   */
  reportRequests: 'vigie.report-requests',
  /** Report requests the reports service refused or gave up on, reason in headers. */
  reportDeadLetter: 'vigie.report-requests.deadletter',
} as const;

/** Kind of box message carried by a topic. */
export type KafkaMessageKind = 'telemetry' | 'alerts' | 'heartbeats';

/**
 * Headers of a box message. The box authenticates each message with its own ed25519 key:
 * `signature = hex(Ed25519(box private key, message value bytes))` (128 hex digits, RFC 8032).
 * The private key is created on the box and never leaves it; the cloud holds only the public key
 * (`boxes.signing_public_key`, registered by the box with `BoxSigningKey` over HTTPS), so neither
 * the Kafka log nor a copy of the cloud's database lets anyone sign as a box. (Until issue 10 the
 * key was the stored token hash: a database leak let anyone forge messages.)
 */
export const KAFKA_HEADERS = {
  boxId: 'vigie-box-id',
  signature: 'vigie-signature',
  /** Dead-letter topic: the catalogued reason code, the failing field, the source coordinates. */
  reason: 'vigie-dlq-reason',
  field: 'vigie-dlq-field',
  sourceTopic: 'vigie-dlq-topic',
  sourcePartition: 'vigie-dlq-partition',
  sourceOffset: 'vigie-dlq-offset',
} as const;
