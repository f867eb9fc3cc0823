import { Type, type Static } from '@sinclair/typebox';
import { BraceletId, EpochMs, SchemaVersion } from './common.ts';
import { Reading } from './reading.ts';
import { HeartbeatSelfTest } from './heartbeat.ts';

/**
 * The box's local MQTT bus. Topics are versioned (`vigie/v1/…`); a payload's shape only changes
 * with the version segment. Components and local tools subscribe to these; the SQLite store, not
 * the broker, is the durable record.
 */
export const TOPIC_ROOT = 'vigie/v1' as const;

export const topics = {
  /** A reading decoded from the bracelet. Payload: BusReading. QoS 1. */
  reading: (braceletId: string) => `${TOPIC_ROOT}/bracelet/${braceletId}/reading`,
  /** An emergency event from the bracelet (fall, cardiac arrest). Payload: BraceletEvent. QoS 1. */
  event: (braceletId: string) => `${TOPIC_ROOT}/bracelet/${braceletId}/event`,
  /** Link and wear status of the bracelet. Payload: BraceletStatus. QoS 1, retained. */
  status: (braceletId: string) => `${TOPIC_ROOT}/bracelet/${braceletId}/status`,
  /** The current state of an alert. Payload: AlertEvent. QoS 1, retained. */
  alert: (alertId: string) => `${TOPIC_ROOT}/alert/${alertId}`,
  /** Box health summary for the screen and local tools. Payload: Heartbeat. QoS 0, retained. */
  health: () => `${TOPIC_ROOT}/box/health`,
  /** The GSM modem's state, from the safety core. Payload: ModemStatus. QoS 1, retained. */
  modemStatus: () => `${TOPIC_ROOT}/modem/status`,
  /** Whether the cloud answers, from the telemetry service. Payload: UplinkStatus. QoS 1, retained. */
  uplinkStatus: () => `${TOPIC_ROOT}/uplink/status`,
  /** The last daily self-test, from the telemetry service (for the screen). Payload: SelfTestStatus. QoS 1, retained. */
  selfTestStatus: () => `${TOPIC_ROOT}/selftest/status`,
  /** Where a software update stands, from the update agent (the screen shows the reboot). Payload: UpdateStatus. QoS 1, retained. */
  updateStatus: () => `${TOPIC_ROOT}/update/status`,
  /**
   * The configuration version now in the box file, from the telemetry service after it replaced
   * the file: the safety core reloads the file. Payload: ConfigApplied. QoS 1, retained.
   */
  configApplied: () => `${TOPIC_ROOT}/config/applied`,
  /** The cloud's screen notice, from the telemetry's downlink. Payload: ScreenNoticeState. QoS 1, retained. */
  screenNotice: () => `${TOPIC_ROOT}/screen/notice`,
  /** A command from the cloud for the safety core (a portal acknowledgement). Payload: BoxCommand. QoS 1. */
  command: (commandId: string) => `${TOPIC_ROOT}/command/${commandId}`,
  /** What the safety core did with a command. Payload: BoxCommandResult. QoS 1. */
  commandResult: (commandId: string) => `${TOPIC_ROOT}/command/${commandId}/result`,
} as const;

/** Subscription filters matching the topics above. */
export const topicFilters = {
  readings: `${TOPIC_ROOT}/bracelet/+/reading`,
  events: `${TOPIC_ROOT}/bracelet/+/event`,
  statuses: `${TOPIC_ROOT}/bracelet/+/status`,
  alerts: `${TOPIC_ROOT}/alert/+`,
  commands: `${TOPIC_ROOT}/command/+`,
  commandResults: `${TOPIC_ROOT}/command/+/result`,
} as const;

/** A reading on the bus: the wire Reading plus where it came from. */
export const BusReading = Type.Object(
  { v: SchemaVersion, braceletId: BraceletId, reading: Reading },
  { additionalProperties: false, $id: 'BusReading' },
);
export type BusReading = Static<typeof BusReading>;

/** Emergency events detected on the bracelet itself. */
export const BraceletEventKind = Type.Union([
  Type.Literal('fall'),
  Type.Literal('cardiac_arrest'),
  Type.Literal('manual_help'),
]);
export type BraceletEventKind = Static<typeof BraceletEventKind>;

export const BraceletEvent = Type.Object(
  {
    v: SchemaVersion,
    braceletId: BraceletId,
    kind: BraceletEventKind,
    ts: EpochMs,
    eventSeq: Type.Integer({ minimum: 0, maximum: 65_535, description: 'Bracelet event counter, wraps; repeats are duplicates' }),
  },
  { additionalProperties: false, $id: 'BraceletEvent' },
);
export type BraceletEvent = Static<typeof BraceletEvent>;

export const BraceletStatus = Type.Object(
  {
    v: SchemaVersion,
    braceletId: BraceletId,
    connected: Type.Boolean(),
    worn: Type.Union([Type.Boolean(), Type.Null()]),
    battery: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()]),
    ts: EpochMs,
  },
  { additionalProperties: false, $id: 'BraceletStatus' },
);
export type BraceletStatus = Static<typeof BraceletStatus>;

/** The GSM modem's state as the safety core last saw it (for the heartbeat and the screen). */
export const ModemStatus = Type.Object(
  {
    v: SchemaVersion,
    ts: EpochMs,
    /** False when the modem does not answer at all. */
    responding: Type.Boolean(),
    sim: Type.Union([Type.Literal('ready'), Type.Literal('missing'), Type.Literal('pin_required'), Type.Literal('unknown')]),
    registered: Type.Boolean(),
    signal: Type.Union([Type.Integer({ minimum: 0, maximum: 31, description: 'AT+CSQ RSSI index' }), Type.Null()]),
  },
  { additionalProperties: false, $id: 'ModemStatus' },
);
export type ModemStatus = Static<typeof ModemStatus>;

/** Whether the box reaches the cloud (for the screen; alerts go out by SMS either way). */
export const UplinkStatus = Type.Object(
  {
    v: SchemaVersion,
    ts: EpochMs,
    online: Type.Boolean(),
    lastSuccessAt: Type.Union([EpochMs, Type.Null()]),
  },
  { additionalProperties: false, $id: 'UplinkStatus' },
);
export type UplinkStatus = Static<typeof UplinkStatus>;

/** The last daily self-test on the bus: when it ran and which checks failed (see `SELFTEST_CHECKS`). */
export const SelfTestStatus = Type.Object(
  {
    v: SchemaVersion,
    ts: EpochMs,
    failed: HeartbeatSelfTest.properties.failed,
  },
  { additionalProperties: false, $id: 'SelfTestStatus' },
);
export type SelfTestStatus = Static<typeof SelfTestStatus>;
/** The update agent's phase (issue 15): `rebooting` puts « Mise à jour en cours » on the screen. */
export const UpdateStatus = Type.Object(
  {
    v: SchemaVersion,
    ts: EpochMs,
    phase: Type.Union([Type.Literal('idle'), Type.Literal('downloading'), Type.Literal('installing'), Type.Literal('rebooting')]),
    /** The version being installed (null when idle). */
    version: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]),
  },
  { additionalProperties: false, $id: 'UpdateStatus' },
);
export type UpdateStatus = Static<typeof UpdateStatus>;
