/** The answers grid's date helpers (Paris local dates, DST included) and its negative-streak cells. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, lastDays, parisDate, streakCells } from '../src/care/questionnaire/grid-model.ts';

test('the slot date is the Paris local date, across midnight and daylight-saving changes', () => {
  assert.equal(parisDate(Date.UTC(2026, 11, 7, 23, 30)), '2026-12-08'); // 00:30 in Paris (UTC+1)
  assert.equal(parisDate(Date.UTC(2026, 6, 7, 22, 30)), '2026-07-08'); // 00:30 in Paris (UTC+2)
  assert.equal(parisDate(Date.UTC(2026, 2, 29, 0, 30)), '2026-03-29'); // the spring-forward night
  assert.equal(addDays('2026-03-28', 1), '2026-03-29');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.deepEqual(lastDays(Date.UTC(2026, 11, 8, 9, 0), 14), { from: '2026-11-25', to: '2026-12-08' });
});

test('cells inside a negative streak are marked, the others are not', () => {
  const days = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].map((date) => ({ date, status: 'answered' as const, answers: {} }));
  const cells = streakCells({ days, streaks: [{ linkId: 'pain', from: '2026-12-02', to: '2026-12-03', length: 2 }] });
  assert.deepEqual([...cells].sort(), ['pain/2026-12-02', 'pain/2026-12-03']);
  assert.equal(streakCells({ days, streaks: [] }).size, 0);
});
