/**
 * The bracelet's other reference algorithms (issue 14): steps, heart-rate 2-minute means, SpO2
 * 5-minute means with quality flags, cardiac arrest, hypoxemia, wear and charging. Pure, O(1) per
 * sample, a few numbers of state each, no allocation per sample (the returned report objects are
 * reused: copy what you keep).
 */

// ---------------------------------------------------------------- steps (accelerometer, 100 Hz)

/**
 * The study's rule (§5.1): a step is a peak of |a| above 1.2 g, read as one excursion above 1.2 g
 * (a rising crossing; counting local maxima instead would count every noise wiggle of a 100 Hz
 * signal). Kept to show how it miscounts: slow frail gaits whose wrist peaks stay under 1.2 g are
 * missed, gestures and clapping are counted.
 */
export class StudyStepCounter {
  count = 0;
  #above = false;
  push(x: number, y: number, z: number): void {
    if (!Number.isFinite(x + y + z)) return;
    const m2 = x * x + y * y + z * z;
    if (!this.#above && m2 > 1.44) { this.#above = true; this.count++; }
    else if (this.#above && m2 < 1.44) this.#above = false;
  }
}

/**
 * The shipped step counter: peaks of the dynamic part of |a| (|a| minus its 1 s moving mean,
 * smoothed over 40 ms), above an adaptive threshold (0.35 × the recent peak height, at least 0.04 g: four times a MEMS
 * accelerometer's noise of ~0.01 g),
 * at least 0.3 s apart (≤ 200 steps/min), counted only within a rhythm: a bout starts after 4
 * peaks whose intervals are 0.3–2 s and within a factor 1.6 of the previous one, then counts those
 * 4 and every regular peak after; a pause over 2 s ends the bout. Isolated gestures never count.
 */
export class StepCounter {
  count = 0;
  readonly #rateHz: number;
  readonly #aSlow: number;
  readonly #aFast: number;
  #slow = 1;
  #fast = 0;
  #prev = 0;
  #rising = false;
  #peakLevel = 0.15;
  #t = 0;
  #lastPeakT = -1e9;
  #lastInterval = 0;
  #run = 0;

  constructor(rateHz = 100) {
    this.#rateHz = rateHz;
    this.#aSlow = 1 - Math.exp(-1 / (0.2 * rateHz));
    this.#aFast = 1 - Math.exp(-1 / (0.04 * rateHz));
  }

  push(x: number, y: number, z: number): void {
    this.#t++;
    if (!Number.isFinite(x + y + z)) return;
    const m = Math.sqrt(x * x + y * y + z * z);
    this.#slow += (m - this.#slow) * this.#aSlow;
    const v = this.#fast + (m - this.#slow - this.#fast) * this.#aFast;
    this.#fast = v;
    if (v > this.#prev) this.#rising = true;
    else if (this.#rising && v < this.#prev) {
      this.#rising = false;
      this.#onPeak(this.#prev);
    }
    this.#prev = v;
  }

  #onPeak(height: number): void {
    const threshold = Math.max(0.04, 0.35 * this.#peakLevel);
    if (height < threshold) return;
    const t = this.#t / this.#rateHz;
    const interval = t - this.#lastPeakT;
    if (interval < 0.3) return;
    this.#peakLevel += (height - this.#peakLevel) * 0.25;
    const regular = interval <= 2 && (this.#lastInterval === 0 || (interval < this.#lastInterval * 1.6 && interval > this.#lastInterval / 1.6));
    if (!regular) {
      this.#run = 1;
      this.#lastInterval = interval <= 2 ? interval : 0;
    } else {
      this.#run++;
      this.#lastInterval = interval;
      if (this.#run === 4) this.count += 4;
      else if (this.#run > 4) this.count++;
    }
    this.#lastPeakT = t;
  }
}

// ------------------------------------------------------------ per-second sensor samples

/** One second of the bracelet's optical and motion sensors (what the firmware's 1 Hz loop sees). */
export interface SecondSample {
  /** Pulse rate found in the PPG this second, bpm; null: no pulse found. */
  readonly pulseBpm: number | null;
  /** SpO2 estimated this second, percent; null: none. */
  readonly spo2: number | null;
  /** Skin contact (PPG ambient/DC level in range, capacitive contact): false when off the wrist. */
  readonly contact: boolean;
  /** Motion this second: standard deviation of |a|, g. */
  readonly motionG: number;
  /** The charger's power is present. */
  readonly charging: boolean;
}

export type Quality = 'ok' | 'motion' | 'poor_contact' | 'no_data';

export interface WindowMean {
  /** Mean of the valid seconds, rounded to 0.1; null when quality is not 'ok'. */
  value: number | null;
  quality: Quality;
  validSeconds: number;
}

/**
 * Mean of a per-second value over a fixed window (120 s heart rate, 300 s SpO2), reported at the
 * end of each window. A second counts when there is contact, motion ≤ `maxMotionG` (PPG is
 * corrupted by arm movement) and a value in range. The mean is reported when at least half of the
 * window is valid; otherwise the flag says why (mostly motion, mostly no contact, no data).
 */
export class WindowMeanMeter {
  readonly #windowS: number;
  readonly #maxMotionG: number;
  readonly #min: number;
  readonly #max: number;
  readonly #pick: (s: SecondSample) => number | null;
  readonly #out: WindowMean = { value: null, quality: 'no_data', validSeconds: 0 };
  #n = 0; #sum = 0; #valid = 0; #moving = 0; #noContact = 0;

  constructor(opts: { windowS: number; maxMotionG: number; min: number; max: number; pick: (s: SecondSample) => number | null }) {
    this.#windowS = opts.windowS; this.#maxMotionG = opts.maxMotionG; this.#min = opts.min; this.#max = opts.max; this.#pick = opts.pick;
  }

  /** One second (null: no sample this second); returns the window's mean at its end, else null. */
  push(s: SecondSample | null): WindowMean | null {
    this.#n++;
    if (s !== null) {
      const v = this.#pick(s);
      if (!s.contact) this.#noContact++;
      else if (s.motionG > this.#maxMotionG) this.#moving++;
      else if (v !== null && v >= this.#min && v <= this.#max) { this.#valid++; this.#sum += v; }
    }
    if (this.#n < this.#windowS) return null;
    const o = this.#out;
    o.validSeconds = this.#valid;
    if (this.#valid * 2 >= this.#windowS) { o.quality = 'ok'; o.value = Math.round((this.#sum / this.#valid) * 10) / 10; }
    else {
      o.value = null;
      o.quality = this.#noContact * 2 >= this.#windowS ? 'poor_contact' : this.#moving >= this.#noContact && this.#moving > 0 ? 'motion' : this.#noContact > 0 ? 'poor_contact' : 'no_data';
    }
    this.#n = 0; this.#sum = 0; this.#valid = 0; this.#moving = 0; this.#noContact = 0;
    return o;
  }
}

/** Heart rate: 2-minute means (study §5.1), 30–220 bpm, motion ≤ 0.1 g. */
export const createHeartRateMeter = () => new WindowMeanMeter({ windowS: 120, maxMotionG: 0.1, min: 30, max: 220, pick: (s) => s.pulseBpm });
/** SpO2: 5-minute means (study §5.1), 50–100 %, motion ≤ 0.05 g (SpO2 needs a cleaner PPG than pulse). */
export const createSpo2Meter = () => new WindowMeanMeter({ windowS: 300, maxMotionG: 0.05, min: 50, max: 100, pick: (s) => s.spo2 });

/** Hypoxemia: a valid SpO2 mean below 90 % (the usual clinical threshold; the box applies the care team's own). */
export const HYPOXEMIA_SPO2 = 90;
export const isHypoxemia = (m: WindowMean): boolean => m.quality === 'ok' && m.value !== null && m.value < HYPOXEMIA_SPO2;

/**
 * Cardiac arrest: worn (skin contact), no pulse found, and no motion (≤ 0.03 g: a person in arrest
 * loses consciousness within ~15 s and stops moving), all three for `confirmS` consecutive seconds
 * (20 s: long enough that a PPG drop-out of a few seconds never triggers, short enough for CPR to
 * start in the first minutes). Fires once per episode; re-arms when a pulse returns.
 */
export class CardiacArrestDetector {
  readonly confirmS: number;
  #run = 0;
  #fired = false;
  constructor(confirmS = 20) { this.confirmS = confirmS; }
  /** Returns true at the second that confirms an arrest. */
  push(s: SecondSample | null): boolean {
    if (s === null || !s.contact || s.charging) { this.#run = 0; return false; }
    if (s.pulseBpm !== null && s.pulseBpm >= 20) { this.#run = 0; this.#fired = false; return false; }
    if (s.motionG > 0.03) { this.#run = 0; return false; }
    this.#run++;
    if (this.#run >= this.confirmS && !this.#fired) { this.#fired = true; return true; }
    return false;
  }
}

export type WearState = 'worn' | 'not_worn' | 'charging' | 'no_data';

/**
 * Wear: `charging` while on the charger (it cannot be worn then); `not_worn` after 30 s without skin
 * contact (a loose strap loses contact for seconds; 30 s keeps those from flapping); `no_data` when
 * the sensors deliver nothing for 10 s (a fault, distinct from a bracelet lying on the table); else
 * `worn`. Returns the state after each second.
 */
export class WearDetector {
  state: WearState = 'worn';
  #noContact = 0;
  #missing = 0;
  push(s: SecondSample | null): WearState {
    if (s === null) {
      this.#missing++;
      if (this.#missing >= 10) this.state = 'no_data';
      return this.state;
    }
    this.#missing = 0;
    if (s.charging) { this.#noContact = 0; this.state = 'charging'; return this.state; }
    if (s.contact) { this.#noContact = 0; this.state = 'worn'; return this.state; }
    this.#noContact++;
    if (this.#noContact >= 30 || this.state !== 'worn') this.state = 'not_worn';
    return this.state;
  }
}

/** Bytes of state, as a firmware would lay them out (float32/int32 fields). */
export const VITALS_STATE_BYTES = { studySteps: 8, steps: 48, heartRateMeter: 20, spo2Meter: 20, cardiacArrest: 8, wear: 12 } as const;
