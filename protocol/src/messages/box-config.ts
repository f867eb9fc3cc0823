import { Type, type Static, type TInteger, type TLiteral, type TNumber } from '@sinclair/typebox';
import { BoxId, EpochMs, SchemaVersion, Uuid } from './common.ts';

/** A numeric field's bounds, inclusive; `integer`: whole numbers only. */
export interface BoxConfigBound {
  readonly minimum: number;
  readonly maximum: number;
  readonly integer?: boolean;
}

/**
 * Every limit of the box configuration, in one place: the cloud's schema below and the box file
 * (provisioning/src/box-file.ts) are both built from this table, so the cloud never accepts a
 * document the box then refuses (a property test, provisioning/src/box-config-agreement.test.ts,
 * holds them to it).
 */
export const BOX_CONFIG_LIMITS = {
  /** At least one: a box with nobody to text protects nobody (the box file alone may have none yet). */
  contacts: { minItems: 1, maxItems: 10 },
  contact: {
    /** Shown in the SMS and the portal; at least one non-blank character. */
    name: { minLength: 1, maxLength: 60, pattern: '\\S' },
    /** E.164, e.g. `+33612345678`: the modem texts it from any network; replies match it exactly. */
    phone: { pattern: '^\\+[1-9][0-9]{6,14}$' },
    /** Escalation tier: 1 texted at once, each round adds the next. */
    tier: { minimum: 1, maximum: 5, integer: true },
  },
  alerting: {
    /** Minutes without acknowledgement before the next round of SMS. */
    ackTimeoutMinutes: { minimum: 0.05, maximum: 120 },
    /** Rounds in all, the first included; after the last the alert stays escalated. */
    maxRounds: { minimum: 1, maximum: 10, integer: true },
    /** Seconds a detected fall waits for the patient to cancel it on the box (0: no window). */
    fallCancelSeconds: { minimum: 0, maximum: 120, integer: true },
  },
  thresholds: {
    /** Hypoxemia below this SpO2 one-minute mean, %. */
    spo2Min: { minimum: 70, maximum: 99 },
    /** Bradycardia below / tachycardia above these heart-rate means, bpm (ranges that cannot cross)… */
    heartRateLow: { minimum: 20, maximum: 80 },
    heartRateHigh: { minimum: 90, maximum: 220 },
    /** …for this many consecutive means (2-minute means: 2 = at least 4 minutes). */
    sustainedReadings: { minimum: 1, maximum: 30, integer: true },
    /** "Not worn" after the bracelet says so this long; "no data" after total silence this long. */
    notWornMinutes: { minimum: 1, maximum: 1_440 },
    noDataMinutes: { minimum: 1, maximum: 1_440 },
    /** Bracelet battery at or below this, %, asks to charge it. */
    batteryLowPercent: { minimum: 1, maximum: 50 },
  },
  cadences: {
    /** How often readings are forwarded (design: 10 minutes). Alerts always go at once. */
    syncIntervalSeconds: { minimum: 10, maximum: 86_400, integer: true },
    heartbeatIntervalSeconds: { minimum: 30, maximum: 86_400, integer: true },
  },
} as const satisfies {
  contacts: { minItems: number; maxItems: number };
  contact: { tier: BoxConfigBound; [field: string]: object };
  alerting: Record<string, BoxConfigBound>;
  thresholds: Record<string, BoxConfigBound>;
  cadences: Record<string, BoxConfigBound>;
};

/** Who a contact is to the patient (shown to the care team). */
export const CONTACT_ROLES = ['nurse', 'relative', 'doctor', 'other'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/**
 * A bounded number as TypeBox, `{ minimum, maximum }` exactly as the limit table says.
 * (The `integer` flag picks the type; it is not a JSON Schema keyword.)
 */
function bounded(bound: BoxConfigBound): TNumber | TInteger {
  const range = { minimum: bound.minimum, maximum: bound.maximum };
  return bound.integer ? Type.Integer(range) : Type.Number(range);
}

/** One TypeBox property per field of a limit table section. */
function boundedSection<L extends Record<string, BoxConfigBound>>(limits: L): { [K in keyof L]: TNumber | TInteger } {
  return Object.fromEntries(Object.entries(limits).map(([key, bound]) => [key, bounded(bound)])) as { [K in keyof L]: TNumber | TInteger };
}

const L = BOX_CONFIG_LIMITS;

/** A contact texted by the box on an alert. Phone in E.164 (`+33612345678`). */
export const BoxConfigContact = Type.Object(
  {
    name: Type.String(L.contact.name),
    phone: Type.String({ pattern: L.contact.phone.pattern, description: 'E.164' }),
    role: Type.Union(CONTACT_ROLES.map((r) => Type.Literal(r)) as TLiteral<ContactRole>[]),
    tier: Type.Integer({ minimum: L.contact.tier.minimum, maximum: L.contact.tier.maximum, description: 'Escalation tier: 1 texted at once, each round adds the next' }),
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
    contacts: Type.Array(BoxConfigContact, { ...L.contacts, description: 'At least one: a box with nobody to text protects nobody' }),
    alerting: Type.Object(boundedSection(L.alerting), { additionalProperties: false }),
    thresholds: Type.Object(boundedSection(L.thresholds), { additionalProperties: false }),
    cadences: Type.Object(boundedSection(L.cadences), { additionalProperties: false }),
  },
  { additionalProperties: false, $id: 'BoxConfigDocument' },
);
export type BoxConfigDocument = Static<typeof BoxConfigDocument>;

/**
 * The defaults, one place: what a box file holds until the care team says otherwise, and the
 * first document the portal offers around the contacts it asks for.
 */
export const BOX_CONFIG_DEFAULTS = {
  alerting: { ackTimeoutMinutes: 5, maxRounds: 3, fallCancelSeconds: 20 },
  thresholds: {
    spo2Min: 90,
    heartRateLow: 40,
    heartRateHigh: 130,
    sustainedReadings: 2,
    notWornMinutes: 30,
    noDataMinutes: 30,
    batteryLowPercent: 15,
  },
  cadences: { syncIntervalSeconds: 600, heartbeatIntervalSeconds: 300 },
} as const satisfies Omit<BoxConfigDocument, 'contacts'>;

/** A contact given without a role or tier (the technician's CLI, a hand-written box file). */
export const BOX_CONTACT_DEFAULTS = { role: 'other', tier: 1 } as const satisfies Pick<BoxConfigContact, 'role' | 'tier'>;

/**
 * What the schema cannot say about a document that passed it: each phone number once (a contact
 * entered twice would be texted twice). The cloud refuses such a document on save and the box
 * refuses it when pushed; JSON pointers like the schema's (`/contacts/1/phone`).
 */
export function boxConfigDocumentIssues(doc: BoxConfigDocument): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  doc.contacts.forEach((c, i) => {
    if (seen.has(c.phone)) issues.push({ path: `/contacts/${i}/phone`, message: 'this phone number is already a contact' });
    seen.add(c.phone);
  });
  return issues;
}

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

/**
 * What the box's screen should show beside its own states (issue 12): « Questionnaire du jour »
 * while the patient's questionnaire of `slotId` (a local date) waits for an answer. Not a command:
 * the current state, served with every command poll; absent means nothing to show (cleared).
 */
export const ScreenNotice = Type.Object(
  {
    kind: Type.Literal('questionnaire'),
    slotId: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Local date (Europe/Paris) of the questionnaire' }),
  },
  { additionalProperties: false, $id: 'ScreenNotice' },
);
export type ScreenNotice = Static<typeof ScreenNotice>;

/** On the box's bus: the screen notice the cloud last served (null: none), from the telemetry process. */
export const ScreenNoticeState = Type.Object(
  { v: SchemaVersion, notice: Type.Union([ScreenNotice, Type.Null()]), ts: EpochMs },
  { additionalProperties: false, $id: 'ScreenNoticeState' },
);
export type ScreenNoticeState = Static<typeof ScreenNoticeState>;

/** The commands pending for a box (answer of `GET /ingest/v1/commands`), and its screen notice. */
export const BoxCommandList = Type.Object(
  { v: SchemaVersion, boxId: BoxId, commands: Type.Array(BoxCommand, { maxItems: 100 }), screen: Type.Optional(ScreenNotice) },
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
