import { SeededRandom } from './random.ts';

/**
 * A plausible frail elderly patient, as the bracelet's sensors would see them, and the bracelet's
 * own averaging. Deterministic for a given seed: time comes in through `advance(now)`, never from
 * the wall clock.
 *
 * The model samples the body every {@link SAMPLE_S} simulated seconds:
 * - activity: daytime (07:00–22:00) walking bouts of about 3 minutes, about one an hour, at 60–100
 *   steps/min (slow gait); rare short night-time bouts; about 3,000–4,000 steps a day;
 * - heart rate: resting baseline + circadian swing (±4 bpm, peak mid-afternoon) − 5 bpm asleep
 *   + up to 25 bpm while walking (45 s time constant) + slow drift (Ornstein–Uhlenbeck, σ 3 bpm,
 *   30 min) + beat-to-beat noise;
 * - SpO2: 97 % + slow drift − a little asleep and while walking + noise, reported within 95–99 %;
 * - battery: −0.6 %/h; at 10 % the patient recharges it to 100 % (the charge gap is not modelled).
 *
 * Outputs follow the bracelet → box cadences of the design (docs/architecture.md, "Cadences"):
 * heart rate = mean of the last 2 minutes every 2 minutes; SpO2 = mean of the last minute every
 * minute; steps = count every 30 minutes; battery every 10 minutes. `speed` divides every cadence:
 * at speed 60 simulated time runs 60 times faster, so a 2-minute mean comes every 2 real seconds
 * (its values, and the steps period it reports, stay those of the simulated window).
 */

/** Seconds between the bracelet's reports, in simulated time. */
export const CADENCE_S = { heartRate: 120, spo2: 60, steps: 1_800, battery: 600 } as const;

/** Seconds of simulated time between two samples of the body. Divides every cadence. */
export const SAMPLE_S = 5;

/** One report of the bracelet; `at` is the real time (epoch ms) it falls due. */
export type PhysiologyOutput =
  | { readonly kind: 'heart_rate'; readonly at: number; readonly bpm: number }
  | { readonly kind: 'spo2'; readonly at: number; readonly spo2: number; readonly pulseRate: number }
  | { readonly kind: 'steps'; readonly at: number; readonly count: number; readonly periodS: number }
  | { readonly kind: 'battery'; readonly at: number; readonly percent: number };

export interface PatientModelOptions {
  readonly seed: number;
  /** Real time (epoch ms) the simulation starts; simulated time starts there too. */
  readonly startMs: number;
  /** Simulated seconds per real second (> 0). Default 1. */
  readonly speed?: number;
  /** Resting heart rate in bpm. Default 68. */
  readonly restingHr?: number;
  /** Battery charge at start, percent. Default 100. */
  readonly batteryPercent?: number;
  /** Offset of the patient's local time from UTC, for day and night. Default 0. */
  readonly utcOffsetMinutes?: number;
}

const HR_SAMPLES = CADENCE_S.heartRate / SAMPLE_S;
const SPO2_SAMPLES = CADENCE_S.spo2 / SAMPLE_S;
/** Every cadence is a multiple of this, so the next output is at the next multiple. */
const SMALLEST_CADENCE_S = CADENCE_S.spo2;

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The simulated patient and the bracelet's averaging; see the module comment. */
export class PatientModel {
  readonly speed: number;
  readonly #startMs: number;
  readonly #restingHr: number;
  readonly #utcOffsetMs: number;
  readonly #random: SeededRandom;
  /** Samples taken; sample n covers simulated seconds ((n − 1)·SAMPLE_S, n·SAMPLE_S]. */
  #sample = 0;
  #walking = false;
  #cadenceSpm = 0;
  /** 0 at rest … 1 walking, smoothed: the heart follows effort with a lag. */
  #exertion = 0;
  #hrDrift = 0;
  #spo2Drift = 0;
  #steps = 0;
  #battery: number;
  readonly #hr: number[] = [];
  readonly #spo2: number[] = [];

  constructor(options: PatientModelOptions) {
    this.speed = options.speed ?? 1;
    this.#startMs = options.startMs;
    this.#restingHr = options.restingHr ?? 68;
    this.#utcOffsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
    this.#random = new SeededRandom(options.seed);
    this.#battery = options.batteryPercent ?? 100;
  }

  /** Battery charge now, whole percent. */
  get batteryPercent(): number {
    return clamp(Math.round(this.#battery), 0, 100);
  }

  /** Real time (epoch ms) of the next output. */
  nextDueAt(): number {
    const elapsedS = this.#sample * SAMPLE_S;
    return this.#realTimeOf((Math.floor(elapsedS / SMALLEST_CADENCE_S) + 1) * SMALLEST_CADENCE_S);
  }

  /** Advance the patient to real time `now` (epoch ms); returns every output that fell due, oldest first. */
  advance(now: number): PhysiologyOutput[] {
    // The epsilon absorbs floating error (…23.9999999 samples is 24).
    const target = Math.floor((((now - this.#startMs) / 1000) * this.speed) / SAMPLE_S + 1e-9);
    const outputs: PhysiologyOutput[] = [];
    while (this.#sample < target) {
      this.#sample++;
      this.#step();
      const t = this.#sample * SAMPLE_S;
      const at = this.#realTimeOf(t);
      if (t % CADENCE_S.heartRate === 0) outputs.push({ kind: 'heart_rate', at, bpm: Math.round(mean(this.#hr)) });
      if (t % CADENCE_S.spo2 === 0) {
        const spo2 = Math.round(clamp(mean(this.#spo2), 95, 99) * 10) / 10;
        outputs.push({ kind: 'spo2', at, spo2, pulseRate: Math.round(mean(this.#hr.slice(-SPO2_SAMPLES))) });
      }
      if (t % CADENCE_S.steps === 0) {
        const count = Math.round(this.#steps);
        this.#steps -= count; // keep the fraction for the next window
        outputs.push({ kind: 'steps', at, count, periodS: CADENCE_S.steps });
      }
      if (t % CADENCE_S.battery === 0) outputs.push({ kind: 'battery', at, percent: this.batteryPercent });
    }
    return outputs;
  }

  #realTimeOf(simulatedS: number): number {
    return this.#startMs + (simulatedS * 1000) / this.speed;
  }

  /** One sample of the body, SAMPLE_S simulated seconds after the previous one. */
  #step(): void {
    const r = this.#random;
    const dt = SAMPLE_S;
    const localMs = this.#startMs + this.#sample * SAMPLE_S * 1000 + this.#utcOffsetMs;
    const hour = (((localMs / 3_600_000) % 24) + 24) % 24;
    const awake = hour >= 7 && hour < 22;

    // Activity: a two-state process; mean bout 3 min by day and 1 min at night, mean rest between
    // bouts 60 min by day and 4 h at night.
    if (this.#walking) {
      if (r.chance(dt / (awake ? 180 : 60))) this.#walking = false;
    } else if (r.chance(dt / (awake ? 3_600 : 14_400))) {
      this.#walking = true;
      this.#cadenceSpm = r.between(60, 100);
    }
    if (this.#walking) this.#steps += Math.max(0, ((this.#cadenceSpm * dt) / 60) * (1 + 0.1 * r.gaussian()));
    this.#exertion += ((this.#walking ? 1 : 0) - this.#exertion) * (1 - Math.exp(-dt / 45));

    // Ornstein–Uhlenbeck drifts: mean-reverting, so the values wander without running away.
    this.#hrDrift += (-this.#hrDrift * dt) / 1_800 + 3 * Math.sqrt((2 * dt) / 1_800) * r.gaussian();
    this.#spo2Drift += (-this.#spo2Drift * dt) / 1_200 + 0.6 * Math.sqrt((2 * dt) / 1_200) * r.gaussian();

    const circadian = 4 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    const hr = this.#restingHr + circadian - (awake ? 0 : 5) + 25 * this.#exertion + this.#hrDrift + 2 * r.gaussian();
    const spo2 = 97.2 + this.#spo2Drift - (awake ? 0 : 0.6) - 0.4 * this.#exertion + 0.35 * r.gaussian();
    push(this.#hr, clamp(hr, 40, 160), HR_SAMPLES);
    push(this.#spo2, clamp(spo2, 90, 100), SPO2_SAMPLES);

    this.#battery -= (0.6 / 3_600) * dt;
    if (this.#battery < 10) this.#battery = 100;
  }
}

function push(window: number[], value: number, size: number): void {
  window.push(value);
  if (window.length > size) window.shift();
}
