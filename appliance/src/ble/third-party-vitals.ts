import { PlxDeviceSensorStatus } from '@vigie/protocol';
import { createHeartRateMeter, createSpo2Meter, type SecondSample, type WindowMean, type WindowMeanMeter } from '@vigie/protocol/vitals';

/**
 * A third-party standard BLE heart-rate strap or oximeter notifies a value about once a second; a
 * Vigie bracelet notifies the 2-minute heart-rate and 5-minute SpO2 means its firmware computed.
 * The box's rules (a bradycardia sustained over N readings, hypoxemia on one reading) are written
 * for those means, so for a third-party device the box computes them itself, with the bracelet's
 * own reference meters (`@vigie/protocol/vitals`: same windows, same valid ranges, same quality
 * rules). One {@link PerSecondWindow} per device and metric; O(1) work per notification except
 * across a gap, where at most one window of empty seconds is pushed.
 */

/** Device and Sensor Status bits that say the oximeter is off the patient's finger or wrist. */
const NO_CONTACT = PlxDeviceSensorStatus.sensorUnconnectedToUser | PlxDeviceSensorStatus.sensorDisplaced | PlxDeviceSensorStatus.sensorDisconnected;
/** Device and Sensor Status bits that oximeters raise when the limb moves (motion artefact). */
const MOTION = PlxDeviceSensorStatus.erraticSignalDetected | PlxDeviceSensorStatus.sensorInterferenceDetected;
/** A motion level above every meter's limit: the device says the signal is corrupted by movement. */
const MOVING_G = 1;

/** The per-second sample a heart-rate notification stands for. */
export function heartRateSecond(bpm: number, contact: 'detected' | 'not_detected' | 'not_supported'): SecondSample {
  // A strap without contact detection says nothing about contact: its value is taken as measured.
  return { pulseBpm: bpm, spo2: null, contact: contact !== 'not_detected', motionG: 0, charging: false };
}

/** The per-second sample a PLX continuous measurement stands for. */
export function spo2Second(spo2: number | null, flaggedUnusable: boolean, deviceAndSensorStatus: number | null): SecondSample {
  const status = deviceAndSensorStatus ?? 0;
  return {
    pulseBpm: null,
    // Any other "do not use" flag (questionable, invalid, demonstration data…) makes the second invalid.
    spo2: flaggedUnusable ? null : spo2,
    contact: (status & NO_CONTACT) === 0,
    motionG: (status & MOTION) !== 0 ? MOVING_G : 0,
    charging: false,
  };
}

/** A finished window: its mean (quality `ok`) or why there is none, and the end of its last second. */
export interface FinishedWindow {
  readonly mean: WindowMean;
  /** Epoch ms: the end of the window's last second. */
  readonly endMs: number;
}

/**
 * Buckets timed samples into whole seconds of the box clock (the last sample of a second stands for
 * it: standard devices notify at about 1 Hz), feeds them to a window-mean meter, and seconds with no
 * notification as missing. A gap of a whole window or more restarts the window (it could only say
 * "no data"); a clock going backwards counts in the current second.
 */
export class PerSecondWindow {
  readonly windowS: number;
  readonly #create: () => WindowMeanMeter;
  #meter: WindowMeanMeter;
  #second: number | null = null;
  #pending: SecondSample | null = null;

  constructor(create: () => WindowMeanMeter, windowS: number) {
    this.#create = create;
    this.#meter = create();
    this.windowS = windowS;
  }

  /** Add one sample received at `receivedAtMs`; returns the windows it finished (0 or 1, rarely 2). */
  add(receivedAtMs: number, sample: SecondSample): FinishedWindow[] {
    const second = Math.floor(receivedAtMs / 1000);
    const done: FinishedWindow[] = [];
    if (this.#second === null) this.#second = second;
    else if (second > this.#second) {
      this.#push(this.#pending, this.#second, done);
      const gap = second - this.#second - 1;
      if (gap >= this.windowS) this.#restart();
      else for (let s = this.#second + 1; s < second; s++) this.#push(null, s, done);
      this.#second = second;
    }
    this.#pending = sample;
    return done;
  }

  /** Forget the window under way (the device went away). */
  reset(): void {
    this.#restart();
    this.#second = null;
    this.#pending = null;
  }

  #restart(): void {
    this.#meter = this.#create();
  }

  #push(sample: SecondSample | null, second: number, done: FinishedWindow[]): void {
    const mean = this.#meter.push(sample);
    if (mean !== null) done.push({ mean: { ...mean }, endMs: (second + 1) * 1000 });
  }
}

/** The heart-rate (120 s) and SpO2 (300 s) windows of one third-party device. */
export class ThirdPartyVitals {
  readonly heartRate = new PerSecondWindow(createHeartRateMeter, 120);
  readonly spo2 = new PerSecondWindow(createSpo2Meter, 300);
  reset(): void {
    this.heartRate.reset();
    this.spo2.reset();
  }
}
