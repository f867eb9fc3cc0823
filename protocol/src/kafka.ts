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
} as const;

/** Kind of box message carried by a topic. */
export type KafkaMessageKind = 'telemetry' | 'alerts' | 'heartbeats';

/**
 * Headers of a box message. The box authenticates each message with
 * `signature = hex(HMAC-SHA256(key = hex(sha256(box token)), message value bytes))`: the cloud holds
 * only the token's sha256 (`boxes.token_hash`), so it can check the signature, and the Kafka log
 * never carries the token itself.
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
