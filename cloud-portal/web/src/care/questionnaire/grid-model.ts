/** Pure helper of the answers grid: which cells belong to a negative streak. */
import type { ResponsesGrid } from '../../api/questionnaire.ts';

/** `linkId/date` of every cell inside a negative streak. */
export function streakCells(grid: Pick<ResponsesGrid, 'days' | 'streaks'>): ReadonlySet<string> {
  const cells = new Set<string>();
  for (const streak of grid.streaks)
    for (const day of grid.days) if (day.date >= streak.from && day.date <= streak.to) cells.add(`${streak.linkId}/${day.date}`);
  return cells;
}
