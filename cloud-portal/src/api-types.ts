/**
 * Shapes of the portal API's JSON answers, for the web front end (`cloud-portal/web/`) to import
 * as types. Times are epoch milliseconds, UTC, like every Vigie wire contract.
 *
 * These are wire contracts and belong in `protocol/` (house rule 5); they live here until the
 * protocol package grows a portal section, then this file re-exports from there.
 */
import type { Acknowledgement, AlertKind, AlertNotification, AlertSeverity, AlertState, BoxConfigDocument, SelfTestCheck } from '@vigie/protocol';

export type AccountRole = 'patient' | 'doctor' | 'nurse' | 'relative' | 'support' | 'admin';
export type Locale = 'fr' | 'en';

/** The logged-in account (`POST /api/auth/login`, `GET /api/me`). */
export interface PortalUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: AccountRole;
  readonly locale: Locale;
}

/** One row of `GET /api/patients`. */
export interface PatientSummary {
  readonly id: string;
  readonly displayName: string;
  /** The box currently assigned to the patient, if any. */
  readonly boxId: string | null;
  readonly lastReadingAt: number | null;
  /** Alerts still needing someone: raised, notifying, notified or escalated. */
  readonly openAlerts: number;
}

/** Metrics the portal charts. */
export const CHART_METRICS = ['heart_rate', 'spo2', 'steps'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];

/** One alert as the portal shows it (`GET /api/patients/:id/alerts`, SSE `alert`). */
export interface AlertView {
  readonly alertId: string;
  readonly number: number;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  readonly raisedAt: number;
  readonly updatedAt: number;
  readonly notifications: readonly AlertNotification[];
  readonly acknowledgement: Acknowledgement | null;
}

/** A stage of an alert's life (issue 16), in the order an alert goes through them. */
export type AlertStageName =
  | 'detected'
  | 'received_by_box'
  | 'raised'
  | 'sms_stored'
  | 'sms_accepted'
  | 'received_by_cloud'
  | 'shown_in_portal'
  | 'acknowledged';

/** When one stage happened, on the cloud's clock (epoch ms). */
export interface AlertStage {
  readonly stage: AlertStageName;
  readonly at: number;
  /** `sms_accepted`: the contact's display name. */
  readonly contact?: string;
  /** `acknowledged`: who, and how. */
  readonly by?: string;
  readonly via?: 'sms' | 'portal' | 'box';
}

/** `GET /api/alerts/:alertId`: the alert's page, its stages in order. */
export interface AlertTimelineView {
  readonly patientId: string | null;
  readonly alert: AlertView;
  /** Box clock → cloud clock (ms added to the box's times); null when the box sent no send time. */
  readonly clockOffsetMs: number | null;
  readonly stages: readonly AlertStage[];
}

/** `GET /api/support/alert-latency`: the fleet's percentiles of one stage, ms after the first stage. */
export interface StageLatency {
  readonly stage: AlertStageName;
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** SSE `event: reading` data. */
export interface ReadingEventData {
  readonly patientId: string;
  readonly metric: string;
  readonly ts: number;
  readonly value: number;
}

/** SSE `event: alert` data. */
export interface AlertEventData {
  readonly patientId: string;
  readonly alert: AlertView;
}

/**
 * What a fleet event says of a box: "no data" from the box (no heartbeat) or from its bracelet (no
 * contact with the box), or a faulty sensor (the bracelet sends an abnormal share of implausible
 * values: it needs maintenance). The ingest's `FleetEventKind`, as the web reads it.
 */
export type DeviceEventKind = 'box_silent' | 'bracelet_silent' | 'implausible_values';

/**
 * SSE `event: fleet` data: a fleet event ("no data", faulty sensor) raised (`open`) or over
 * (`resolved`). No medical value. The care team (doctor, nurse, the patient) gets the patient's id; support, which sees
 * boxes and not patients, gets `patientId: null`.
 */
export interface FleetEventData {
  readonly eventId: string;
  readonly kind: DeviceEventKind;
  readonly boxId: string;
  readonly patientId: string | null;
  readonly state: 'open' | 'resolved';
  /** Cloud time: the last heartbeat, the bracelet's last contact, or the first implausible value. */
  readonly since: number;
  readonly raisedAt: number;
  readonly resolvedAt: number | null;
}

/** One SMS the modem emulator sent (`GET /demo/api/sms`). */
export interface DemoSms {
  readonly to: string;
  readonly text: string;
  readonly parts: number;
  readonly references: number[];
  readonly at: number | string;
}

/** The body of every error answer. */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

// ---- Role views (doctor, nurse, relative, patient, support): `src/views/`. ----

/**
 * One downsampled point: `[bucket start, value, min, max]`; value is the bucket's mean (steps:
 * the sum). `[ts, null, null, null]` marks a gap: no reading for longer than the metric's
 * cadence allows, drawn as a break in the line.
 */
export type BucketPoint = readonly [ts: number, value: number | null, min: number | null, max: number | null];

/** A series downsampled on the server to at most 1,000 points. */
export interface BucketedSeries {
  readonly metric: ChartMetric;
  readonly unit: string;
  readonly bucketMs: number;
  readonly aggregate: 'mean' | 'sum';
  /** Readings behind the points. */
  readonly readings: number;
  readonly points: readonly BucketPoint[];
}

/** An alert on the time axis of the doctor's charts. */
export interface AlertMarker {
  readonly alertId: string;
  readonly number: number;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  readonly raisedAt: number;
}

/** `GET /api/patients/:id/dashboard?from=&to=`: the doctor's patient page. */
export interface PatientDashboard {
  readonly from: number;
  readonly to: number;
  readonly series: { readonly [M in ChartMetric]: BucketedSeries };
  readonly alerts: readonly AlertMarker[];
}

/** What is wrong with a patient's equipment, in words the web translates. */
export type DeviceProblem = 'no_box' | 'box_silent' | 'never_heard' | 'bracelet_battery_low' | 'bracelet_out_of_reach' | 'buffer_backlog';

/** A box's latest health report, without any medical value. */
export interface DeviceStatus {
  readonly boxId: string | null;
  readonly lastHeartbeatAt: number | null;
  readonly boxOnline: boolean;
  readonly braceletBattery: number | null;
  readonly lastBraceletContactAt: number | null;
  readonly bufferDepth: number | null;
  readonly problems: readonly DeviceProblem[];
}

/**
 * An open fleet event of a patient's equipment: "no data" (box silent 15 min, bracelet silent
 * 30 min by default) or a faulty sensor. Not an alert: nothing to acknowledge, it ends by itself
 * when data comes back (or is plausible again). "No data" is distinct from the box's own "bracelet
 * not worn" alert: a bracelet taken off still talks to the box.
 */
export interface DeviceEvent {
  readonly eventId: string;
  readonly kind: DeviceEventKind;
  readonly boxId: string;
  /** Cloud time: the last heartbeat, the bracelet's last contact, or the first implausible value. */
  readonly since: number;
  readonly raisedAt: number;
}

/** One row of `GET /api/care/patients`: the list at a glance. */
export interface CarePatientRow extends PatientSummary {
  readonly device: DeviceStatus;
  /** Open fleet events ("no data", faulty sensor) of the patient's equipment, newest first. */
  readonly deviceEvents: readonly DeviceEvent[];
}

/** Min, mean, max over a window, and readings outside the alert thresholds. */
export interface MetricSummary {
  readonly metric: ChartMetric;
  readonly unit: string;
  readonly count: number;
  readonly min: number | null;
  readonly mean: number | null;
  readonly max: number | null;
  /** Readings outside the thresholds (steps: always 0). */
  readonly anomalies: number;
  readonly thresholds: { readonly low: number | null; readonly high: number | null };
}

/** `GET /api/patients/:id/summary?from=&to=`: the nurse's pre-visit summary. */
export interface PatientSummaryView {
  readonly from: number;
  readonly to: number;
  readonly metrics: readonly MetricSummary[];
  /** Steps per calendar day (Europe/Paris), oldest first. */
  readonly stepsPerDay: ReadonlyArray<{ readonly day: string; readonly steps: number }>;
  readonly alerts: readonly AlertView[];
  /** The latest questionnaire response (issue 12), or null when the patient never answered. */
  readonly questionnaire: {
    readonly lastAnswers: ReadonlyArray<{ readonly date: string; readonly linkId: string; readonly text: { readonly fr: string; readonly en: string }; readonly answer: 'positive' | 'neutral' | 'negative' }>;
  } | null;
}

/** An acknowledgement asked in the portal and carried to the box (`box_commands`). */
export interface AckRequest {
  /** Who asked, as the box will quote it. */
  readonly by: string;
  readonly requestedAt: number;
  /** When the box reported the command done, and what it did (`acknowledged`, `not_open`…). */
  readonly doneAt: number | null;
  readonly outcome: string | null;
}

/** One row of `GET /api/inbox`: an alert of one of the caller's patients. */
export interface InboxAlert extends AlertView {
  readonly patientId: string;
  readonly patientName: string;
  /** The portal acknowledgement sent to the box, if any ("acquittement envoyé au boîtier"). */
  readonly ackRequest: AckRequest | null;
}

/** One equipment item of `GET /api/inbox`: an open fleet event of one of the caller's patients. */
export interface InboxDeviceEvent extends DeviceEvent {
  readonly patientId: string;
  readonly patientName: string;
}

/** `GET /api/inbox`: alerts, and equipment events ("no data", faulty sensor: a distinct kind of item). */
export interface InboxView {
  readonly alerts: readonly InboxAlert[];
  /** Open fleet events of the patients followed, newest first. */
  readonly deviceEvents: readonly InboxDeviceEvent[];
}

/** `POST /api/alerts/:alertId/acknowledge` (202). */
export interface AcknowledgeAnswer {
  readonly alertId: string;
  /** True when the acknowledgement was queued for the box. */
  readonly queued: boolean;
}

/** Where a critical alert stands, for a relative (`GET /api/relative/alerts`); no medical value. */
export interface RelativeAlert {
  readonly alertId: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly number: number;
  readonly kind: AlertKind;
  readonly state: AlertState;
  readonly raisedAt: number;
  readonly updatedAt: number;
  /** SMS the box has sent, to whom (contact names) and when. */
  readonly smsSent: ReadonlyArray<{ readonly contact: string; readonly at: number }>;
  readonly acknowledgement: Acknowledgement | null;
}

/** `GET /api/my/status`: the patient's own system, in plain terms. */
export interface MyStatus {
  readonly patientName: string;
  readonly device: DeviceStatus;
  /** Last reading the cloud holds (any metric), i.e. the last sync. */
  readonly lastSyncAt: number | null;
  /** The bracelet has been in contact with the box recently. */
  readonly braceletConnected: boolean;
}

export const TICKET_TOPICS = ['box', 'bracelet', 'account', 'other'] as const;
export type TicketTopic = (typeof TICKET_TOPICS)[number];
export const TICKET_STATUSES = ['open', 'in_progress', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A support ticket (`GET /api/support/tickets`; `POST /api/support/tickets` answers one). */
export interface SupportTicket {
  readonly id: string;
  readonly number: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly topic: TicketTopic;
  readonly message: string;
  readonly callback: string | null;
  readonly status: TicketStatus;
  readonly openedBy: { readonly id: string; readonly displayName: string; readonly role: AccountRole } | null;
  readonly patientName: string | null;
  readonly boxId: string | null;
}

/** One box of `GET /api/support/fleet`: health only, no medical value. */
export interface FleetBox {
  readonly boxId: string;
  readonly assigned: boolean;
  readonly revoked: boolean;
  readonly lastHeartbeatAt: number | null;
  readonly silent: boolean;
  readonly braceletBattery: number | null;
  readonly lastBraceletContactAt: number | null;
  readonly signal: number | null;
  readonly modemRegistered: boolean | null;
  readonly bufferDepth: number | null;
  readonly oldestUnsentAt: number | null;
  readonly software: string | null;
  readonly problems: readonly DeviceProblem[];
  /** The box's last daily self-test: when, and the checks that failed (none: passed); null: none reported. */
  readonly selfTest: { readonly at: number; readonly failed: readonly SelfTestCheck[] } | null;
}

/** A fleet event (box or bracelet silent too long, faulty sensor), opened by the ingest. */
export interface FleetEventView {
  readonly kind: DeviceEventKind;
  readonly boxId: string;
  readonly since: number;
  readonly raisedAt: number;
}

/** `GET /api/support/fleet`. */
export interface FleetView {
  readonly boxes: readonly FleetBox[];
  /** Open "no data" events, newest first. */
  readonly events: readonly FleetEventView[];
  readonly totals: { readonly boxes: number; readonly silent: number; readonly lowBattery: number; readonly backlog: number };
  /** Software versions and how many boxes run each. */
  readonly versions: ReadonlyArray<{ readonly version: string; readonly boxes: number }>;
}

/** One saved version of a patient's box configuration, for the history (who, when). */
export interface BoxConfigHistoryEntry {
  readonly version: number;
  readonly changedBy: string;
  readonly changedAt: number;
  /** How many contacts it held. */
  readonly contacts: number;
}

/** `GET /api/patients/:id/box-config`: the patient's alert thresholds and contacts, as the box receives them. */
export interface BoxConfigView {
  readonly patientId: string;
  /** The patient's current box; null: none assigned (nothing can be saved). */
  readonly boxId: string | null;
  /** Whether the caller may save (the patient's doctor); a nurse reads only. */
  readonly canEdit: boolean;
  /** No version was ever saved: `config` is a draft from the defaults with no contact. */
  readonly firstVersion: boolean;
  readonly config: BoxConfigDocument | null;
  readonly version: number | null;
  readonly changedBy: string | null;
  readonly changedAt: number | null;
  /** The version the box reports it holds (heartbeats, configuration fetches); null: not yet reported. */
  readonly appliedVersion: number | null;
  /** When the box was last heard from (cloud time), null: never. */
  readonly boxLastHeardAt: number | null;
  /** The technician changed contacts or policy on the box itself since its last version. */
  readonly boxLocalChanges: boolean;
  /** The last versions, newest first. */
  readonly history: readonly BoxConfigHistoryEntry[];
}

/** `PUT /api/patients/:id/box-config` (body: the document, optionally `expectedVersion`). */
export interface BoxConfigSaved {
  readonly boxId: string;
  readonly version: number;
  /** False when the document equalled the current version (nothing saved). */
  readonly changed: boolean;
  readonly previousVersion: number | null;
}
