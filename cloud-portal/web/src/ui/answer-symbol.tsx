/**
 * The three answers of the questionnaire as symbols: a smiling, a straight and a frowning face,
 * drawn in SVG (no emoji font needed) and told apart by their shape, never by colour alone. The
 * word always goes with the symbol; the symbol is hidden from screen readers.
 */
import type { Answer } from '../api/questionnaire.ts';

const MOUTH: Record<Answer, string> = {
  positive: 'M15 27c3 4 15 4 18 0',
  neutral: 'M15 29h18',
  negative: 'M15 32c3-4 15-4 18 0',
};

export function AnswerSymbol({ answer, size = 48 }: { answer: Answer; size?: number }) {
  return (
    <svg className={`answer-symbol answer-symbol--${answer}`} viewBox="0 0 48 48" width={size} height={size} aria-hidden="true" focusable="false">
      <circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" strokeWidth="3.5" />
      <circle cx="17" cy="19" r="2.8" fill="currentColor" />
      <circle cx="31" cy="19" r="2.8" fill="currentColor" />
      <path d={MOUTH[answer]} fill="none" stroke="currentColor" strokeWidth="3.5" strokeLinecap="round" />
    </svg>
  );
}

/** The text of a localized question or option: the page's language, French when it is missing. */
export function localized(text: { fr: string; en?: string }, locale: string): string {
  return locale === 'en' && text.en ? text.en : text.fr;
}
