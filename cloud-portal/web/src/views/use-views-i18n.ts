/** The role views' messages in the current language. */
import { useI18n } from '../i18n/i18n.tsx';
import { viewsEn } from './views-en.ts';
import { viewsFr, type ViewMessages } from './views-fr.ts';

export function useViewsI18n(): ViewMessages {
  const { locale } = useI18n();
  return locale === 'en' ? viewsEn : viewsFr;
}
