import type { Reading } from '@vigie/protocol';

/**
 * Why a reading was refused. Stored in `rejected_readings.reason`; documented in
 * cloud-ingest/README.md. Never reuse a reason for another meaning.
 */
export type RejectReason =
  | 'heart_rate_out_of_range'
  | 'spo2_out_of_range'
  | 'steps_out_of_range'
  | 'battery_out_of_range'
  | 'ts_in_future'
  | 'ts_too_old'
  | 'no_assignment';

/** Steps are bounded per 30 minutes; a reading's bound scales with its period. */
const STEPS_REFERENCE_PERIOD_S = 1_800;
const MAX_STEPS_PER_REFERENCE_PERIOD = 20_000;

/** Physiologically possible ranges (inclusive), in the metric's unit (METRIC_UNITS). */
export const PLAUSIBLE_RANGES = {
  heart_rate: { min: 20, max: 250, reason: 'heart_rate_out_of_range' },
  spo2: { min: 50, max: 100, reason: 'spo2_out_of_range' },
  bracelet_battery: { min: 0, max: 100, reason: 'battery_out_of_range' },
} as const satisfies Record<string, { min: number; max: number; reason: RejectReason }>;

/** A reading more than this ahead of the cloud's clock comes from a box whose clock is wrong. */
export const MAX_FUTURE_SKEW_MS = 60 * 60_000;

/** Vigie did not exist before this date: an earlier timestamp is a box clock that lost its time. */
export const EARLIEST_PLAUSIBLE_TS = Date.UTC(2020, 0, 1);

/**
 * The `filter` stage for one reading: null when plausible, else why not. Values outside these
 * bounds are sensor faults (a loose bracelet reads 0 bpm), not medical events; emergencies come
 * as alerts, never through this path.
 */
export function implausibility(reading: Reading, now: number): RejectReason | null {
  if (reading.ts > now + MAX_FUTURE_SKEW_MS) return 'ts_in_future';
  if (reading.ts < EARLIEST_PLAUSIBLE_TS) return 'ts_too_old';
  const { value } = reading;
  switch (reading.metric) {
    case 'heart_rate':
    case 'spo2':
    case 'bracelet_battery': {
      const range = PLAUSIBLE_RANGES[reading.metric];
      return value >= range.min && value <= range.max ? null : range.reason;
    }
    case 'steps': {
      const periodS = reading.periodS ?? STEPS_REFERENCE_PERIOD_S;
      const max = (MAX_STEPS_PER_REFERENCE_PERIOD * periodS) / STEPS_REFERENCE_PERIOD_S;
      return value >= 0 && value <= max ? null : 'steps_out_of_range';
    }
    default:
      reading.metric satisfies never;
      return null;
  }
}
