/**
 * The UI language: French by default, English on demand. The signed-in user's `locale` chooses it,
 * the header switch overrides it for this browser tab. Every visible string comes from the
 * dictionaries; dates and numbers from `Intl` in the same language, Europe/Paris time.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from '../api/types.ts';
import { createFormatters, type Formatters } from '../ui/format.ts';
import { en } from './en/index.ts';
import { fr, type Messages } from './fr/index.ts';

export type { Messages };

const DICTIONARIES = { fr, en } as const satisfies Record<Locale, Messages>;
const CHOICE_KEY = 'vigie.locale';

export interface I18n {
  readonly locale: Locale;
  /** The messages of the current language. */
  readonly t: Messages;
  /** Date and number formatters of the current language. */
  readonly f: Formatters;
  /** The user picked a language with the switch: keep it for this tab. */
  chooseLocale(locale: Locale): void;
  /** Follow the account's language, unless the user picked one in this tab (the pick wins). */
  adoptUserLocale(locale: Locale): void;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(() => rememberedChoice() ?? 'fr');

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const chooseLocale = useCallback((next: Locale) => {
    remember(next);
    setLocale(next);
  }, []);

  const adoptUserLocale = useCallback((next: Locale) => {
    if (!rememberedChoice()) setLocale(next);
  }, []);

  const value = useMemo<I18n>(
    () => ({ locale, t: DICTIONARIES[locale], f: createFormatters(locale), chooseLocale, adoptUserLocale }),
    [locale, chooseLocale, adoptUserLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language, its messages and formatters. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

function rememberedChoice(): Locale | null {
  try {
    const value = sessionStorage.getItem(CHOICE_KEY);
    return value === 'fr' || value === 'en' ? value : null;
  } catch {
    return null; // storage disabled: the choice lasts until reload
  }
}

function remember(locale: Locale): void {
  try {
    sessionStorage.setItem(CHOICE_KEY, locale);
  } catch {
    // storage disabled: nothing to remember with
  }
}
