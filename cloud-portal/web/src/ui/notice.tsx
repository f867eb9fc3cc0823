/**
 * An announced message, error or confirmation: the live region is always there (a region added
 * with its text is not read by every screen reader), the text comes and goes.
 */
export function Notice({ kind, text }: { kind: 'error' | 'ok'; text: string | null }) {
  return <div role={kind === 'error' ? 'alert' : 'status'}>{text && <p className={`notice notice--${kind === 'error' ? 'error' : 'info'}`}>{text}</p>}</div>;
}
