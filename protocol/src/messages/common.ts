import { Type, type Static } from '@sinclair/typebox';

/** Schema version carried by every message of this generation of the protocol. */
export const SCHEMA_VERSION = 1 as const;

/** The `v` field every message carries. A peer refuses a version it does not know. */
export const SchemaVersion = Type.Literal(SCHEMA_VERSION, { description: 'Schema version of this message' });

/**
 * Latest instant any message may carry: 9999-12-31T23:59:59.999Z. Past it an ISO 8601 date needs
 * a 5-digit signed year (`+010000-…`) that PostgreSQL's timestamptz input refuses, so a single
 * such timestamp used to fail a whole batch with a 500. How far ahead of "now" a timestamp may
 * be is the ingest's plausibility filter's business; this is only what every store can hold.
 */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** Largest value of a PostgreSQL `integer` (int4) column. */
export const INT32_MAX = 2_147_483_647;

/**
 * Largest integer a JSON number carries exactly (2^53 − 1). Counters stored as `bigint` stop
 * here, not at 2^63 − 1: `JSON.parse` rounds anything bigger (`2^53 + 1` arrives as `2^53`), so a
 * sequence number past it would silently collide with another.
 */
export const SAFE_INTEGER_MAX = Number.MAX_SAFE_INTEGER;

/** Unix epoch milliseconds, UTC, from 1970 to the end of year 9999 (see MAX_EPOCH_MS). */
export const EpochMs = Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: 'Unix epoch milliseconds, UTC' });

/** A count or counter stored in a PostgreSQL `integer` column: 0 to 2^31 − 1. */
export const Int32Count = (description: string) => Type.Integer({ minimum: 0, maximum: INT32_MAX, description });

/** A count or counter stored in a PostgreSQL `bigint` column, or only in JSON: 0 to 2^53 − 1. */
export const SafeCount = (description: string) => Type.Integer({ minimum: 0, maximum: SAFE_INTEGER_MAX, description });

/** A box identifier: its serial number as printed on the case, e.g. `VB-2026-000123`. */
export const BoxId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$', description: 'Box serial number' });

/** A bracelet identifier: its BLE address or serial number. */
export const BraceletId = Type.String({ pattern: '^[A-Za-z0-9:_-]{2,64}$', description: 'Bracelet address or serial number' });

/** An opaque identifier generated where the thing is born (UUID v4 text form). */
export const Uuid = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'UUID, lower-case text form',
});

export type EpochMsT = Static<typeof EpochMs>;
