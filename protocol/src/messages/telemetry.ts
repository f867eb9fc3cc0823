import { Type, type Static } from '@sinclair/typebox';
import { BoxId, BraceletId, EpochMs, SafeCount, SchemaVersion } from './common.ts';
import { Reading } from './reading.ts';

/** Most readings one batch may carry; a bigger backlog is split. Ingest answers 413 above it. */
export const MAX_READINGS_PER_BATCH = 5_000;

/**
 * A batch of readings from one box. `(boxId, seq)` is the idempotency key: a box numbers its
 * batches 0, 1, 2… and resends a batch with the same seq and content until the cloud confirms it;
 * the cloud writes each key once.
 */
export const TelemetryBatch = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    seq: SafeCount('Batch sequence number, per box, from 0, never reused (bigint in the cloud; at most 2^53 − 1, exact in JSON)'),
    createdAt: EpochMs,
    braceletId: Type.Optional(BraceletId),
    readings: Type.Array(Reading, { minItems: 1, maxItems: MAX_READINGS_PER_BATCH }),
  },
  { additionalProperties: false, $id: 'TelemetryBatch' },
);
export type TelemetryBatch = Static<typeof TelemetryBatch>;

/**
 * A batch's envelope as the ingest checks it first: `TelemetryBatch` with its readings left
 * unchecked. The envelope (box, seq, version, count) must be valid for anything of the batch to be
 * stored; each reading is then checked alone against `Reading`, and one that fails is refused on
 * its own (the rest of the batch is stored). Not a message of its own: no JSON Schema file.
 */
export const TelemetryEnvelope = Type.Object(
  { ...TelemetryBatch.properties, readings: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_READINGS_PER_BATCH }) },
  { additionalProperties: false },
);

/** The cloud's answer to a batch (HTTP 200 body, or Kafka-side confirmation later). */
export const BatchReceipt = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    seq: SafeCount('Sequence number of the batch this receipt confirms'),
    accepted: Type.Integer({ minimum: 0, maximum: MAX_READINGS_PER_BATCH, description: 'Readings written by this delivery' }),
    duplicate: Type.Boolean({ description: 'True when the batch had already been written' }),
  },
  { additionalProperties: false, $id: 'BatchReceipt' },
);
export type BatchReceipt = Static<typeof BatchReceipt>;
