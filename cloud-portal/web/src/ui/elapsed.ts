/** A delay after an alert's first stage, as its page and support's fleet table show it. */
import type { Formatters } from './format.ts';

/** « 1,2 s », « 14 s », « 3 min », « 1 h 05 ». */
export function elapsed({ f }: { f: Formatters }, ms: number): string {
  if (ms < 60_000) return `${f.number(ms / 1_000, ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${f.number(Math.round(ms / 60_000), 0)} min`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}
