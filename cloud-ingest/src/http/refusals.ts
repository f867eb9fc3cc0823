import { createHash } from 'node:crypto';
import type { VigieError } from '@vigie/common';
import type { Queryable } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';
import { DEAD_LETTER_PAYLOAD_CAP } from '../kafka/dead-letters.ts';
import { isDataRefusal, refusedColumn } from '../pipeline/data-refusal.ts';

/**
 * The refusal a box must hear for `err`, or null when `err` is ours (an outage, a bug: 5xx, the
 * box retries). A data refusal of the database (SQLSTATE 22/23: the same message would fail
 * again) becomes INGEST_UNSTORABLE (422), so bad input never answers 500 and the box moves on.
 */
export function ingestRefusal(err: unknown): VigieError | null {
  if (cloudErrors.is(err)) return err.httpStatus >= 400 && err.httpStatus < 500 ? err : null;
  if (isDataRefusal(err)) {
    const column = refusedColumn(err);
    return cloudErrors.create('INGEST_UNSTORABLE', { cause: err, details: column === null ? {} : { field: column } });
  }
  return null;
}

/** A box message refused whole over HTTPS, for `dead_letters`. */
export interface HttpDeadLetter {
  /** The route, e.g. `/ingest/v1/telemetry`; stored as topic `https:<path>`. */
  readonly path: string;
  readonly boxId: string;
  readonly reason: string;
  readonly field: string | null;
  /** The body as parsed; kept re-serialized (JSON), capped like a Kafka letter. */
  readonly body: unknown;
}

/**
 * Keep a refused HTTPS message in `dead_letters` (migration 0008: no partition nor offset), so
 * support sees what a box sent and why it was refused, as for Kafka. One row per delivery.
 */
export async function recordHttpDeadLetter(q: Queryable, letter: HttpDeadLetter): Promise<void> {
  const value = Buffer.from(JSON.stringify(letter.body) ?? 'null', 'utf8');
  await q.query(
    `INSERT INTO dead_letters (topic, message_key, box_id, reason, field, payload, payload_bytes, payload_sha256)
     VALUES ($1, $2, $2, $3, $4, $5, $6, $7)`,
    [
      `https:${letter.path}`,
      letter.boxId,
      letter.reason,
      letter.field === null ? null : letter.field.slice(0, 200),
      value.subarray(0, DEAD_LETTER_PAYLOAD_CAP),
      value.length,
      createHash('sha256').update(value).digest('hex'),
    ],
  );
}
