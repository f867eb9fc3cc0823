import { useI18n } from '../i18n/i18n.tsx';
import { errorText } from '../i18n/errors.ts';

/** A failed load in plain words, announced to screen readers, with a way to try again. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice notice--error" role="alert">
      <p>{errorText(t, error)}</p>
      {onRetry && (
        <button type="button" className="button button--secondary" onClick={onRetry}>
          {t.app.retry}
        </button>
      )}
    </div>
  );
}
