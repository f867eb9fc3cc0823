/**
 * Date and number formatting for one UI language. Every date is shown in Europe/Paris time, the
 * time zone of the patients and their care teams, whatever the browser's own zone.
 */
export const TIME_ZONE = 'Europe/Paris';

/**
 * The Intl locale of each UI language: English is shown British-style (24-hour clock, day before
 * month), closer to what French care teams expect than US English.
 */
const INTL_LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const;

/** Said of a reading less than a minute old (Intl's own word, « maintenant », reads oddly here). */
const JUST_NOW: Record<string, string> = { fr: 'à l’instant', en: 'just now' };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A time from the API as epoch ms: numbers pass through, ISO 8601 text is parsed. `null` when it
 * is neither (the caller shows no time rather than a wrong one).
 */
export function toEpochMs(value: number | string): number | null {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** Formatters bound to one locale (`fr`, `en`). Create once per language, they cache Intl objects. */
export interface Formatters {
  readonly locale: string;
  /** `14:32` */
  time(ms: number): string;
  /** `14:32:05` — stages of an alert, seconds apart. */
  preciseTime(ms: number): string;
  /** `mer. 25 nov., 14:32` — for events of the last weeks. */
  shortDateTime(ms: number): string;
  /** `mer. 25 nov., 14:32:05` — when several events share a minute (SMS log). */
  preciseDateTime(ms: number): string;
  /** `mercredi 25 novembre 2025 à 14:32:05` — for tooltips and screen readers. */
  fullDateTime(ms: number): string;
  /** `25 nov.` — chart axes over several days. */
  day(ms: number): string;
  /** `il y a 3 min` (`à l’instant` under a minute), relative to `now`. */
  relative(ms: number, now: number): string;
  /** A number with at most `maxFractionDigits` decimals (`97,5` in French). */
  number(value: number, maxFractionDigits?: number): string;
}

/** Build the formatters of `locale`. */
export function createFormatters(locale: string): Formatters {
  const tz = { timeZone: TIME_ZONE } as const;
  const intlLocale = INTL_LOCALES[locale as keyof typeof INTL_LOCALES] ?? locale;
  const time = new Intl.DateTimeFormat(intlLocale, { ...tz, hour: '2-digit', minute: '2-digit' });
  const preciseTime = new Intl.DateTimeFormat(intlLocale, { ...tz, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const shortDateTime = new Intl.DateTimeFormat(intlLocale, {
    ...tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const fullDateTime = new Intl.DateTimeFormat(intlLocale, { ...tz, dateStyle: 'full', timeStyle: 'medium' });
  const day = new Intl.DateTimeFormat(intlLocale, { ...tz, day: 'numeric', month: 'short' });
  const relative = new Intl.RelativeTimeFormat(intlLocale, { numeric: 'auto', style: 'short' });
  const numbers = new Map<number, Intl.NumberFormat>();
  const justNow = JUST_NOW[locale];
  const preciseDateTime = new Intl.DateTimeFormat(intlLocale, {
    ...tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

  return {
    locale,
    time: (ms) => time.format(ms),
    preciseTime: (ms) => preciseTime.format(ms),
    shortDateTime: (ms) => shortDateTime.format(ms),
    preciseDateTime: (ms) => preciseDateTime.format(ms),
    fullDateTime: (ms) => fullDateTime.format(ms),
    day: (ms) => day.format(ms),
    relative: (ms, now) => {
      const ago = Math.max(0, now - ms); // a box clock slightly ahead must not read "in 1 min"
      if (ago < MINUTE) return justNow ?? relative.format(0, 'second');
      if (ago < HOUR) return relative.format(-Math.floor(ago / MINUTE), 'minute');
      if (ago < DAY) return relative.format(-Math.floor(ago / HOUR), 'hour');
      return relative.format(-Math.floor(ago / DAY), 'day');
    },
    number: (value, maxFractionDigits = 0) => {
      let format = numbers.get(maxFractionDigits);
      if (!format) {
        format = new Intl.NumberFormat(intlLocale, { maximumFractionDigits: maxFractionDigits });
        numbers.set(maxFractionDigits, format);
      }
      return format.format(value);
    },
  };
}
