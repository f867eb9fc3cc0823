import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '@vigie/protocol';
import { implausibility } from './plausibility.ts';

const now = Date.UTC(2026, 5, 1, 12);
const at = (metric: Reading['metric'], value: number, extra: Partial<Reading> = {}): Reading => ({ metric, ts: now - 60_000, value, ...extra });

test('accepts values at the edges of each plausible range', () => {
  for (const r of [at('heart_rate', 20), at('heart_rate', 250), at('spo2', 50), at('spo2', 100), at('steps', 0), at('steps', 20_000), at('bracelet_battery', 0), at('bracelet_battery', 100)]) {
    assert.equal(implausibility(r, now), null, `${r.metric}=${r.value}`);
  }
});

test('rejects each metric just outside its range with a reason naming it', () => {
  assert.equal(implausibility(at('heart_rate', 19.9), now), 'heart_rate_out_of_range');
  assert.equal(implausibility(at('heart_rate', 251), now), 'heart_rate_out_of_range');
  assert.equal(implausibility(at('spo2', 49), now), 'spo2_out_of_range');
  assert.equal(implausibility(at('spo2', 100.1), now), 'spo2_out_of_range');
  assert.equal(implausibility(at('steps', -1), now), 'steps_out_of_range');
  assert.equal(implausibility(at('steps', 20_001), now), 'steps_out_of_range');
  assert.equal(implausibility(at('bracelet_battery', 101), now), 'battery_out_of_range');
});

test('scales the steps bound with the reading period', () => {
  assert.equal(implausibility(at('steps', 30_000, { periodS: 3_600 }), now), null);
  assert.equal(implausibility(at('steps', 1_000, { periodS: 60 }), now), 'steps_out_of_range');
});

test('rejects timestamps from a box clock that is far ahead or reset', () => {
  assert.equal(implausibility(at('heart_rate', 70, { ts: now + 2 * 3_600_000 }), now), 'ts_in_future');
  assert.equal(implausibility(at('heart_rate', 70, { ts: 1_000 }), now), 'ts_too_old');
});
