import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@vigie/common';
import type { AlertKind, Metric } from '@vigie/protocol';
import { DEFAULT_THRESHOLDS, VitalRules } from './vital-rules.ts';
import type { AlertRaiser } from './alert-raiser.ts';

function setup() {
  const raised: { kind: AlertKind; source: string }[] = [];
  const raiser = { raise: (kind: AlertKind, source: string) => (raised.push({ kind, source }), { alertId: 'x', created: true }) } as unknown as AlertRaiser;
  const clock = { t: 1_000_000, now() { return this.t; } };
  const rules = new VitalRules({ raiser, clock, log: silentLogger(), thresholds: () => DEFAULT_THRESHOLDS });
  const read = (metric: Metric, value: number) =>
    rules.onReading({ v: 1, braceletId: 'BR-1', reading: { metric, ts: clock.t, value } });
  return { raised, clock, rules, read };
}

test('raises hypoxemia on the first SpO2 mean below 90 %, once per episode', () => {
  const { raised, read } = setup();
  read('spo2', 95);
  read('spo2', 88);
  read('spo2', 86);
  assert.deepEqual(raised.map((r) => r.kind), ['hypoxemia']);
  read('spo2', 96);
  read('spo2', 87);
  assert.deepEqual(raised.map((r) => r.kind), ['hypoxemia', 'hypoxemia'], 'a new episode after recovery');
});

test('raises bradycardia and tachycardia only when sustained over consecutive means', () => {
  const { raised, read } = setup();
  read('heart_rate', 38);
  read('heart_rate', 60);
  read('heart_rate', 38);
  assert.equal(raised.length, 0, 'one low mean is not sustained');
  read('heart_rate', 37);
  read('heart_rate', 36);
  read('heart_rate', 140);
  read('heart_rate', 150);
  assert.deepEqual(raised.map((r) => r.kind), ['bradycardia', 'tachycardia']);
});

test('raises low battery once, and again only after the battery recovered well above the threshold', () => {
  const { raised, read } = setup();
  read('bracelet_battery', 15);
  read('bracelet_battery', 16);
  read('bracelet_battery', 14);
  assert.equal(raised.length, 1);
  read('bracelet_battery', 80);
  read('bracelet_battery', 12);
  assert.equal(raised.length, 2);
});

test('tells "not worn" from "no data", each after its delay', () => {
  const { raised, clock, rules, read } = setup();
  read('heart_rate', 70);
  rules.onStatus({ v: 1, braceletId: 'BR-1', connected: true, worn: false, battery: 80, ts: clock.t });
  // Not worn, the bracelet still reports its battery every 10 minutes: it is not silent.
  for (let i = 0; i < 3; i++) {
    clock.t += 9 * 60_000 + 40_000;
    read('bracelet_battery', 80);
    rules.sweep();
  }
  assert.equal(raised.length, 0);
  clock.t += 60_000;
  rules.sweep();
  rules.sweep();
  assert.deepEqual(raised.map((r) => r.kind), ['not_worn']);
  rules.onStatus({ v: 1, braceletId: 'BR-1', connected: true, worn: true, battery: 80, ts: clock.t });
  clock.t += 30 * 60_000;
  rules.sweep();
  assert.deepEqual(raised.map((r) => r.kind), ['not_worn', 'no_data'], 'silent for 30 min while worn: no data');
  read('heart_rate', 70);
  rules.sweep();
  assert.equal(raised.length, 2);
});
