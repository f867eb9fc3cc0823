/**
 * What the simulated bracelet runs instead of injecting events: raw sample streams played through
 * the reference algorithms, as the firmware would.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFallDetector, type FallEvent } from './fall-detector.ts';
import { SeededRandom } from '../random.ts';
import { CardiacArrestDetector, createSpo2Meter, WearDetector, type SecondSample, type WearState, type WindowMean } from '@vigie/protocol/vitals';

/** The committed synthetic fall (100 Hz, g), see bracelet/scripts/make-fall-recording.ts. */
export const FALL_RECORDING = resolve(import.meta.dirname, '..', '..', 'recordings', 'fall-forward-synthetic.csv');

let cached: Float32Array | undefined;
export function loadFallRecording(path = FALL_RECORDING): Float32Array {
  if (path === FALL_RECORDING && cached) return cached;
  const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const out = new Float32Array(rows.length * 3);
  rows.forEach((row, i) => row.split(',').forEach((v, a) => (out[i * 3 + a] = Number(v))));
  if (path === FALL_RECORDING) cached = out;
  return out;
}

/** Play a 100 Hz recording through a fresh fall detector; the first fall event, or null. */
export function replayFall(samples: Float32Array = loadFallRecording(), rateHz = 100): FallEvent | null {
  const detector = createFallDetector({ rateHz });
  for (let i = 0; i < samples.length / 3; i++) {
    const e = detector.push(samples[i * 3]!, samples[i * 3 + 1]!, samples[i * 3 + 2]!);
    if (e) return { ...e };
  }
  return null;
}

/**
 * Per-second sensor samples of a cardiac arrest: 10 s of normal pulse, then no pulse, skin contact
 * kept, no motion. Played through the detector; returns the second that confirms it, or null.
 */
export function replayCardiacArrest(seconds = 40): number | null {
  const detector = new CardiacArrestDetector();
  for (let s = 0; s < seconds; s++) {
    const sample: SecondSample = { pulseBpm: s < 10 ? 72 : null, spo2: s < 10 ? 97 : null, contact: true, motionG: s < 10 ? 0.02 : 0.005, charging: false };
    if (detector.push(sample)) return s;
  }
  return null;
}

/**
 * Five minutes of per-second oximeter samples of a desaturation: SpO2 falls linearly from 96 % to
 * `targetSpo2` in 60 s and stays there (±0.5 % noise), pulse 88 bpm, skin contact, at rest. Played
 * through the SpO2 5-minute mean; returns the window's report.
 */
export function replayDesaturation(targetSpo2: number, seed = 5): WindowMean {
  const meter = createSpo2Meter();
  const r = new SeededRandom(seed);
  for (let s = 0; ; s++) {
    const level = s < 60 ? 96 + ((targetSpo2 - 96) * s) / 60 : targetSpo2;
    const out = meter.push({ pulseBpm: 88, spo2: level + 0.5 * r.gaussian(), contact: true, motionG: 0.01, charging: false });
    if (out) return { ...out };
  }
}

/**
 * Per-second samples after the bracelet leaves the wrist (`charging`: put on its charger) played
 * through the wear detector until it decides; returns its state and the seconds it took.
 */
export function replayRemoval(charging: boolean): { state: WearState; afterS: number } {
  const wear = new WearDetector();
  wear.push({ pulseBpm: 70, spo2: 97, contact: true, motionG: 0.02, charging: false });
  for (let s = 1; s <= 60; s++) {
    const state = wear.push({ pulseBpm: null, spo2: null, contact: false, motionG: 0, charging: charging && s > 5 });
    if (state !== 'worn') return { state, afterS: s };
  }
  return { state: wear.state, afterS: 60 };
}
