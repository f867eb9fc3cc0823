import type { Queryable } from '@vigie/cloud-store';
import type { ReportRequest } from '@vigie/protocol';

/** One request as it arrived, before any validation (a Kafka message value, a queue row). */
export interface ReportDelivery {
  /** The raw message: JSON text of a `ReportRequest`, or anything a producer put there. */
  readonly value: Buffer;
  readonly source: 'kafka' | 'queue';
  /** Where it came from, unique per message (`topic/partition/offset`, or the queue's request id). */
  readonly ref: string;
  /** How many times this message was delivered before (0 the first time), when the transport knows. */
  readonly redeliveries: number;
  /** Kafka only: also produce the refused message to the dead-letter topic, reason in headers. */
  readonly deadLetter?: (reason: string, field: string | null) => Promise<void>;
}

/**
 * Called once per delivery. Resolves when the delivery is settled (report stored, or refused and
 * dead-lettered); rejects when it must be delivered again (the database is down), and the
 * transport then neither commits nor deletes it.
 */
export type DeliveryHandler = (delivery: ReportDelivery) => Promise<void>;

/**
 * How report requests travel from the scheduler and the portal to the reports service: Kafka's
 * `vigie.report-requests` topic, or the `report_queue` table when no Kafka is configured
 * (`npm start`). Both pass the same suite (`transport-port-suite.ts`).
 */
export interface ReportRequestTransport {
  readonly kind: 'kafka' | 'queue';
  /**
   * Hand `requests` over, from inside the outbox transaction that marked them published: the
   * queue inserts its rows in it (exactly once); Kafka produces before it commits (at least once,
   * the consumer being idempotent).
   */
  publish(tx: Queryable, requests: readonly ReportRequest[]): Promise<void>;
  /** Start delivering requests to `handler` (a consumer group member, or queue workers). */
  consume(handler: DeliveryHandler): Promise<void>;
  /** Stop consuming and close connections. Idempotent. */
  stop(): Promise<void>;
}
