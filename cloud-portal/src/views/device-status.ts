/**
 * Equipment health from the boxes' heartbeats (every 5 minutes by default, kept per box in
 * `box_status` by the ingest): online or silent,
 * bracelet battery and contact, buffer backlog. No medical value here: support sees it all.
 */
import { listBoxStatuses, type BoxStatus, type Queryable } from '@vigie/cloud-store';
import type { DeviceProblem, DeviceStatus } from '../api-types.ts';

const MIN_MS = 60_000;
/** Silent: no heartbeat for three intervals (the box reports every 5 minutes). */
export const BOX_SILENT_MS = 15 * MIN_MS;
/** Bracelet battery at or below this, %: ask to charge it (the box file's default threshold). */
export const BATTERY_LOW_PERCENT = 15;
/** The bracelet out of the box's reach for this long: worn away from home, or not worn. */
export const BRACELET_AWAY_MS = 30 * MIN_MS;
/** A backlog: this many readings waiting, or the oldest waiting for this long. */
export const BACKLOG_READINGS = 500;
export const BACKLOG_AGE_MS = 60 * MIN_MS;

/** The latest health of each of `boxIds` (boxes never heard of are absent), from `box_status`. */
export async function latestStatuses(q: Queryable, boxIds: readonly string[]): Promise<Map<string, BoxStatus>> {
  if (boxIds.length === 0) return new Map();
  return new Map((await listBoxStatuses(q, { boxIds })).map((s) => [s.boxId, s]));
}

/**
 * What is wrong, from a box's latest health, at `now`. Silence is judged on the cloud's reception
 * time (a box's clock can be wrong); the bracelet and the backlog on the box's own report.
 */
export function deviceStatus(boxId: string | null, status: BoxStatus | undefined, now: number): DeviceStatus {
  const problems: DeviceProblem[] = [];
  if (!boxId) {
    return { boxId: null, lastHeartbeatAt: null, boxOnline: false, braceletBattery: null, lastBraceletContactAt: null, bufferDepth: null, problems: ['no_box'] };
  }
  if (!status) {
    return { boxId, lastHeartbeatAt: null, boxOnline: false, braceletBattery: null, lastBraceletContactAt: null, bufferDepth: null, problems: ['never_heard'] };
  }
  const boxOnline = now - status.receivedAt <= BOX_SILENT_MS;
  if (!boxOnline) problems.push('box_silent');
  if (status.braceletBattery !== null && status.braceletBattery <= BATTERY_LOW_PERCENT) problems.push('bracelet_battery_low');
  // Measured against the heartbeat's own time: a silent box says nothing new about the bracelet.
  const at = status.lastHeartbeatAt;
  if (status.lastBraceletContactAt === null || at - status.lastBraceletContactAt > BRACELET_AWAY_MS) problems.push('bracelet_out_of_reach');
  if (status.bufferDepth >= BACKLOG_READINGS || (status.oldestUnsentAt !== null && at - status.oldestUnsentAt > BACKLOG_AGE_MS)) problems.push('buffer_backlog');
  return {
    boxId,
    lastHeartbeatAt: status.receivedAt,
    boxOnline,
    braceletBattery: status.braceletBattery,
    lastBraceletContactAt: status.lastBraceletContactAt,
    bufferDepth: status.bufferDepth,
    problems,
  };
}
