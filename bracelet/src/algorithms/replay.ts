/**
 * What the simulated bracelet runs instead of injecting events: raw sample streams played through
 * the reference algorithms, as the firmware would.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFallDetector, type FallEvent } from './fall-detector.ts';
import { CardiacArrestDetector, type SecondSample } from './vitals.ts';

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
