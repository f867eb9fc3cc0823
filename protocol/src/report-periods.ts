/**
 * Report periods (issue 13), shared by the portal (a doctor's request) and the reports service.
 * Calendar dates in Europe/Paris, `[from, to)`. Date arithmetic is done on
 * `YYYY-MM-DD` strings through UTC midnights (no time zone involved); only "today" needs the zone.
 */

/** The zone of every report period and of the nightly pass. */
export const REPORT_TIME_ZONE = 'Europe/Paris';

/** Longest period a report may cover, in days. */
export const MAX_PERIOD_DAYS = 366;

/** How often a patient's report is made. */
export type ReportFrequency = 'weekly' | 'biweekly' | 'monthly' | 'custom';

/** A patient's schedule as `report_schedules` keeps it. */
export interface ReportSchedule {
  readonly patientId: string;
  readonly frequency: ReportFrequency;
  /** Period length in days for `custom`; null otherwise. */
  readonly customDays: number | null;
  /** First day of the first period. */
  readonly anchorDate: string;
}

/** A period `[from, to)` of calendar dates. */
export interface ReportPeriod {
  readonly from: string;
  readonly to: string;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of `date` at UTC midnight; NaN when it is not a real calendar date. */
export function dateMs(date: string): number {
  const m = DATE.exec(date);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : Number.NaN;
}

/** `YYYY-MM-DD` of a UTC-midnight epoch ms. */
export const msDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `date` plus `days` (negative: minus). */
export const addDays = (date: string, days: number): string => msDate(dateMs(date) + days * DAY_MS);

/** Whole days from `from` to `to`. */
export const daysBetween = (from: string, to: string): number => Math.round((dateMs(to) - dateMs(from)) / DAY_MS);

const parisDate = new Intl.DateTimeFormat('en-CA', { timeZone: REPORT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Europe/Paris at instant `nowMs`. */
export const parisToday = (nowMs: number): string => parisDate.format(new Date(nowMs));

/** The hour (0–23) in Europe/Paris at instant `nowMs`. */
const parisHourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: REPORT_TIME_ZONE, hour: '2-digit', hourCycle: 'h23' });
export function parisHour(nowMs: number): number {
  return Number(parisHourFormat.format(new Date(nowMs)));
}

/** Days in one period of a fixed-length frequency. */
function periodDays(s: Pick<ReportSchedule, 'frequency' | 'customDays'>): number {
  return s.frequency === 'weekly' ? 7 : s.frequency === 'biweekly' ? 14 : (s.customDays ?? 0);
}

/**
 * The latest period of `schedule` that has ended by `today` (its `to` is at most today), or null
 * when none has ended yet. Monthly periods are calendar months (the first one starts at the first
 * of the anchor's month, if the anchor is the 1st, else the next month); the others follow each
 * other from the anchor.
 */
export function latestEndedPeriod(schedule: ReportSchedule, today: string): ReportPeriod | null {
  if (schedule.frequency === 'monthly') {
    const [ty, tm] = today.split('-').map(Number) as [number, number];
    const to = msDate(Date.UTC(ty, tm - 1, 1));
    const from = msDate(Date.UTC(ty, tm - 2, 1));
    return dateMs(from) >= dateMs(schedule.anchorDate) ? { from, to } : null;
  }
  const n = periodDays(schedule);
  if (n < 1) return null;
  const k = Math.floor(daysBetween(schedule.anchorDate, today) / n);
  if (k < 1) return null;
  return { from: addDays(schedule.anchorDate, (k - 1) * n), to: addDays(schedule.anchorDate, k * n) };
}

/** Why a period is refused, or null when it is acceptable (both ends real dates, ended by `today`, ≤ 366 days). */
export function periodProblem(period: ReportPeriod, today: string): { field: 'from' | 'to'; message: string } | null {
  if (Number.isNaN(dateMs(period.from))) return { field: 'from', message: 'is not a calendar date (YYYY-MM-DD)' };
  if (Number.isNaN(dateMs(period.to))) return { field: 'to', message: 'is not a calendar date (YYYY-MM-DD)' };
  const days = daysBetween(period.from, period.to);
  if (days < 1) return { field: 'to', message: 'must be after from' };
  if (days > MAX_PERIOD_DAYS) return { field: 'to', message: `the period is longer than ${MAX_PERIOD_DAYS} days` };
  // `to` is exclusive: a period ending tomorrow includes today, which is not over.
  if (dateMs(period.to) > dateMs(addDays(today, 1))) return { field: 'to', message: 'the period is in the future' };
  return null;
}
