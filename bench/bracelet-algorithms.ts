/**
 * `npm run bench:bracelet`: ns per sample and bytes of state of each reference algorithm of the
 * bracelet (issue 14), on synthesised signals. Records bench/results/bracelet-algorithms-<date>.json.
 * Node figures (JIT, float64): a microcontroller port is slower per operation; the operation counts
 * are constant per sample, which is what matters for the port.
 */
import { recordResults } from './lib/results.ts';
import { createFallDetector, FALL_DETECTOR_STATE_BYTES } from '../bracelet/src/algorithms/fall-detector.ts';
import { synthFall, synthWalk } from '../bracelet/src/algorithms/synth.ts';
import {
  CardiacArrestDetector, createHeartRateMeter, createSpo2Meter, StepCounter, StudyStepCounter, VITALS_STATE_BYTES, WearDetector, type SecondSample,
} from '@vigie/protocol/vitals';

const accel = new Float32Array([...synthWalk({ steps: 200, cadenceSpm: 100 }), ...synthFall()]);
const N = accel.length / 3;
function timeAccel(make: () => { push(x: number, y: number, z: number): unknown }, rounds = 40): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const a = make();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) a.push(accel[i * 3]!, accel[i * 3 + 1]!, accel[i * 3 + 2]!);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  return best;
}
const seconds: SecondSample[] = Array.from({ length: 3600 }, (_, i) => ({ pulseBpm: 60 + (i % 20), spo2: 95 + (i % 4), contact: i % 500 > 5, motionG: (i % 37) / 100, charging: false }));
function timeSeconds(make: () => { push(s: SecondSample | null): unknown }, rounds = 40): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const a = make();
    const t0 = process.hrtime.bigint();
    for (const s of seconds) a.push(s);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / seconds.length);
  }
  return best;
}

const figures = {
  fallDetector100Hz: { nsPerSample: timeAccel(() => createFallDetector({ rateHz: 100 })), stateBytes: FALL_DETECTOR_STATE_BYTES },
  fallDetector50Hz: { nsPerSample: timeAccel(() => createFallDetector({ rateHz: 50 })), stateBytes: FALL_DETECTOR_STATE_BYTES },
  stepCounter: { nsPerSample: timeAccel(() => new StepCounter(100)), stateBytes: VITALS_STATE_BYTES.steps },
  studyStepCounter: { nsPerSample: timeAccel(() => new StudyStepCounter()), stateBytes: VITALS_STATE_BYTES.studySteps },
  heartRate2MinMean: { nsPerSample: timeSeconds(createHeartRateMeter), stateBytes: VITALS_STATE_BYTES.heartRateMeter },
  spo25MinMean: { nsPerSample: timeSeconds(createSpo2Meter), stateBytes: VITALS_STATE_BYTES.spo2Meter },
  cardiacArrest: { nsPerSample: timeSeconds(() => new CardiacArrestDetector()), stateBytes: VITALS_STATE_BYTES.cardiacArrest },
  wear: { nsPerSample: timeSeconds(() => new WearDetector()), stateBytes: VITALS_STATE_BYTES.wear },
};
for (const [name, f] of Object.entries(figures)) console.log(`${name.padEnd(20)} ${f.nsPerSample.toFixed(1).padStart(7)} ns/sample  ${String(f.stateBytes).padStart(5)} B of state`);
console.log(`recorded ${recordResults('bracelet-algorithms', { samples: { accelerometer: N, perSecond: seconds.length }, figures })}`);
