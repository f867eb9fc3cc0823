/**
 * What a report shows, as typed data: read from the database by `readReportData`
 * (`report-reader.ts`), drawn by `renderReportPdf` (`report-pdf.ts`). Every figure is computed in
 * SQL; the renderer only formats (one decimal for means, integers elsewhere).
 */

/** min / mean / max of one metric over one day, and how many readings. */
export interface DayMetric {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly n: number;
}

/** One calendar day (Europe/Paris) of the period. Null: no reading that day (a gap). */
export interface DayStats {
  readonly day: string;
  readonly heartRate: DayMetric | null;
  readonly spo2: DayMetric | null;
  /** Sum of the day's step counts. */
  readonly steps: number | null;
  /** Minutes covered by heart-rate means (each mean covers its period): the time the bracelet was worn. */
  readonly wornMinutes: number;
}

/** A reading outside the patient's thresholds. */
export interface OutOfRangeReading {
  readonly metric: 'heart_rate' | 'spo2';
  readonly at: number;
  readonly value: number;
  /** `low` (below the lower bound) or `high`. */
  readonly side: 'low' | 'high';
}

/** An alert of the period and its acknowledgement. */
export interface ReportAlert {
  readonly number: number;
  readonly kind: string;
  readonly severity: string;
  readonly state: string;
  readonly raisedAt: number;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedVia: string | null;
}

/** Summary figures of a period, for "what changed since the previous report". */
export interface PeriodSummary {
  readonly from: string;
  readonly to: string;
  readonly heartRateMean: number | null;
  readonly spo2Mean: number | null;
  readonly stepsPerDay: number | null;
  readonly alerts: number;
  readonly outOfRange: number;
  readonly wornMinutesPerDay: number;
}

/** One question's answers over the period (issue 12's questionnaire), oldest day first. */
export interface QuestionnaireRow {
  readonly question: string;
  /** Per day of the period: the answer's label, or null when not answered that day. */
  readonly answers: readonly ({ readonly label: string; readonly negative: boolean } | null)[];
}

/** A run of consecutive negative answers to one question (days off the schedule do not break it). */
export interface NegativeStreak {
  readonly question: string;
  readonly from: string;
  readonly to: string;
  /** Answers in the run (≥ 2). */
  readonly length: number;
}

/** The questionnaire section: the grid of answers per question and per day. */
export interface QuestionnaireGrid {
  readonly days: readonly string[];
  readonly rows: readonly QuestionnaireRow[];
  /** Days of the period the questionnaire was due. */
  readonly dueDays: number;
  /** Days of the period answered. */
  readonly answeredDays: number;
  /** Days it was due, are over, and were not answered (oldest first). */
  readonly missedDays: readonly string[];
  /** Runs of at least two negative answers in a row, per question (in the rows' order). */
  readonly streaks: readonly NegativeStreak[];
}

/** Everything one report shows. */
export interface ReportData {
  readonly locale: 'fr' | 'en';
  readonly patient: { readonly id: string; readonly name: string; readonly birthYear: number | null };
  readonly careTeam: readonly { readonly name: string; readonly relation: string }[];
  readonly period: { readonly from: string; readonly to: string };
  /** When the report was asked for (printed as its date: a re-render gives the same bytes). */
  readonly requestedAt: number;
  readonly thresholds: { readonly heartRateLow: number; readonly heartRateHigh: number; readonly spo2Min: number };
  readonly days: readonly DayStats[];
  readonly outOfRange: { readonly heartRate: number; readonly spo2: number; readonly first: readonly OutOfRangeReading[] };
  readonly alerts: readonly ReportAlert[];
  readonly availability: {
    /** Hours of the period with at least one heartbeat from the patient's box. */
    readonly boxOnlineHours: number;
    readonly periodHours: number;
    readonly batteryMin: number | null;
    readonly batteryLast: number | null;
  };
  readonly current: PeriodSummary;
  readonly previous: PeriodSummary | null;
  /** Null: no questionnaire data for the period (or no questionnaire reader yet). */
  readonly questionnaire: QuestionnaireGrid | null;
}
