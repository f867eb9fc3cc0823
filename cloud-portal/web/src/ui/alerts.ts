/** Merging alert snapshots (from the list and from live events) into the list the panel shows. */
import type { PortalAlert } from '../api/types.ts';

/**
 * `alerts` with `alert` inserted or, when already present, replaced unless the copy held is
 * newer (events can arrive after a reload that already includes them). Newest raised first.
 */
export function upsertAlert(alerts: readonly PortalAlert[], alert: PortalAlert): PortalAlert[] {
  const index = alerts.findIndex((a) => a.alertId === alert.alertId);
  if (index >= 0 && alerts[index]!.updatedAt > alert.updatedAt) return [...alerts];
  const next = index >= 0 ? alerts.filter((_, i) => i !== index) : [...alerts];
  next.push(alert);
  return next.sort((a, b) => b.raisedAt - a.raisedAt);
}

/** An alert nobody has closed yet. */
export function isOpen(alert: Pick<PortalAlert, 'state'>): boolean {
  return alert.state !== 'closed';
}
