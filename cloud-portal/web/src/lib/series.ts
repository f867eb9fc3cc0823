/**
 * Time-series helpers for the measurement charts: live appends, gap detection and the column
 * layout uPlot draws. Pure functions, no DOM.
 */

/** `[epoch ms, value]`, sorted by time. */
export type Point = readonly [ts: number, value: number];

/** The shortest silence drawn as a break in the line: the box forwards heart rate every 10 min. */
export const MIN_GAP_MS = 10 * 60_000;

/**
 * The silence above which two neighbouring points are not joined. At least `MIN_GAP_MS`; wider
 * when the points are sparser: the API returns at most 1,000 points, so 30 days come back as
 * ~43-minute buckets that must still read as a line. With the bucket width known, a missing
 * bucket is a gap; without it, three times the median spacing is.
 */
export function gapThreshold(points: readonly Point[], bucketMs: number | null = null, minGapMs = MIN_GAP_MS): number {
  if (bucketMs) return Math.max(minGapMs, 1.5 * bucketMs);
  if (points.length < 3) return minGapMs;
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) steps.push(points[i]![0] - points[i - 1]![0]);
  steps.sort((a, b) => a - b);
  const median = steps[Math.floor(steps.length / 2)]!;
  return Math.max(minGapMs, 3 * median);
}

/**
 * uPlot's aligned columns `[xs, ys]`, with a `null` value inserted between two points further
 * apart than `gapMs`, so uPlot breaks the line there instead of joining across a silence.
 */
export function toChartColumns(points: readonly Point[], gapMs: number): [number[], (number | null)[]] {
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  let previous: number | undefined;
  for (const [ts, value] of points) {
    if (previous !== undefined && ts - previous > gapMs) {
      xs.push(previous + Math.floor((ts - previous) / 2));
      ys.push(null);
    }
    xs.push(ts);
    ys.push(value);
    previous = ts;
  }
  return [xs, ys];
}

/**
 * `points` with `point` added in time order (a reading for a time already present replaces it) and
 * every point older than `windowStart` dropped. Returns a new array; the input is untouched.
 */
export function appendPoint(points: readonly Point[], point: Point, windowStart: number): Point[] {
  const [ts] = point;
  let first = 0;
  while (first < points.length && points[first]![0] < windowStart) first++;
  const kept = points.slice(first);
  if (ts < windowStart) return kept;
  // Live readings nearly always arrive last; search from the end.
  let i = kept.length;
  while (i > 0 && kept[i - 1]![0] > ts) i--;
  if (i > 0 && kept[i - 1]![0] === ts) kept[i - 1] = point;
  else kept.splice(i, 0, point);
  return kept;
}

/** The latest value, minimum and maximum of a series, or `null` when it is empty. */
export function summarize(points: readonly Point[]): { latest: Point; min: number; max: number } | null {
  const latest = points.at(-1);
  if (!latest) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const [, value] of points) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { latest, min, max };
}

/** Indices of values with no non-null neighbour: uPlot draws no line for them, so draw a dot. */
export function isolatedIndices(values: ArrayLike<number | null | undefined>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) continue;
    if (values[i - 1] == null && values[i + 1] == null) out.push(i);
  }
  return out;
}
