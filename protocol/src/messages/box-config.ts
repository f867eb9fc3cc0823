import { Type, type Static } from '@sinclair/typebox';
import { BoxId, EpochMs, SchemaVersion, Uuid } from './common.ts';

/**
 * A contact texted by the box on an alert. Phone in E.164 (`+33612345678`). Bounds match the box
 * file's (provisioning/src/box-file.ts), so a document valid here is a valid box file section.
 */
export const BoxConfigContact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }),
    phone: Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164' }),
    role: Type.Union([Type.Literal('nurse'), Type.Literal('relative'), Type.Literal('doctor'), Type.Literal('other')]),
    tier: Type.Integer({ minimum: 1, maximum: 5, description: 'Escalation tier: 1 texted at once, each round adds the next' }),
  },
  { additionalProperties: false },
);
export type BoxConfigContact = Static<typeof BoxConfigContact>;

/**
 * The part of a box's configuration the care team manages from the cloud: whom to text, the
 * escalation policy, the per-patient thresholds and the upload cadences. Validated WHOLE (cloud on
 * save, box before applying): a document that fails anywhere applies nowhere. Identity, token,
 * patient name and bracelet stay the technician's (the box file).
 */
export const BoxConfigDocument = Type.Object(
  {
    contacts: Type.Array(BoxConfigContact, { minItems: 1, maxItems: 10, description: 'At least one: a box with nobody to text protects nobody' }),
    alerting: Type.Object(
      {
        ackTimeoutMinutes: Type.Number({ minimum: 0.05, maximum: 120 }),
        maxRounds: Type.Integer({ minimum: 1, maximum: 10 }),
        fallCancelSeconds: Type.Integer({ minimum: 0, maximum: 120 }),
      },
      { additionalProperties: false },
    ),
    thresholds: Type.Object(
      {
        spo2Min: Type.Number({ minimum: 70, maximum: 99 }),
        heartRateLow: Type.Number({ minimum: 20, maximum: 80 }),
        heartRateHigh: Type.Number({ minimum: 90, maximum: 220 }),
        sustainedReadings: Type.Integer({ minimum: 1, maximum: 30 }),
        notWornMinutes: Type.Number({ minimum: 1, maximum: 1_440 }),
        noDataMinutes: Type.Number({ minimum: 1, maximum: 1_440 }),
        batteryLowPercent: Type.Number({ minimum: 1, maximum: 50 }),
      },
      { additionalProperties: false },
    ),
    cadences: Type.Object(
      {
        /** How often readings are forwarded (design: 10 minutes). Alerts always go at once. */
        syncIntervalSeconds: Type.Integer({ minimum: 10, maximum: 86_400 }),
        heartbeatIntervalSeconds: Type.Integer({ minimum: 30, maximum: 86_400 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'BoxConfigDocument' },
);
export type BoxConfigDocument = Static<typeof BoxConfigDocument>;

/**
 * The configuration the cloud serves a box (`GET /ingest/v1/config`): the current version of its
 * document. Versions increase by one per change; the box applies a version above the one it holds.
 */
export const BoxConfig = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    version: Type.Integer({ minimum: 1, description: 'Configuration version, per box (or patient), from 1' }),
    issuedAt: EpochMs,
    config: BoxConfigDocument,
  },
  { additionalProperties: false, $id: 'BoxConfig' },
);
export type BoxConfig = Static<typeof BoxConfig>;

/**
 * An instruction from the cloud to a box (`GET /ingest/v1/commands`), e.g. an alert acknowledged by
 * a nurse in the portal. Idempotent: a box may receive the same command again until it reports it
 * done, and applies it once.
 */
export const BoxCommand = Type.Object(
  {
    v: SchemaVersion,
    commandId: Uuid,
    kind: Type.Literal('acknowledge_alert'),
    alertId: Uuid,
    /** Who acknowledged, as the contacts will read it in the SMS ("Sophie Bernard"). */
    by: Type.String({ minLength: 1, maxLength: 100 }),
    at: EpochMs,
    // issue 10 (box bus hardening): the cloud's ed25519 signature of the command, bound to the box
    // (protocol/src/command-signature.ts). Optional on the wire; the safety core refuses a command without it.
    sig: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$', description: 'base64 ed25519 signature (64 bytes)' })),
  },
  { additionalProperties: false, $id: 'BoxCommand' },
);
export type BoxCommand = Static<typeof BoxCommand>;

/** The commands pending for a box (answer of `GET /ingest/v1/commands`). */
export const BoxCommandList = Type.Object(
  { v: SchemaVersion, boxId: BoxId, commands: Type.Array(BoxCommand, { maxItems: 100 }) },
  { additionalProperties: false, $id: 'BoxCommandList' },
);
export type BoxCommandList = Static<typeof BoxCommandList>;

/** What became of a command on the box (bus, then `POST /ingest/v1/commands/<id>/done`). */
export const BoxCommandOutcome = Type.Union([
  Type.Literal('acknowledged'),
  Type.Literal('already_acknowledged'),
  Type.Literal('not_open'),
  Type.Literal('unknown_alert'),
]);
export type BoxCommandOutcome = Static<typeof BoxCommandOutcome>;

export const BoxCommandResult = Type.Object(
  { v: SchemaVersion, boxId: BoxId, commandId: Uuid, outcome: BoxCommandOutcome, at: EpochMs },
  { additionalProperties: false, $id: 'BoxCommandResult' },
);
export type BoxCommandResult = Static<typeof BoxCommandResult>;

/**
 * On the box's bus: the configuration version now in the box file, announced by the telemetry
 * service after it replaced the file, so the safety core reloads it.
 */
export const ConfigApplied = Type.Object(
  { v: SchemaVersion, version: Type.Integer({ minimum: 0 }), ts: EpochMs },
  { additionalProperties: false, $id: 'ConfigApplied' },
);
export type ConfigApplied = Static<typeof ConfigApplied>;
