import { Type, type Static, type TLiteral } from '@sinclair/typebox';
import { ALERT_STATES, type AlertStateName } from '../alert-states.ts';
import { BoxId, EpochMs, Int32Count, SchemaVersion, Uuid } from './common.ts';

/** What raised the alert. */
export const AlertKind = Type.Union(
  [
    Type.Literal('fall'),
    Type.Literal('cardiac_arrest'),
    Type.Literal('hypoxemia'),
    Type.Literal('manual_help'),
    Type.Literal('bradycardia'),
    Type.Literal('tachycardia'),
    Type.Literal('not_worn'),
    Type.Literal('no_data'),
    Type.Literal('low_battery'),
  ],
  { description: 'Cause of the alert' },
);
export type AlertKind = Static<typeof AlertKind>;

export const AlertSeverity = Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]);
export type AlertSeverity = Static<typeof AlertSeverity>;

/**
 * An alert's life on the box: raised → notifying → notified → acknowledged | escalated → closed
 * (`ALERT_STATES` and the sets the services act on: `../alert-states.ts`). The box owns the
 * state; the cloud mirrors it.
 */
export const AlertState = Type.Union(ALERT_STATES.map((s) => Type.Literal(s)) as TLiteral<AlertStateName>[]);
export type AlertState = Static<typeof AlertState>;

/** One SMS (or later, other channel) notification of an alert. No phone number: contacts are named. */
export const AlertNotification = Type.Object(
  {
    contact: Type.String({ minLength: 1, maxLength: 120, description: 'Contact display name' }),
    channel: Type.Literal('sms'),
    status: Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]),
    at: EpochMs,
  },
  { additionalProperties: false },
);
export type AlertNotification = Static<typeof AlertNotification>;

export const Acknowledgement = Type.Object(
  {
    by: Type.String({ minLength: 1, maxLength: 120, description: 'Who acknowledged (contact or account name)' }),
    via: Type.Union([Type.Literal('sms'), Type.Literal('portal'), Type.Literal('box')]),
    at: EpochMs,
  },
  { additionalProperties: false },
);
export type Acknowledgement = Static<typeof Acknowledgement>;

/**
 * When each stage of an alert happened before the cloud saw it, on the BOX's clock (epoch ms).
 * `raisedAt` (the rules stored the alert), each SMS accepted by the modem (`notifications[].at` of
 * a `sent` one) and the acknowledgement are in the event itself. The cloud adds its own stages
 * (received, shown in the portal) and relates the two clocks with `sentAt`: the box's clock when
 * this revision left it, against the cloud's reception time (docs/operations/alert-latency.md).
 * Optional (issue 16): an older box sends none and its alerts show the stages the event has.
 */
export const AlertTimeline = Type.Object(
  {
    detectedAt: Type.Optional(EpochMs),
    receivedAt: Type.Optional(EpochMs),
    smsStoredAt: Type.Optional(EpochMs),
    sentAt: Type.Optional(EpochMs),
  },
  { additionalProperties: false, description: 'Stage times on the box clock: detected by the bracelet, received by the box, first SMS stored in the modem, this revision sent' },
);
export type AlertTimeline = Static<typeof AlertTimeline>;

/**
 * The current state of an alert, sent by the box each time it changes. Idempotent by
 * `(alertId, revision)`: the cloud keeps the highest revision it has seen.
 */
export const AlertEvent = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    alertId: Uuid,
    number: Type.Integer({ minimum: 1, maximum: 999, description: 'Short number quoted in the SMS (reply "OK <number>")' }),
    revision: Int32Count('Increases with every change of this alert (integer in the cloud: at most 2^31 − 1)'),
    kind: AlertKind,
    severity: AlertSeverity,
    state: AlertState,
    raisedAt: EpochMs,
    updatedAt: EpochMs,
    notifications: Type.Array(AlertNotification, { maxItems: 100 }),
    acknowledgement: Type.Optional(Acknowledgement),
    cancelUntil: Type.Optional(
      Type.Union([EpochMs, Type.Null()], { description: 'End of the window in which the patient can cancel (a fall), before any SMS' }),
    ),
    timeline: Type.Optional(AlertTimeline),
  },
  { additionalProperties: false, $id: 'AlertEvent' },
);
export type AlertEvent = Static<typeof AlertEvent>;
