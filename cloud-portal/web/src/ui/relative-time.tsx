import { useI18n } from '../i18n/i18n.tsx';

/** "il y a 3 min", with the full date for machines and on hover. */
export function RelativeTime({ ms, now }: { ms: number; now: number }) {
  const { f } = useI18n();
  return (
    <time dateTime={new Date(ms).toISOString()} title={f.fullDateTime(ms)}>
      {f.relative(ms, now)}
    </time>
  );
}
