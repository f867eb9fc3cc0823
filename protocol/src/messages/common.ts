import { Type, type Static } from '@sinclair/typebox';

/** Schema version carried by every message of this generation of the protocol. */
export const SCHEMA_VERSION = 1 as const;

/** The `v` field every message carries. A peer refuses a version it does not know. */
export const SchemaVersion = Type.Literal(SCHEMA_VERSION, { description: 'Schema version of this message' });

/** Unix epoch milliseconds, UTC. */
export const EpochMs = Type.Integer({ minimum: 0, maximum: 8.64e15, description: 'Unix epoch milliseconds, UTC' });

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
