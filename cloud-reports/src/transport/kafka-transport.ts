import { Kafka, logLevel, type Consumer, type Producer, type SASLOptions } from 'kafkajs';
import type { Queryable } from '@vigie/cloud-store';
import { silentLogger, type Logger } from '@vigie/common';
import { KAFKA_HEADERS, KAFKA_TOPICS, type ReportRequest } from '@vigie/protocol';
import type { DeliveryHandler, ReportRequestTransport } from './port.ts';

/** Kafka settings (the same variables as the ingest's: KAFKA_BROKERS, KAFKA_SSL, SASL…). */
export interface ReportsKafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: boolean | { ca: string };
  readonly sasl?: SASLOptions;
}

/** Options of {@link KafkaReportTransport}. */
export interface KafkaReportTransportOptions {
  readonly kafka: ReportsKafkaConnection;
  /** Consumer group of the reports service (default `vigie-reports`). */
  readonly groupId?: string;
  readonly log?: Logger;
  readonly sessionTimeoutMs?: number;
  /** Partitions handled at once by this instance (default 1). */
  readonly partitionsConsumedConcurrently?: number;
}

/**
 * The Kafka transport of report requests: produces `ReportRequest` JSON keyed by patient id on
 * `vigie.report-requests`, and consumes it in the `vigie-reports` group. Offsets are committed
 * by hand after the handler settled a message: a worker that dies mid-report leaves its message
 * to the next owner of the partition, which finds the report (or renders it again to the same
 * object key): one report either way.
 */
export class KafkaReportTransport implements ReportRequestTransport {
  readonly kind = 'kafka';
  readonly #o: KafkaReportTransportOptions;
  readonly #log: Logger;
  readonly #kafka: Kafka;
  #producer: Producer | null = null;
  #consumer: Consumer | null = null;

  constructor(options: KafkaReportTransportOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'report-kafka' });
    const k = options.kafka;
    this.#kafka = new Kafka({
      clientId: k.clientId,
      brokers: [...k.brokers],
      ...(k.ssl === false ? {} : { ssl: k.ssl === true ? true : { ca: [k.ssl.ca] } }),
      ...(k.sasl ? { sasl: k.sasl } : {}),
      logLevel: logLevel.NOTHING,
    });
  }

  async #producerReady(): Promise<Producer> {
    if (!this.#producer) {
      // Not kafkajs's idempotent producer (the mock cluster refuses it, field notes): the
      // consumer is idempotent instead.
      const producer = this.#kafka.producer({ allowAutoTopicCreation: true, idempotent: false });
      await producer.connect();
      this.#producer = producer;
    }
    return this.#producer;
  }

  async publish(_tx: Queryable, requests: readonly ReportRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const producer = await this.#producerReady();
    await producer.send({
      topic: KAFKA_TOPICS.reportRequests,
      acks: -1,
      messages: requests.map((r) => ({ key: r.patientId, value: JSON.stringify(r) })),
    });
  }

  async consume(handler: DeliveryHandler): Promise<void> {
    const consumer = this.#kafka.consumer({
      groupId: this.#o.groupId ?? 'vigie-reports',
      allowAutoTopicCreation: true,
      sessionTimeout: this.#o.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 200,
    });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [KAFKA_TOPICS.reportRequests], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.#o.partitionsConsumedConcurrently ?? 1,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const ref = `${topic}/${partition}/${message.offset}`;
        const value = message.value ?? Buffer.alloc(0);
        await handler({
          value,
          source: 'kafka',
          ref,
          redeliveries: 0,
          deadLetter: async (reason, field) => {
            const producer = await this.#producerReady();
            await producer.send({
              topic: KAFKA_TOPICS.reportDeadLetter,
              acks: -1,
              messages: [
                {
                  key: message.key,
                  value,
                  headers: {
                    [KAFKA_HEADERS.reason]: reason,
                    ...(field ? { [KAFKA_HEADERS.field]: field } : {}),
                    [KAFKA_HEADERS.sourceTopic]: topic,
                    [KAFKA_HEADERS.sourcePartition]: String(partition),
                    [KAFKA_HEADERS.sourceOffset]: message.offset,
                  },
                },
              ],
            });
          },
        });
        // Settled: commit. A throw above skips this, and kafkajs delivers the message again.
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        await heartbeat();
      },
    });
    this.#log.info({ groupId: this.#o.groupId ?? 'vigie-reports' }, 'consuming report requests');
  }

  async stop(): Promise<void> {
    const consumer = this.#consumer;
    const producer = this.#producer;
    this.#consumer = null;
    this.#producer = null;
    await consumer?.disconnect().catch((err: unknown) => this.#log.debug({ err }, 'consumer disconnect failed'));
    await producer?.disconnect().catch((err: unknown) => this.#log.debug({ err }, 'producer disconnect failed'));
  }
}
