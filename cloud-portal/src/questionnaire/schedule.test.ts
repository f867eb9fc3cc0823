import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDueOn, latestDueSlot, localDate, zonedInstant, type AnchoredSchedule } from './schedule.ts';

const PARIS = 'Europe/Paris';
const daily: AnchoredSchedule = { kind: 'daily', reminderTime: '10:00', timeZone: PARIS, anchorDate: '2026-01-01' };

test('a 10:00 reminder in Paris is 09:00 UTC in winter and 08:00 UTC in summer, across both changes', () => {
  assert.equal(new Date(zonedInstant('2026-03-28', '10:00', PARIS)).toISOString(), '2026-03-28T09:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-03-29', '10:00', PARIS)).toISOString(), '2026-03-29T08:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-10-24', '10:00', PARIS)).toISOString(), '2026-10-24T08:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-10-25', '10:00', PARIS)).toISOString(), '2026-10-25T09:00:00.000Z');
});

test('a time in the spring-forward gap moves to the jump; a repeated autumn time takes its first occurrence', () => {
  assert.equal(new Date(zonedInstant('2026-03-29', '02:30', PARIS)).toISOString(), '2026-03-29T01:00:00.000Z');
  assert.equal(new Date(zonedInstant('2026-10-25', '02:30', PARIS)).toISOString(), '2026-10-25T00:30:00.000Z');
});

test('the local date follows Paris, not UTC', () => {
  assert.equal(localDate(Date.parse('2026-06-30T22:30:00Z'), PARIS), '2026-07-01');
  assert.equal(localDate(Date.parse('2026-12-31T22:30:00Z'), PARIS), '2026-12-31');
});

test('every N days counts from the anchor; weekdays are ISO (1 = Monday)', () => {
  const every3: AnchoredSchedule = { ...daily, kind: 'every_n_days', everyNDays: 3, anchorDate: '2026-06-01' };
  assert.deepEqual(['2026-06-01', '2026-06-02', '2026-06-04', '2026-05-29'].map((d) => isDueOn(every3, d)), [true, false, true, false]);
  const monWed: AnchoredSchedule = { ...daily, kind: 'weekdays', weekdays: [1, 3] };
  assert.deepEqual(['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-07'].map((d) => isDueOn(monWed, d)), [true, false, true, false]);
});

test('the latest due slot is today once the reminder time passed, otherwise the previous due day', () => {
  assert.equal(latestDueSlot(daily, Date.parse('2026-06-10T07:59:00Z'))?.id, '2026-06-09');
  assert.equal(latestDueSlot(daily, Date.parse('2026-06-10T08:00:00Z'))?.id, '2026-06-10');
  assert.equal(latestDueSlot({ ...daily, anchorDate: '2026-06-10' }, Date.parse('2026-06-10T07:00:00Z')), null);
});
