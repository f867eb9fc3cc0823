import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CADENCE_S, PatientModel, type PhysiologyOutput } from './physiology.ts';

const START = Date.UTC(2026, 0, 5, 0, 0, 0); // midnight UTC; the model's local time is UTC here
const DAY_MS = 86_400_000;

function run(days: number, seed = 42): PhysiologyOutput[] {
  const model = new PatientModel({ seed, startMs: START });
  return model.advance(START + days * DAY_MS);
}

const ofKind = <K extends PhysiologyOutput['kind']>(outputs: PhysiologyOutput[], kind: K) =>
  outputs.filter((o): o is Extract<PhysiologyOutput, { kind: K }> => o.kind === kind);
const hourOf = (at: number) => new Date(at).getUTCHours();
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

test('reports at the design cadences: HR every 2 min, SpO2 every minute, steps every 30 min, battery every 10 min', () => {
  const outputs = run(1);
  for (const [kind, cadenceS] of [
    ['heart_rate', CADENCE_S.heartRate],
    ['spo2', CADENCE_S.spo2],
    ['steps', CADENCE_S.steps],
    ['battery', CADENCE_S.battery],
  ] as const) {
    const times = ofKind(outputs, kind).map((o) => o.at);
    assert.equal(times.length, 86_400 / cadenceS, kind);
    times.forEach((at, i) => assert.equal(at, START + (i + 1) * cadenceS * 1000, `${kind} #${i}`));
  }
  assert.ok(ofKind(outputs, 'steps').every((s) => s.periodS === 1_800));
});

test('divides every cadence by the speed factor', () => {
  const model = new PatientModel({ seed: 1, startMs: START, speed: 60 });
  const outputs = model.advance(START + 120_000); // two real minutes = two simulated hours
  const hr = ofKind(outputs, 'heart_rate');
  assert.equal(hr.length, 60);
  assert.deepEqual(hr.slice(0, 3).map((o) => o.at - START), [2_000, 4_000, 6_000], 'a 2-minute mean every 2 s');
  assert.equal(ofKind(outputs, 'spo2').length, 120);
  assert.equal(ofKind(outputs, 'steps').length, 4);
  assert.equal(ofKind(outputs, 'steps')[0]!.periodS, 1_800, 'the period stays the simulated one');
});

test('tells when the next report is due and reports nothing before', () => {
  const model = new PatientModel({ seed: 1, startMs: START, speed: 60 });
  assert.equal(model.nextDueAt(), START + 1_000, 'first SpO2 minute after 1 real second');
  assert.deepEqual(model.advance(START + 999), []);
  assert.deepEqual(model.advance(START + 1_000).map((o) => o.kind), ['spo2']);
  assert.equal(model.nextDueAt(), START + 2_000);
});

test('keeps heart rate, SpO2, steps and battery in plausible ranges over three days', () => {
  const outputs = run(3);
  const hr = ofKind(outputs, 'heart_rate');
  assert.ok(hr.every((o) => Number.isInteger(o.bpm) && o.bpm >= 40 && o.bpm <= 160));
  const typical = hr.filter((o) => o.bpm >= 50 && o.bpm <= 110).length / hr.length;
  assert.ok(typical > 0.97, `${typical} of HR means within 50–110 bpm`);
  const night = mean(hr.filter((o) => hourOf(o.at) >= 1 && hourOf(o.at) < 5).map((o) => o.bpm));
  const day = mean(hr.filter((o) => hourOf(o.at) >= 10 && hourOf(o.at) < 20).map((o) => o.bpm));
  assert.ok(night < day - 3, `night ${night.toFixed(1)} bpm below day ${day.toFixed(1)} bpm`);

  const spo2 = ofKind(outputs, 'spo2');
  assert.ok(spo2.every((o) => o.spo2 >= 95 && o.spo2 <= 99 && Math.round(o.spo2 * 10) === o.spo2 * 10));
  assert.ok(new Set(spo2.map((o) => Math.round(o.spo2))).size >= 3, 'SpO2 varies');
  assert.ok(spo2.every((o) => o.pulseRate >= 40 && o.pulseRate <= 160));

  const steps = ofKind(outputs, 'steps');
  for (let d = 0; d < 3; d++) {
    const daily = steps.filter((o) => o.at > START + d * DAY_MS && o.at <= START + (d + 1) * DAY_MS).reduce((a, o) => a + o.count, 0);
    assert.ok(daily >= 1_000 && daily <= 8_000, `day ${d}: ${daily} steps`);
  }
  const nightSteps = steps.filter((o) => hourOf(o.at - 1) >= 1 && hourOf(o.at - 1) < 5).reduce((a, o) => a + o.count, 0);
  const daySteps = steps.filter((o) => hourOf(o.at - 1) >= 10 && hourOf(o.at - 1) < 14).reduce((a, o) => a + o.count, 0);
  assert.ok(nightSteps < daySteps / 3, `night ${nightSteps} vs day ${daySteps}`);
  assert.ok(steps.some((o) => o.count === 0) && steps.some((o) => o.count > 100), 'steps come in bouts');

  const battery = ofKind(outputs, 'battery').map((o) => o.percent);
  assert.ok(battery.every((p) => Number.isInteger(p) && p >= 0 && p <= 100));
  assert.equal(battery[0], 100);
  assert.ok(battery.at(-1)! < 100 && battery.at(-1)! > 40, `${battery.at(-1)} % after three days`);
});

test('recharges the battery when it runs low', () => {
  const model = new PatientModel({ seed: 3, startMs: START, batteryPercent: 11 });
  const battery = ofKind(model.advance(START + 3 * 3_600_000), 'battery').map((o) => o.percent);
  assert.ok(battery.includes(10) || battery.includes(11));
  assert.equal(battery.at(-1)! >= 98, true);
});

test('is the same patient for the same seed and another one for another seed', () => {
  assert.deepEqual(run(0.25, 7), run(0.25, 7));
  assert.notDeepEqual(run(0.25, 7), run(0.25, 8));
});

test('gives the same outputs whether advanced at once or step by step', () => {
  const once = new PatientModel({ seed: 9, startMs: START, speed: 30 }).advance(START + 600_000);
  const stepwise = new PatientModel({ seed: 9, startMs: START, speed: 30 });
  const collected: PhysiologyOutput[] = [];
  for (let now = START; now <= START + 600_000; now += 1_234) collected.push(...stepwise.advance(now));
  collected.push(...stepwise.advance(START + 600_000));
  assert.deepEqual(collected, once);
});
