import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestEndedPeriod, parisHour, parisToday, periodProblem } from './report-periods.ts';

test('finds the latest ended weekly, biweekly, custom and monthly period', () => {
  const base = { patientId: 'p', customDays: null, anchorDate: '2026-11-02' } as const;
  assert.deepEqual(latestEndedPeriod({ ...base, frequency: 'weekly' }, '2026-12-08'), { from: '2026-11-30', to: '2026-12-07' });
  assert.deepEqual(latestEndedPeriod({ ...base, frequency: 'weekly' }, '2026-12-07'), { from: '2026-11-30', to: '2026-12-07' });
  assert.deepEqual(latestEndedPeriod({ ...base, frequency: 'biweekly' }, '2026-12-08'), { from: '2026-11-16', to: '2026-11-30' });
  assert.deepEqual(latestEndedPeriod({ ...base, frequency: 'custom', customDays: 10 }, '2026-12-08'), { from: '2026-11-22', to: '2026-12-02' });
  assert.deepEqual(latestEndedPeriod({ ...base, frequency: 'monthly', anchorDate: '2026-11-01' }, '2026-12-08'), { from: '2026-11-01', to: '2026-12-01' });
  assert.equal(latestEndedPeriod({ ...base, frequency: 'monthly' }, '2026-12-08'), null, 'November started before a mid-month anchor');
  assert.equal(latestEndedPeriod({ ...base, frequency: 'weekly' }, '2026-11-08'), null);
});

test('reads today and the hour in Paris, across the UTC date line and daylight saving', () => {
  assert.equal(parisToday(Date.UTC(2026, 11, 7, 23, 30)), '2026-12-08');
  assert.equal(parisHour(Date.UTC(2026, 11, 8, 1, 0)), 2);
  assert.equal(parisHour(Date.UTC(2026, 6, 8, 0, 0)), 2);
});

test('refuses a period in the future, longer than a year, reversed or not a date', () => {
  assert.equal(periodProblem({ from: '2026-11-01', to: '2026-12-01' }, '2026-12-08'), null);
  assert.equal(periodProblem({ from: '2026-12-01', to: '2026-12-09' }, '2026-12-08'), null, 'up to and including today');
  assert.equal(periodProblem({ from: '2026-12-01', to: '2026-12-10' }, '2026-12-08')?.message, 'the period is in the future');
  assert.match(periodProblem({ from: '2025-01-01', to: '2026-12-01' }, '2026-12-08')!.message, /longer than 366/);
  assert.equal(periodProblem({ from: '2026-12-01', to: '2026-11-01' }, '2026-12-08')?.field, 'to');
  assert.equal(periodProblem({ from: '2026-02-30', to: '2026-03-01' }, '2026-12-08')?.field, 'from');
});
