/**
 * Pure helpers of the answers grid: the local dates in Paris (the questionnaire's slots are Paris
 * dates), the window of the last N days, and which cells belong to a negative streak.
 */
import type { ResponsesGrid } from '../../api/questionnaire.ts';

const PARIS_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The local date in Paris of an instant, `YYYY-MM-DD`. */
export function parisDate(ms: number): string {
  return PARIS_DATE.format(new Date(ms));
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The last `n` Paris dates up to the one of `nowMs`, as the responses route's `from`/`to`. */
export function lastDays(nowMs: number, n: number): { from: string; to: string } {
  const to = parisDate(nowMs);
  return { from: addDays(to, -(n - 1)), to };
}

/** `linkId/date` of every cell inside a negative streak. */
export function streakCells(grid: Pick<ResponsesGrid, 'days' | 'streaks'>): ReadonlySet<string> {
  const cells = new Set<string>();
  for (const streak of grid.streaks)
    for (const day of grid.days) if (day.date >= streak.from && day.date <= streak.to) cells.add(`${streak.linkId}/${day.date}`);
  return cells;
}
