/** The answers grid's negative-streak cells. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streakCells } from '../src/care/questionnaire/grid-model.ts';

test('cells inside a negative streak are marked, the others are not', () => {
  const days = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].map((date) => ({ date, status: 'answered' as const, answers: {} }));
  const cells = streakCells({ days, streaks: [{ linkId: 'pain', from: '2026-12-02', to: '2026-12-03', length: 2 }] });
  assert.deepEqual([...cells].sort(), ['pain/2026-12-02', 'pain/2026-12-03']);
  assert.equal(streakCells({ days, streaks: [] }).size, 0);
});
