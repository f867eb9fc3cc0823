/**
 * Alert latency per stage (issue 16): when each stage of an alert happened, on the CLOUD's clock,
 * for the alert's page (the care team) and the fleet's percentiles (support).
 *
 * The box's stages (protocol `AlertTimeline`, `raisedAt`, the SMS accepted by the modem, an
 * acknowledgement by SMS or on the box) are on the box's clock: they are moved onto the cloud's
 * with the alert's `clock_offset_ms` (cloud reception − box send time; the smallest seen, so the
 * transit it contains is small). The cloud's own stages (received, shown in the portal, an
 * acknowledgement in the portal) need no correction.
 */
import type { Queryable } from '@vigie/cloud-store';
import type { Acknowledgement, AlertNotification, AlertTimeline } from '@vigie/protocol';
import type { AlertStage, AlertStageName, AlertTimelineView, StageLatency } from '../api-types.ts';
import { alertColumns, alertView, type AlertRow } from './alert-views.ts';

/** Stages in the order an alert goes through them. */
export const ALERT_STAGES = [
  'detected',
  'received_by_box',
  'raised',
  'sms_stored',
  'sms_accepted',
  'received_by_cloud',
  'shown_in_portal',
  'acknowledged',
] as const satisfies readonly AlertStageName[];

interface TimelineRow extends AlertRow {
  patient_id: string | null;
  box_timeline: AlertTimeline | null;
  clock_offset_ms: number | null;
  first_received_at: Date | null;
  shown_at: Date | null;
}

const TIMELINE_COLUMNS = `patient_id, ${alertColumns()}, box_timeline, clock_offset_ms, first_received_at, shown_at`;

/** The stages of one alert row, on the cloud's clock, in order. */
export function stagesOf(r: TimelineRow): AlertStage[] {
  const offset = r.clock_offset_ms ?? 0;
  const box = (at: number | undefined): number | null => (at === undefined ? null : at + offset);
  const stages: AlertStage[] = [];
  const add = (stage: AlertStageName, at: number | null, extra: Partial<AlertStage> = {}) => {
    if (at !== null) stages.push({ stage, at, ...extra });
  };
  const t = r.box_timeline ?? {};
  add('detected', box(t.detectedAt));
  add('received_by_box', box(t.receivedAt));
  add('raised', box(r.raised_at.getTime()));
  add('sms_stored', box(t.smsStoredAt));
  for (const n of r.notifications as AlertNotification[]) if (n.status === 'sent') add('sms_accepted', box(n.at), { contact: n.contact });
  add('received_by_cloud', r.first_received_at?.getTime() ?? null);
  add('shown_in_portal', r.shown_at?.getTime() ?? null);
  const ack = r.acknowledgement as Acknowledgement | null;
  // A portal acknowledgement carries the cloud's time (views/acknowledge.ts); by SMS or on the box, the box's.
  if (ack) add('acknowledged', ack.via === 'portal' ? ack.at : box(ack.at), { by: ack.by, via: ack.via });
  return stages;
}

/** One alert with its stages, or null. */
export async function loadAlertTimeline(q: Queryable, alertId: string): Promise<AlertTimelineView | null> {
  const { rows } = await q.query<TimelineRow>(`SELECT ${TIMELINE_COLUMNS} FROM alerts WHERE alert_id = $1`, [alertId]);
  const r = rows[0];
  if (!r) return null;
  return { patientId: r.patient_id, alert: alertView(r), clockOffsetMs: r.clock_offset_ms, stages: stagesOf(r) };
}

/** The first time the portal showed these alerts to someone who may see them (kept once). */
export async function markAlertsShown(q: Queryable, alertIds: readonly string[], at: number): Promise<void> {
  if (alertIds.length === 0) return;
  await q.query('UPDATE alerts SET shown_at = $2 WHERE alert_id = ANY($1::uuid[]) AND shown_at IS NULL', [[...alertIds], new Date(at).toISOString()]);
}

function percentile(sorted: readonly number[], p: number): number {
  // Nearest rank: an observed value, never an interpolation between two alerts.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The fleet's p50 and p99 of each stage, in ms after the alert's first known stage (detection by
 * the bracelet, or the rules for alerts with none), over the alerts raised since `since` (at most
 * the latest 20,000). For support: no patient, no name.
 */
export async function fleetStageLatency(q: Queryable, since: number): Promise<StageLatency[]> {
  const { rows } = await q.query<TimelineRow>(
    `SELECT ${TIMELINE_COLUMNS} FROM alerts WHERE raised_at >= $1 ORDER BY raised_at DESC LIMIT 20000`,
    [new Date(since).toISOString()],
  );
  const byStage = new Map<AlertStageName, number[]>(ALERT_STAGES.map((s) => [s, []]));
  for (const r of rows) {
    const stages = stagesOf(r);
    const start = stages[0]?.at;
    if (start === undefined) continue;
    // Each stage once per alert: its first occurrence (the first SMS accepted, for instance).
    const seen = new Set<AlertStageName>();
    for (const s of stages) {
      if (seen.has(s.stage)) continue;
      seen.add(s.stage);
      byStage.get(s.stage)!.push(Math.max(0, s.at - start));
    }
  }
  return ALERT_STAGES.map((stage) => {
    const values = byStage.get(stage)!.sort((a, b) => a - b);
    return values.length === 0 ? { stage, count: 0, p50Ms: null, p99Ms: null } : { stage, count: values.length, p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) };
  });
}
