import { processMetrics } from '@vigie/common/metrics';

/** How a message reached the ingest. */
export type IngestTransport = 'https' | 'kafka';

/**
 * The ingest's instruments, in the process registry (names after Prometheus's conventions; the
 * labels are transports, reason codes, topics and partitions — never a box's patient).
 */
export function ingestMetrics() {
  const m = processMetrics();
  return {
    /** Readings written (`rate()` of it is the rows/s), by transport. */
    readingsWritten: m.counter<'transport'>({
      name: 'vigie_ingest_readings_written_total',
      help: 'Readings written to the measurements table',
      labelNames: ['transport'],
    }),
    /** Readings the filter stage refused inside an accepted batch, by reason (`ts_in_future`, `out_of_range`…). */
    readingsRefused: m.counter<'transport' | 'reason'>({
      name: 'vigie_ingest_readings_refused_total',
      help: 'Readings refused by the plausibility filter or the schema, by reason',
      labelNames: ['transport', 'reason'],
    }),
    /** Batches by outcome: written, duplicate (already written), refused (whole batch). */
    batches: m.counter<'transport' | 'outcome'>({
      name: 'vigie_ingest_batches_total',
      help: 'Telemetry batches by outcome (written, duplicate, refused)',
      labelNames: ['transport', 'outcome'],
    }),
    /** Time to validate, filter and write one batch (HTTPS) or one chunk of batches (Kafka). */
    batchDuration: m.histogram<'transport'>({
      name: 'vigie_ingest_batch_duration_seconds',
      help: 'Time to run a telemetry batch (HTTPS) or a chunk of batches (Kafka) through validate, filter and write',
      labelNames: ['transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    /** Messages kept in `dead_letters`, by transport and catalogued reason. */
    deadLetters: m.counter<'transport' | 'reason'>({
      name: 'vigie_ingest_dead_letters_total',
      help: 'Box messages refused whole and kept in dead_letters, by reason code',
      labelNames: ['transport', 'reason'],
    }),
    /** Messages of each kind taken in (alerts, heartbeats, telemetry), by transport. */
    messages: m.counter<'transport' | 'kind'>({
      name: 'vigie_ingest_messages_total',
      help: 'Box messages received, by kind (telemetry, alert, heartbeat)',
      labelNames: ['transport', 'kind'],
    }),
    /** Messages behind the end of each partition of the box topics: after each commit, and read from the brokers every 15 s. */
    consumerLag: m.gauge<'topic' | 'partition'>({
      name: 'vigie_kafka_consumer_lag_messages',
      help: 'Messages between the consumer group committed offset and the end of the partition',
      labelNames: ['topic', 'partition'],
    }),
  };
}
export type IngestMetrics = ReturnType<typeof ingestMetrics>;
