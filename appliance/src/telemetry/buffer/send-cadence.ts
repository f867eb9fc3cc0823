import type { Metric } from '@vigie/protocol';

/**
 * When readings of one metric are due for the cloud: once `count` of them wait (null: no count
 * rule), or once the oldest waiting one is `maxAgeMs` old by the box clock, whichever comes first.
 */
export interface SendCadence {
  readonly count: number | null;
  readonly maxAgeMs: number;
}

/** One cadence per metric. */
export type SendCadences = Readonly<Record<Metric, SendCadence>>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The box → cloud cadences of the design (docs/architecture.md, "Cadences"): heart rate, the last 5
 * two-minute means every 10 minutes; SpO2, batches of 10 five-minute means (so at most 50
 * minutes); steps, the last 6 hours' half-hour counts every 6 hours; bracelet battery has no
 * cadence of its own and goes at the latest after 6 hours.
 */
export const DESIGN_SEND_CADENCES: SendCadences = {
  heart_rate: { count: 5, maxAgeMs: 10 * MINUTE },
  spo2: { count: 10, maxAgeMs: 50 * MINUTE },
  steps: { count: 12, maxAgeMs: 6 * HOUR },
  bracelet_battery: { count: null, maxAgeMs: 6 * HOUR },
};

/** Every reading due at once (development, tests that do not exercise the cadences). */
export const IMMEDIATE_SEND_CADENCES: SendCadences = {
  heart_rate: { count: 1, maxAgeMs: 0 },
  spo2: { count: 1, maxAgeMs: 0 },
  steps: { count: 1, maxAgeMs: 0 },
  bracelet_battery: { count: 1, maxAgeMs: 0 },
};

const UNIT_MS = { ms: 1, s: 1_000, m: MINUTE, h: HOUR } as const;
const ENTRY = /^(heart_rate|spo2|steps|bracelet_battery):(?:(\d+)\/)?(\d+)(ms|s|m|h)$/;

/**
 * Parse `VIGIE_SEND_CADENCES`: `immediate`, or comma-separated `metric:[count/]age` entries that
 * override the design's defaults, e.g. `heart_rate:5/10m,steps:6h` (age units ms, s, m, h).
 * Returns the cadences, or the list of problems (every one at once).
 */
export function parseSendCadences(text: string): { ok: true; value: SendCadences } | { ok: false; problems: string[] } {
  const trimmed = text.trim();
  if (trimmed === 'immediate') return { ok: true, value: IMMEDIATE_SEND_CADENCES };
  const value: Record<Metric, SendCadence> = { ...DESIGN_SEND_CADENCES };
  const problems: string[] = [];
  if (trimmed === '') return { ok: true, value };
  for (const entry of trimmed.split(',')) {
    const m = ENTRY.exec(entry.trim());
    if (!m) {
      problems.push(`"${entry.trim()}": expected metric:[count/]age, e.g. heart_rate:5/10m (metrics heart_rate, spo2, steps, bracelet_battery)`);
      continue;
    }
    const count = m[2] === undefined ? null : Number(m[2]);
    if (count !== null && count < 1) problems.push(`"${entry.trim()}": the count must be at least 1`);
    value[m[1] as Metric] = { count, maxAgeMs: Number(m[3]) * UNIT_MS[m[4] as keyof typeof UNIT_MS] };
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
