import { setTimeout as delay } from 'node:timers/promises';
import type { Db, Queryable } from '@vigie/cloud-store';
import { silentLogger, type Logger } from '@vigie/common';
import type { ReportRequest } from '@vigie/protocol';
import type { DeliveryHandler, ReportRequestTransport } from './port.ts';

/** Options of {@link DbReportQueue}. */
export interface DbReportQueueOptions {
  readonly db: Db;
  readonly log?: Logger;
  /** Requests handled at once by this process (default 1). */
  readonly workers?: number;
  /** How long a claimed row stays invisible to others: a dead worker's row comes back after it (default 5 min). */
  readonly lockMs?: number;
  /** Pause between polls of an empty queue (default 500 ms). */
  readonly idleMs?: number;
  /** Pause before a row whose handling failed is tried again (default 5 s). */
  readonly retryMs?: number;
}

interface ClaimRow {
  request_id: string;
  deliveries: number;
  message: ReportRequest;
}

/**
 * The database transport of report requests (`report_queue`, migration 0013), for `npm start`
 * and any deployment without Kafka. Durable: a request is a row until it is settled. Workers
 * claim rows with `FOR UPDATE SKIP LOCKED` and a lease (`locked_until`), so several processes
 * share the queue and a worker killed mid-report leaves a row another takes when the lease ends.
 */
export class DbReportQueue implements ReportRequestTransport {
  readonly kind = 'queue';
  readonly #o: DbReportQueueOptions;
  readonly #log: Logger;
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(options: DbReportQueueOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'report-queue' });
  }

  async publish(tx: Queryable, requests: readonly ReportRequest[]): Promise<void> {
    if (requests.length === 0) return;
    await tx.query(
      `INSERT INTO report_queue (request_id, patient_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [requests.map((r) => r.requestId), requests.map((r) => r.patientId)],
    );
  }

  async consume(handler: DeliveryHandler): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.#o.workers ?? 1 }, () => this.#loop(handler));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  /** Claim the oldest available row, with a lease; null when none is available. */
  async claim(): Promise<ClaimRow | null> {
    const lockMs = this.#o.lockMs ?? 300_000;
    const { rows } = await this.#o.db.query<ClaimRow>(
      `WITH claimed AS (
         UPDATE report_queue SET locked_until = now() + $1 * interval '1 millisecond', deliveries = deliveries + 1
          WHERE request_id = (SELECT request_id FROM report_queue
                               WHERE available_at <= now() AND (locked_until IS NULL OR locked_until < now())
                               ORDER BY enqueued_at, request_id LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING request_id, deliveries)
       SELECT c.request_id, c.deliveries,
              json_build_object('v', 1, 'requestId', r.id, 'patientId', r.patient_id, 'from', r.period_from::text,
                                'to', r.period_to::text, 'kind', r.kind,
                                'requestedAt', (extract(epoch FROM r.requested_at) * 1000)::bigint, 'requestedBy', r.requested_by) AS message
         FROM claimed c JOIN report_requests r ON r.id = c.request_id`,
      [lockMs],
    );
    return rows[0] ?? null;
  }

  async #loop(handler: DeliveryHandler): Promise<void> {
    while (this.#running) {
      let row: ClaimRow | null = null;
      try {
        row = await this.claim();
      } catch (err) {
        this.#log.warn({ err }, 'report queue unreachable; polling again');
      }
      if (!row) {
        await delay(this.#o.idleMs ?? 500);
        continue;
      }
      try {
        await handler({ value: Buffer.from(JSON.stringify(row.message)), source: 'queue', ref: row.request_id, redeliveries: row.deliveries - 1 });
        await this.#o.db.query('DELETE FROM report_queue WHERE request_id = $1', [row.request_id]);
      } catch (err) {
        this.#log.warn({ err, requestId: row.request_id }, 'report request not settled; it will be delivered again');
        await this.#o.db
          .query(`UPDATE report_queue SET locked_until = NULL, available_at = now() + $2 * interval '1 millisecond' WHERE request_id = $1`, [
            row.request_id,
            this.#o.retryMs ?? 5_000,
          ])
          .catch(() => undefined);
      }
    }
  }
}
