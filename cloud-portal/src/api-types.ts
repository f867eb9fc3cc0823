/**
 * Shapes of the portal API's JSON answers, for the web front end (`cloud-portal/web/`) to import
 * as types. Times are epoch milliseconds, UTC, like every Vigie wire contract.
 *
 * These are wire contracts and belong in `protocol/` (house rule 5); they live here until the
 * protocol package grows a portal section, then this file re-exports from there.
 */
import type { Acknowledgement, AlertKind, AlertNotification, AlertSeverity, AlertState } from '@vigie/protocol';

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

/** `GET /api/patients/:id/measurements`. */
export interface MeasurementSeries {
  readonly metric: ChartMetric;
  readonly unit: string;
  /**
   * `[ts, value]`, sorted by ts, at most 1,000. When the range holds more readings they are
   * grouped into equal time buckets: `ts` is the bucket's start, `value` the mean (steps: the sum).
   */
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** Bucket width in ms when downsampled, null when the points are the readings themselves. */
  readonly bucketMs: number | null;
}

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
