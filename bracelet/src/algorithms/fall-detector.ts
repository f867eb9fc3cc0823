/**
 * Fall detection on a wrist 3-axis accelerometer — the reference algorithm the bracelet firmware
 * ports (issue 14). Physically motivated, four features, every threshold a physical quantity:
 *
 * 1. **Impact**: the peak magnitude |a| of an isolated burst reaches `impactG` (a wrist hitting the
 *    floor; a step or a gesture stays below ~2 g on a wrist) — raised when the body is less still
 *    afterwards: impactG × exp(σ − 0.1 g) with σ the stillness of feature 4 (2.7 g lying perfectly
 *    still, 3.0 g at σ 0.1 g, 3.7 g at σ 0.3 g): the weaker the impact, the stronger the evidence
 *    of lying still must be.
 * 2. **Isolated**: at most `maxPriorImpacts` other bursts ≥ `burstG` in the 3 s before it (clapping,
 *    hopping, jogging, hammering are rhythmic series of impacts; a fall is one, or two when a knee
 *    then a hand lands).
 * 3. **Orientation change**: the angle between the mean gravity direction 2 s … 1 s before the
 *    impact and 1 s … 3 s after it is ≥ `minAngleDeg` (standing/walking arm → arm lying on the floor).
 * 4. **Stillness after the impact**: the standard deviation of |a| from 1 s to 3 s after the impact
 *    is ≤ `maxPostStdG` (the person lies on the floor; people who just clapped or hit a table move on).
 *
 * A free-fall dip (|a| < 0.6 g before the impact) is physically real but did not separate falls from
 * daily activities on the development data (20 Hz source: the dip is sampled once or twice), so it
 * is reported in the event (for the firmware's log) but does not decide.
 *
 * Input of any rate is brought to an internal 50 Hz tick: several input samples in one tick are
 * averaged (orientation) and their peak magnitude kept (impact); when the input is slower than 50 Hz
 * the missing ticks are linearly interpolated (≤ 0.25 s); longer gaps or NaN samples leave ticks
 * empty: an empty tick never makes an impact, a pending candidate whose post-impact window has less
 * than half its ticks is dropped (stillness cannot be proved), and empty pre-impact blocks are left
 * out of the orientation mean. Clipping (±4 g, ±8 g) only lowers the measured peak, which stays above
 * the 3.7 g highest threshold whenever an axis clips at 4 g.
 *
 * Cost: a constant number of arithmetic operations per input sample (one square root per tick),
 * no allocation after construction; state ≈ 1 kB (see {@link FALL_DETECTOR_STATE_BYTES}).
 */

/** Parameters of the fall detector (defaults chosen by leave-one-subject-out, see bracelet/README.md). */
export interface FallDetectorParams {
  /** Peak |a| of the impact for a body lying as still as after a typical fall (σ 0.1 g), g. */
  readonly impactG: number;
  /**
   * How much harder the impact must be when the body is less still, per g of σ after it: the
   * threshold is impactG × exp(stillnessSlope × (σ − 0.1 g)). 0: a fixed threshold.
   */
  readonly stillnessSlope: number;
  /** |a| above which a burst is counted as an impact (rhythm check), g. */
  readonly burstG: number;
  /** Other bursts tolerated in the 3 s before the impact. */
  readonly maxPriorImpacts: number;
  /** Minimal orientation change between before and after, degrees. */
  readonly minAngleDeg: number;
  /** Maximal standard deviation of |a| from 1 s to 3 s after the impact, g. */
  readonly maxPostStdG: number;
}

export const DEFAULT_FALL_PARAMS: FallDetectorParams = {
  impactG: 3.0,
  stillnessSlope: 1,
  burstG: 2.0,
  maxPriorImpacts: 1,
  minAngleDeg: 20,
  maxPostStdG: 0.4,
};

/** What the detector reports when it recognises a fall (one reused object: copy what you keep). */
export interface FallEvent {
  /** Time of the impact, seconds from the first sample. */
  impactTimeS: number;
  /** Peak |a| of the impact, g. */
  peakG: number;
  /** Orientation change, degrees. */
  angleDeg: number;
  /** Standard deviation of |a| from 1 s to 3 s after the impact, g. */
  postStdG: number;
  /** Lowest |a| in the second before the impact, g (free-fall dip; informative only). */
  minBeforeG: number;
  /** Bursts ≥ burstG in the 3 s before the impact. */
  priorImpacts: number;
  /** A score in percent for the BLE emergency message: how far inside the thresholds. */
  confidence: number;
}

export interface FallDetector {
  /** One sample, in g. Returns the fall event at the sample that confirms a fall, else null. */
  push(x: number, y: number, z: number): FallEvent | null;
  /** Forget everything (e.g. after the bracelet was taken off). */
  reset(): void;
}

/** Internal tick rate, Hz. 50 Hz keeps a 20 ms impact visible and is what the firmware samples. */
export const FALL_TICK_HZ = 50;
const TICKS_PER_BLOCK = 5; // 10 Hz orientation blocks
const BLOCKS = 40; // 4 s of orientation history
const BURSTS = 8; // remembered burst times
const PEAK_SEARCH_TICKS = 25; // 0.5 s: the peak of a burst is searched this long after it starts
const POST_START_TICKS = 50; // 1 s after the impact (the body settles)
const POST_END_TICKS = 150; // 3 s after the impact
const PRE_FROM_BLOCKS = 20; // 2 s before the impact …
const PRE_TO_BLOCKS = 10; // … to 1 s before
const PRIOR_WINDOW_TICKS = 150; // bursts counted in the 3 s before the impact …
const PRIOR_GUARD_TICKS = 50; // … except the last 1 s (the same fall: knee, hip, then hand)
const FREEFALL_TICKS = 50; // free-fall dip searched in the second before the impact
const MAX_INTERPOLATED_GAP_S = 0.25;
const REFRACTORY_TICKS = 5 * FALL_TICK_HZ;

/** Bytes of state of one detector as a firmware would lay it out (float32 / int32 fields). */
export const FALL_DETECTOR_STATE_BYTES = BLOCKS * 4 * 4 + BURSTS * 4 + FREEFALL_TICKS * 4 + 40 * 4;

/** Streaming fall detector. `rateHz` is the input rate (any; resampled internally to 50 Hz). */
export function createFallDetector(opts: { rateHz: number; params?: Partial<FallDetectorParams> }): FallDetector {
  const rateHz = opts.rateHz;
  if (!(rateHz > 0) || !Number.isFinite(rateHz)) throw new RangeError(`rateHz must be a positive number, got ${rateHz}`);
  const p: FallDetectorParams = { ...DEFAULT_FALL_PARAMS, ...opts.params };
  // Candidates: the lowest threshold the stillness can bring (σ = 0).
  const minImpact = p.impactG * Math.exp(-0.1 * p.stillnessSlope);
  const impact2 = minImpact * minImpact;
  const burst2 = p.burstG * p.burstG;
  const cosMax = Math.cos((p.minAngleDeg * Math.PI) / 180);
  const maxGapTicks = Math.round(MAX_INTERPOLATED_GAP_S * FALL_TICK_HZ);

  // Orientation blocks (10 Hz): sums of tick mean vectors and their count.
  const bx = new Float32Array(BLOCKS);
  const by = new Float32Array(BLOCKS);
  const bz = new Float32Array(BLOCKS);
  const bn = new Int32Array(BLOCKS);
  // Burst peak ticks (ring).
  const bursts = new Int32Array(BURSTS);
  // |a| of the last second of ticks (ring) for the free-fall dip.
  const recentMag = new Float32Array(FREEFALL_TICKS);
  const event: FallEvent = { impactTimeS: 0, peakG: 0, angleDeg: 0, postStdG: 0, minBeforeG: 0, priorImpacts: 0, confidence: 0 };

  let sampleIndex = 0;
  // Current tick accumulator.
  let tick = 0;
  let sx = 0, sy = 0, sz = 0, sn = 0, smax2 = 0;
  // Last finalised tick with data (for interpolation).
  let lastTick = -1, lx = 0, ly = 0, lz = 0;
  let burstCount = 0, burstHead = 0;
  // Burst peak search.
  let searching = false, searchEnd = 0, searchPeak2 = 0, searchPeakTick = 0, searchMin = 0;
  // Pending candidate.
  let pending = false, cTick = 0, cPeak = 0, cMin = 0, cPrior = 0, cx = 0, cy = 0, cz = 0;
  let postN = 0, postSum = 0, postSum2 = 0, px = 0, py = 0, pz = 0;
  let quietUntil = -1;

  function reset(): void {
    bx.fill(0); by.fill(0); bz.fill(0); bn.fill(0); bursts.fill(0); recentMag.fill(1);
    sampleIndex = 0; tick = 0; sx = sy = sz = 0; sn = 0; smax2 = 0;
    lastTick = -1; lx = ly = lz = 0; burstCount = 0; burstHead = 0;
    searching = false; pending = false; postN = 0; quietUntil = -1;
  }

  function minRecent(): number {
    let m = Infinity;
    for (let i = 0; i < FREEFALL_TICKS; i++) if (recentMag[i]! < m) m = recentMag[i]!;
    return m;
  }

  /** Process one 50 Hz tick: mean vector (ax, ay, az), peak squared magnitude `peak2`; `has` false: no data. */
  function onTick(t: number, has: boolean, ax: number, ay: number, az: number, peak2: number): FallEvent | null {
    // Orientation blocks: the block of tick t is (t / 5) mod BLOCKS; clear it when it starts.
    const block = Math.floor(t / TICKS_PER_BLOCK) % BLOCKS;
    if (t % TICKS_PER_BLOCK === 0) { bx[block] = 0; by[block] = 0; bz[block] = 0; bn[block] = 0; }
    let mag = 0;
    if (has) {
      mag = Math.sqrt(ax * ax + ay * ay + az * az);
      bx[block]! += ax; by[block]! += ay; bz[block]! += az; bn[block]!++;
      recentMag[t % FREEFALL_TICKS] = mag;
    }

    let result: FallEvent | null = null;
    // Post-impact window of the pending candidate.
    if (pending) {
      const dt = t - cTick;
      if (has && dt >= POST_START_TICKS && dt < POST_END_TICKS) {
        postN++; postSum += mag; postSum2 += mag * mag; px += ax; py += ay; pz += az;
      }
      if (dt >= POST_END_TICKS - 1) {
        result = decide();
        pending = false;
      }
    }

    // Burst detection and peak search.
    if (searching) {
      if (has && peak2 > searchPeak2) { searchPeak2 = peak2; searchPeakTick = t; }
      if (t >= searchEnd) {
        searching = false;
        onBurst(searchPeakTick, Math.sqrt(searchPeak2), searchMin);
      }
    } else if (has && peak2 >= burst2) {
      searching = true; searchEnd = t + PEAK_SEARCH_TICKS - 1; searchPeak2 = peak2; searchPeakTick = t;
      searchMin = minRecent();
    }
    return result;
  }

  function onBurst(peakTick: number, peakG: number, minBefore: number): void {
    // Count earlier bursts in [peak - 3 s, peak - 0.4 s].
    let prior = 0;
    for (let i = 0; i < Math.min(burstCount, BURSTS); i++) {
      const d = peakTick - bursts[i]!;
      if (d >= PRIOR_GUARD_TICKS && d <= PRIOR_WINDOW_TICKS) prior++;
    }
    bursts[burstHead] = peakTick; burstHead = (burstHead + 1) % BURSTS; burstCount++;
    if (peakG * peakG < impact2 || peakTick < quietUntil) return;
    // A stronger impact replaces a pending candidate (a stumble, then the fall); a weaker one
    // (a rebound, the other hand) does not: if it comes in the post-impact window, stillness fails.
    if (pending && peakG <= cPeak) return;
    let ox = 0, oy = 0, oz = 0, on = 0;
    const peakBlock = Math.floor(peakTick / TICKS_PER_BLOCK);
    // Blocks 2 s … 1 s before the impact (from the start of the recording if it began later).
    const toBlock = Math.max(1, peakBlock - PRE_TO_BLOCKS);
    for (let b = Math.max(0, peakBlock - PRE_FROM_BLOCKS); b < toBlock; b++) {
      const i = b % BLOCKS;
      ox += bx[i]!; oy += by[i]!; oz += bz[i]!; on += bn[i]!;
    }
    pending = on > 0;
    cTick = peakTick; cPeak = peakG; cMin = minBefore; cPrior = prior; cx = ox; cy = oy; cz = oz;
    postN = 0; postSum = 0; postSum2 = 0; px = 0; py = 0; pz = 0;
  }

  function decide(): FallEvent | null {
    if (postN < (POST_END_TICKS - POST_START_TICKS) / 2) return null;
    const mean = postSum / postN;
    const std = Math.sqrt(Math.max(0, postSum2 / postN - mean * mean));
    const n1 = Math.sqrt(cx * cx + cy * cy + cz * cz), n2 = Math.sqrt(px * px + py * py + pz * pz);
    if (n1 === 0 || n2 === 0) return null;
    const cos = (cx * px + cy * py + cz * pz) / (n1 * n2);
    if (cPrior > p.maxPriorImpacts || std > p.maxPostStdG || cos > cosMax) return null;
    const threshold = p.impactG * Math.exp(p.stillnessSlope * (std - 0.1));
    if (cPeak < threshold) return null;
    const angle = (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
    event.impactTimeS = cTick / FALL_TICK_HZ;
    event.peakG = cPeak;
    event.angleDeg = angle;
    event.postStdG = std;
    event.minBeforeG = cMin;
    event.priorImpacts = cPrior;
    // Margins, each 0…1: impact above threshold, stillness below, angle above.
    const m1 = Math.min(1, (cPeak - threshold) / threshold);
    const m2 = 1 - std / p.maxPostStdG;
    const m3 = Math.min(1, (angle - p.minAngleDeg) / 60);
    event.confidence = Math.round(60 + 13 * (m1 + m2 + m3));
    quietUntil = cTick + REFRACTORY_TICKS;
    return event;
  }

  /** Finalise the current tick, then the ticks up to `newTick` (exclusive); `valid`: the new sample is a number. */
  function advance(newTick: number, valid: boolean, x: number, y: number, z: number): FallEvent | null {
    let result: FallEvent | null = null;
    if (sn > 0) {
      const ax = sx / sn, ay = sy / sn, az = sz / sn;
      result = onTick(tick, true, ax, ay, az, smax2);
      lastTick = tick; lx = ax; ly = ay; lz = az;
    } else {
      result = onTick(tick, false, 0, 0, 0, 0);
    }
    // Ticks strictly between: interpolated when the input is slower than 50 Hz, empty across a gap.
    const interpolate = valid && lastTick >= 0 && newTick - lastTick <= maxGapTicks;
    for (let t = tick + 1; t < newTick; t++) {
      let r: FallEvent | null;
      if (interpolate) {
        const f = (t - lastTick) / (newTick - lastTick);
        const ix = lx + (x - lx) * f, iy = ly + (y - ly) * f, iz = lz + (z - lz) * f;
        r = onTick(t, true, ix, iy, iz, ix * ix + iy * iy + iz * iz);
      } else {
        r = onTick(t, false, 0, 0, 0, 0);
      }
      result = r ?? result;
    }
    tick = newTick; sx = sy = sz = 0; sn = 0; smax2 = 0;
    return result;
  }

  reset();
  return {
    reset,
    push(x: number, y: number, z: number): FallEvent | null {
      const t = Math.floor((sampleIndex * FALL_TICK_HZ) / rateHz);
      sampleIndex++;
      const valid = Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z);
      const result = t > tick ? advance(t, valid, x, y, z) : null;
      if (valid) {
        sx += x; sy += y; sz += z; sn++;
        const m2 = x * x + y * y + z * z;
        if (m2 > smax2) smax2 = m2;
      }
      return result;
    },
  };
}

/** x,y,z interleaved, in g, at rateHz. Returns fall times in seconds from the first sample. */
export function detectFalls(samples: Float32Array, rateHz: number): number[] {
  return detectFallEvents(samples, rateHz).map((e) => e.impactTimeS);
}

/** {@link detectFalls} with the full events and optional parameters (evaluation, tuning). */
export function detectFallEvents(samples: Float32Array, rateHz: number, params?: Partial<FallDetectorParams>): FallEvent[] {
  const detector = createFallDetector({ rateHz, params });
  const found: FallEvent[] = [];
  const n = Math.floor(samples.length / 3);
  for (let i = 0; i < n; i++) {
    const e = detector.push(samples[3 * i]!, samples[3 * i + 1]!, samples[3 * i + 2]!);
    if (e) found.push({ ...e });
  }
  // Flush: 3 s of "no data" so a candidate near the end is still judged on what was recorded.
  for (let i = 0; i < Math.ceil(3 * rateHz) + 1; i++) {
    const e = detector.push(NaN, NaN, NaN);
    if (e) found.push({ ...e });
  }
  return found;
}
