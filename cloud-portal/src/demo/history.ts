import type { MeasurementRow } from '@vigie/cloud-store';

const MIN = 60_000;

/** Cadences of the original study (docs/architecture.md, "Cadences"): heart rate 2 min, SpO2 5 min, steps 30 min. */
const SERIES = [
  { metric: 'heart_rate', everyMs: 2 * MIN },
  { metric: 'spo2', everyMs: 5 * MIN },
  { metric: 'steps', everyMs: 30 * MIN },
] as const;

/** A small seeded PRNG (mulberry32): the same history at every first seed, no dependency. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Hour of day in France (UTC+1; summer time ignored: this only shapes a demo curve). */
function hourOf(ts: number): number {
  return (new Date(ts).getUTCHours() + 1) % 24;
}

function value(metric: (typeof SERIES)[number]['metric'], ts: number, rnd: () => number): number {
  const hour = hourOf(ts);
  const awake = hour >= 7 && hour < 22;
  switch (metric) {
    case 'heart_rate':
      // Resting ~60 bpm at night, ~72 awake, a walk after lunch.
      return Math.round((awake ? 72 : 60) + (hour === 14 ? 14 : 0) + (rnd() - 0.5) * 8);
    case 'spo2':
      return Math.min(99, Math.round((awake ? 96.5 : 95.5) + (rnd() - 0.5) * 3));
    case 'steps':
      return awake ? Math.round((hour === 14 ? 900 : 120) + rnd() * 380) : 0;
    default:
      metric satisfies never;
      return 0;
  }
}

/**
 * Plausible readings of an elderly person at home over `days` days ending at `now`: heart rate
 * every 2 minutes, SpO2 every 5, steps every 30 (each timestamp the end of its period, aligned
 * to the period, as the bracelet does).
 */
export function demoHistory(patientId: string, boxId: string, now: number, days = 3): MeasurementRow[] {
  const rnd = random(0x5eed);
  const start = now - days * 24 * 60 * MIN;
  const rows: MeasurementRow[] = [];
  for (const { metric, everyMs } of SERIES) {
    for (let ts = Math.ceil(start / everyMs) * everyMs; ts < now; ts += everyMs) {
      rows.push({ patientId, boxId, metric, ts, value: value(metric, ts, rnd), periodS: everyMs / 1000 });
    }
  }
  return rows;
}
