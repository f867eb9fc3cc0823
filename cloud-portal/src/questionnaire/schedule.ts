/**
 * When a questionnaire is due: local dates (slots) in the plan's time zone, and the instant of a
 * slot's reminder. Pure and time-zone aware through `Intl` (no offset arithmetic by hand): a
 * reminder at 10:00 in Europe/Paris is 09:00 UTC in winter and 08:00 UTC in summer, and a time
 * that does not exist on the day clocks go forward (02:30 on the last Sunday of March) is moved
 * to the first instant after the gap.
 */

/** How often the questionnaire is due. */
export type ScheduleKind = 'daily' | 'every_n_days' | 'weekdays';

/** A plan's schedule, as the API carries it. */
export interface Schedule {
  readonly kind: ScheduleKind;
  /** every_n_days: 2..14, counted from the plan's anchor date. */
  readonly everyNDays?: number;
  /** weekdays: ISO days, 1 = Monday … 7 = Sunday. */
  readonly weekdays?: readonly number[];
  /** Local time of the reminder, `HH:MM`. */
  readonly reminderTime: string;
  readonly timeZone: string;
}

/** A schedule with the date its every-N-days count starts from (`YYYY-MM-DD`). */
export interface AnchoredSchedule extends Schedule {
  readonly anchorDate: string;
}

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `instant` in `timeZone`. */
function wallClock(instant: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, min: parts.minute!, s: parts.second! };
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Paris: +3,600,000 in winter). */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(instant / 1000) * 1000;
}

/** True for a valid IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The local date (`YYYY-MM-DD`) of `instant` in `timeZone`. */
export function localDate(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  return new Date(dateMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Midnight UTC of a `YYYY-MM-DD` (for day arithmetic only). */
function dateMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: string, b: string): number {
  return Math.round((dateMs(b) - dateMs(a)) / DAY_MS);
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(dateMs(value)) && new Date(dateMs(value)).toISOString().startsWith(value);
}

/**
 * The instant at which the local time `HH:MM` of `date` happens in `timeZone`. In the gap of a
 * spring-forward day the first instant after the gap; in the repeated hour of an autumn day the
 * first occurrence.
 */
export function zonedInstant(date: string, time: string, timeZone: string): number {
  const [h, min] = time.split(':').map(Number) as [number, number];
  const guess = dateMs(date) + (h * 60 + min) * 60_000;
  // Two offsets around the guess cover both sides of a change; the earliest that maps back wins.
  const candidates = [...new Set([offsetAt(guess - DAY_MS / 2, timeZone), offsetAt(guess + DAY_MS / 2, timeZone)])]
    .map((offset) => guess - offset)
    .sort((a, b) => a - b);
  for (const instant of candidates) {
    const w = wallClock(instant, timeZone);
    if (w.h === h && w.min === min && localDate(instant, timeZone) === date) return instant;
  }
  // The time falls in the gap: the instant the clocks jumped (the wall clock reads after the gap).
  return gapEnd(candidates, timeZone);
}

/** In a spring-forward gap, the earliest candidate lands before the jump: the jump itself is the answer. */
function gapEnd(candidates: readonly number[], timeZone: string): number {
  // Both candidates straddle the jump; binary search to the minute where the offset changes.
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  const before = offsetAt(lo, timeZone);
  while (hi - lo > 60_000) {
    const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** ISO weekday of a date (1 = Monday … 7 = Sunday). */
export function isoWeekday(date: string): number {
  const d = new Date(dateMs(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Whether the questionnaire is due on local date `date`. */
export function isDueOn(schedule: AnchoredSchedule, date: string): boolean {
  if (date < schedule.anchorDate) return false;
  switch (schedule.kind) {
    case 'daily':
      return true;
    case 'every_n_days':
      return daysBetween(schedule.anchorDate, date) % (schedule.everyNDays ?? 1) === 0;
    case 'weekdays':
      return (schedule.weekdays ?? []).includes(isoWeekday(date));
    default:
      schedule.kind satisfies never;
      return false;
  }
}

/** A due slot: its local date and the instant of its reminder. */
export interface Slot {
  readonly id: string;
  readonly dueAt: number;
}

/**
 * The latest slot whose reminder time has passed at `now` (not before the anchor date), looking
 * back at most `lookbackDays`; null when none. After a downtime the scheduler reminds this one
 * only: missed older slots are not flooded.
 */
export function latestDueSlot(schedule: AnchoredSchedule, now: number, lookbackDays = 14): Slot | null {
  const today = localDate(now, schedule.timeZone);
  for (let i = 0; i <= lookbackDays; i++) {
    const date = addDays(today, -i);
    if (date < schedule.anchorDate) return null;
    if (!isDueOn(schedule, date)) continue;
    const dueAt = zonedInstant(date, schedule.reminderTime, schedule.timeZone);
    if (dueAt <= now) return { id: date, dueAt };
  }
  return null;
}

/** The slot of local date `date` if the questionnaire is due that day (its reminder instant), else null. */
export function slotOn(schedule: AnchoredSchedule, date: string): Slot | null {
  return isDueOn(schedule, date) ? { id: date, dueAt: zonedInstant(date, schedule.reminderTime, schedule.timeZone) } : null;
}
