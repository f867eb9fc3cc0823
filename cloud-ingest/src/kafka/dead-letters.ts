import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { KAFKA_HEADERS, KAFKA_TOPICS } from '@vigie/protocol';
import type { Queryable } from '@vigie/cloud-store';

/** Most payload bytes a dead letter keeps (the real size is recorded beside). */
export const DEAD_LETTER_PAYLOAD_CAP = 64 * 1024;

/** A message the ingest could not use, and why. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The box, when the message authenticated (or at least named one). */
  readonly boxId: string | null;
  /** A catalogued error code (`INGEST_INVALID_BODY`, `INGEST_UNAUTHORIZED`…). */
  readonly reason: string;
  /** JSON pointer of the failing field, or an authentication failure's kind. */
  readonly field: string | null;
  readonly value: Buffer;
}

/**
 * Keep dead letters in `dead_letters` (migration 0004), all of a chunk in one statement. A letter
 * redelivered after a crash is recorded once (unique source coordinates and content).
 */
export async function recordDeadLetters(q: Queryable, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await q.query(
    `INSERT INTO dead_letters (topic, kafka_partition, kafka_offset, message_key, box_id, reason, field, payload, payload_bytes, payload_sha256)
     SELECT * FROM unnest($1::text[], $2::int[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::int[], $10::text[])
     ON CONFLICT ON CONSTRAINT dead_letters_source_key DO NOTHING`,
    [
      letters.map((l) => l.topic),
      letters.map((l) => l.partition),
      letters.map((l) => l.offset),
      letters.map((l) => l.key),
      letters.map((l) => l.boxId),
      letters.map((l) => l.reason),
      letters.map((l) => l.field),
      letters.map((l) => l.value.subarray(0, DEAD_LETTER_PAYLOAD_CAP)),
      letters.map((l) => l.value.length),
      letters.map((l) => createHash('sha256').update(l.value).digest('hex')),
    ],
  );
}

/**
 * Produce dead letters to `vigie.deadletter.v1`, the original value and key unchanged, the reason
 * and source coordinates in headers, for tools that consume rather than query. At least once: a
 * crash between this and the offset commit produces a letter again (the table keeps one).
 */
export async function produceDeadLetters(producer: Producer, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await producer.send({
    topic: KAFKA_TOPICS.deadLetter,
    acks: -1,
    messages: letters.map((l) => ({
      key: l.key,
      value: l.value,
      headers: {
        [KAFKA_HEADERS.reason]: l.reason,
        ...(l.field ? { [KAFKA_HEADERS.field]: l.field } : {}),
        ...(l.boxId ? { [KAFKA_HEADERS.boxId]: l.boxId } : {}),
        [KAFKA_HEADERS.sourceTopic]: l.topic,
        [KAFKA_HEADERS.sourcePartition]: String(l.partition),
        [KAFKA_HEADERS.sourceOffset]: l.offset,
      },
    })),
  });
}
