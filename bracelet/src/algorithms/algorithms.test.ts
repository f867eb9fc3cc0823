import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFallDetector, detectFalls } from './fall-detector.ts';
import { synthClapping, synthFall, synthFallImpactS, synthWalk } from './synth.ts';
import {
  CardiacArrestDetector,
  createHeartRateMeter,
  createSpo2Meter,
  isHypoxemia,
  StepCounter,
  StudyStepCounter,
  WearDetector,
  type SecondSample,
} from '@vigie/protocol/vitals';

function resample(s: Float32Array, fromHz: number, toHz: number): Float32Array {
  const n = Math.floor(((s.length / 3 - 1) * toHz) / fromHz);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = (i * fromHz) / toHz, k = Math.floor(t), f = t - k;
    for (let a = 0; a < 3; a++) out[i * 3 + a] = s[k * 3 + a]! * (1 - f) + s[(k + 1) * 3 + a]! * f;
  }
  return out;
}

test('fall: a synthetic forward fall is detected once, at its impact', () => {
  const found = detectFalls(synthFall(), 100);
  assert.equal(found.length, 1);
  assert.ok(Math.abs(found[0]! - synthFallImpactS()) < 0.1, `impact at ${found[0]}`);
});

test('fall: still detected clipped at ±4 g, at 50 Hz, 20 Hz and 200 Hz, and across NaN gaps', () => {
  assert.equal(detectFalls(synthFall({ clipG: 4, impactG: 9 }), 100).length, 1);
  for (const hz of [50, 20, 200]) {
    const found = detectFalls(resample(synthFall(), 100, hz), hz);
    assert.equal(found.length, 1, `${hz} Hz`);
    assert.ok(Math.abs(found[0]! - synthFallImpactS()) < 0.15, `${hz} Hz: ${found[0]}`);
  }
  const gappy = synthFall();
  for (let i = 0; i < gappy.length / 3; i++) if (i % 40 < 4) gappy[i * 3] = gappy[i * 3 + 1] = gappy[i * 3 + 2] = Number.NaN;
  assert.equal(detectFalls(gappy, 100).length, 1);
});

test('fall: clapping, walking, a soft impact and a fall without stillness are not falls', () => {
  assert.deepEqual(detectFalls(synthClapping(8), 100), []);
  assert.deepEqual(detectFalls(synthWalk({ steps: 40, cadenceSpm: 100, strikeG: 0.8 }), 100), []);
  assert.deepEqual(detectFalls(synthFall({ impactG: 2 }), 100), [], 'below the impact threshold');
  // The same fall, then the person gets up at once (pushing on the arm 1 s after the impact): no alarm.
  const s = synthFall();
  for (let i = Math.round((synthFallImpactS() + 1) * 100); i < s.length / 3; i++) s[i * 3 + 2] = s[i * 3 + 2]! + 0.6 * Math.sin(i / 8);
  assert.deepEqual(detectFalls(s, 100), []);
  // A sensor lying on a table, then nothing at all.
  assert.deepEqual(detectFalls(new Float32Array(3000).map((_, i) => (i % 3 === 2 ? 1 : 0)), 100), []);
  assert.deepEqual(detectFalls(new Float32Array(3000).fill(Number.NaN), 100), []);
});

test('fall: the streaming detector returns the event at the confirming sample, and rejects a bad rate', () => {
  const s = synthFall();
  const d = createFallDetector({ rateHz: 100 });
  let at = -1, confidence = 0;
  for (let i = 0; i < s.length / 3; i++) {
    const e = d.push(s[i * 3]!, s[i * 3 + 1]!, s[i * 3 + 2]!);
    if (e) { at = i / 100; confidence = e.confidence; }
  }
  assert.ok(at > synthFallImpactS() + 2.9 && at < synthFallImpactS() + 3.2, `confirmed at ${at}`);
  assert.ok(confidence >= 60 && confidence <= 100);
  assert.throws(() => createFallDetector({ rateHz: 0 }), RangeError);
});

test('steps: the shipped counter counts a step train exactly; the study rule misses a slow gait and counts clapping', () => {
  const count = (s: Float32Array, c: { push(x: number, y: number, z: number): void; count: number }) => {
    for (let i = 0; i < s.length / 3; i++) c.push(s[i * 3]!, s[i * 3 + 1]!, s[i * 3 + 2]!);
    return c.count;
  };
  const brisk = synthWalk({ steps: 60, cadenceSpm: 110, strikeG: 0.4 });
  const slow = synthWalk({ steps: 60, cadenceSpm: 70, strikeG: 0.12 });
  assert.equal(count(brisk, new StepCounter()), 60);
  assert.equal(count(slow, new StepCounter()), 60);
  assert.equal(count(brisk, new StudyStepCounter()), 60);
  assert.equal(count(slow, new StudyStepCounter()), 0, 'wrist peaks of a frail gait stay under 1.2 g');
  assert.equal(count(synthClapping(3), new StepCounter()), 0, 'three claps are no walk');
  assert.equal(count(synthClapping(3), new StudyStepCounter()), 3);
});

const second = (over: Partial<SecondSample> = {}): SecondSample => ({ pulseBpm: 72, spo2: 97, contact: true, motionG: 0.01, charging: false, ...over });

test('heart rate: 2-minute mean of a known pulse rate, with motion and contact flags', () => {
  const hr = createHeartRateMeter();
  let out = null;
  for (let i = 0; i < 120; i++) out = hr.push(second({ pulseBpm: i % 2 === 0 ? 70 : 74, motionG: i < 30 ? 0.5 : 0.01 }));
  assert.deepEqual({ ...out! }, { value: 72, quality: 'ok', validSeconds: 90 });
  for (let i = 0; i < 120; i++) out = hr.push(second({ motionG: 0.4 }));
  assert.deepEqual({ ...out! }, { value: null, quality: 'motion', validSeconds: 0 });
  for (let i = 0; i < 120; i++) out = hr.push(second({ contact: false, pulseBpm: null }));
  assert.equal(out!.quality, 'poor_contact');
  for (let i = 0; i < 120; i++) out = hr.push(null);
  assert.equal(out!.quality, 'no_data');
});

test('SpO2: 5-minute mean and hypoxemia', () => {
  const m = createSpo2Meter();
  let out = null;
  for (let i = 0; i < 299; i++) assert.equal(m.push(second({ spo2: 86 + (i % 3) })), null);
  out = m.push(second({ spo2: 87 }));
  assert.equal(out!.value, 87);
  assert.equal(isHypoxemia(out!), true);
  for (let i = 0; i < 300; i++) out = m.push(second({ spo2: 96 }));
  assert.equal(isHypoxemia(out!), false);
});

test('cardiac arrest: no pulse, worn, no motion, confirmed after 20 s; not when removed or moving', () => {
  const d = new CardiacArrestDetector();
  for (let i = 0; i < 60; i++) assert.equal(d.push(second()), false);
  const fired: number[] = [];
  for (let i = 1; i <= 40; i++) if (d.push(second({ pulseBpm: null }))) fired.push(i);
  assert.deepEqual(fired, [20]);
  const removed = new CardiacArrestDetector();
  for (let i = 0; i < 60; i++) assert.equal(removed.push(second({ pulseBpm: null, contact: false })), false);
  const moving = new CardiacArrestDetector();
  for (let i = 0; i < 60; i++) assert.equal(moving.push(second({ pulseBpm: null, motionG: i % 10 === 0 ? 0.2 : 0.01 })), false);
});

test('wear: removed bracelet after 30 s without contact, charging, no data distinct from not worn', () => {
  const w = new WearDetector();
  assert.equal(w.push(second()), 'worn');
  for (let i = 0; i < 29; i++) assert.equal(w.push(second({ contact: false, pulseBpm: null })), 'worn');
  assert.equal(w.push(second({ contact: false, pulseBpm: null })), 'not_worn');
  assert.equal(w.push(second({ contact: false, charging: true })), 'charging');
  assert.equal(w.push(second()), 'worn');
  for (let i = 0; i < 9; i++) assert.equal(w.push(null), 'worn');
  assert.equal(w.push(null), 'no_data');
});
