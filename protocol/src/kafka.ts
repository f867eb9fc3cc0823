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

/**
 * How each topic is created in a cluster (Strimzi `KafkaTopic`, cloud-runtime/deploy/k8s, checked
 * equal by its test). Partitions bound the consumer group's parallelism: at most this many ingest
 * consumers share the load (the HPA's maximum). Retention is how long Kafka keeps a message the
 * cloud has not yet stored: the database, not Kafka, is the record, so days suffice to survive an
 * outage of the consumers; dead letters are kept a month for investigation.
 */
export const KAFKA_TOPIC_SETTINGS = {
  [KAFKA_TOPICS.telemetry]: { partitions: 12, retentionMs: 7 * 24 * 3_600_000 },
  [KAFKA_TOPICS.alerts]: { partitions: 12, retentionMs: 7 * 24 * 3_600_000 },
  [KAFKA_TOPICS.heartbeats]: { partitions: 12, retentionMs: 24 * 3_600_000 },
  [KAFKA_TOPICS.deadLetter]: { partitions: 3, retentionMs: 30 * 24 * 3_600_000 },
  // A night's requests are consumed by a few report workers; a week covers a long outage of them.
  [KAFKA_TOPICS.reportRequests]: { partitions: 6, retentionMs: 7 * 24 * 3_600_000 },
  [KAFKA_TOPICS.reportDeadLetter]: { partitions: 1, retentionMs: 30 * 24 * 3_600_000 },
} as const satisfies Record<(typeof KAFKA_TOPICS)[keyof typeof KAFKA_TOPICS], { partitions: number; retentionMs: number }>;

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
