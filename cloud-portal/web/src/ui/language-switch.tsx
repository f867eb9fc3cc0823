import { LOCALES, type Locale } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** Each language named in itself, so a reader of either can find theirs. */
const NATIVE_NAMES: Record<Locale, { short: string; long: string }> = {
  fr: { short: 'FR', long: 'Français' },
  en: { short: 'EN', long: 'English' },
};

/** FR / EN toggle; the pressed button is the current language. */
export function LanguageSwitch() {
  const { t, locale, chooseLocale } = useI18n();
  return (
    <div className="language-switch" role="group" aria-label={t.header.language}>
      {LOCALES.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          className="language-switch__button"
          aria-pressed={code === locale}
          // The visible code first, so the accessible name contains what is seen (WCAG 2.5.3).
          aria-label={`${NATIVE_NAMES[code].short} — ${NATIVE_NAMES[code].long}`}
          title={NATIVE_NAMES[code].long}
          onClick={() => chooseLocale(code)}
        >
          {NATIVE_NAMES[code].short}
        </button>
      ))}
    </div>
  );
}
