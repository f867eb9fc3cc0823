import type { Heartbeat } from '@vigie/protocol';
import type { Queryable } from '../db/types.ts';

/** One box's latest health, as the fleet view shows it. */
export interface BoxStatus {
  readonly boxId: string;
  readonly patientId: string | null;
  readonly lastHeartbeatAt: number;
  /** Cloud time of the last heartbeat (box clocks can be wrong; silence is judged on this). */
  readonly receivedAt: number;
  readonly bufferDepth: number;
  readonly oldestUnsentAt: number | null;
  readonly lastBraceletContactAt: number | null;
  readonly braceletBattery: number | null;
  readonly modemRegistered: boolean;
  readonly modemSignal: number | null;
  readonly diskFreeBytes: number | null;
  readonly software: Heartbeat['software'];
  readonly configVersion: number | null;
  readonly configLocalChanges: boolean;
  /** The box's last daily self-test (null: none reported yet). */
  readonly selfTest: { readonly at: number; readonly failed: readonly string[] } | null;
}

/**
 * Keep `box_status` up to date with a heartbeat (call in the heartbeat's transaction). A heartbeat
 * older than the one held (a retry arriving late) changes nothing but the reception time is not
 * moved back either.
 */
export async function updateBoxStatus(q: Queryable, heartbeat: Heartbeat, receivedAt: number): Promise<void> {
  const ts = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  await q.query(
    `INSERT INTO box_status (box_id, first_heartbeat_at, last_heartbeat_at, received_at, buffer_depth, oldest_unsent_at,
                             last_bracelet_contact_at, bracelet_battery, modem_registered, modem_signal, disk_free_bytes,
                             software, config_version, selftest_at, selftest_failed, metrics)
     VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14::text[], $15::jsonb)
     ON CONFLICT (box_id) DO UPDATE SET
       last_heartbeat_at = EXCLUDED.last_heartbeat_at, received_at = EXCLUDED.received_at,
       buffer_depth = EXCLUDED.buffer_depth, oldest_unsent_at = EXCLUDED.oldest_unsent_at,
       last_bracelet_contact_at = EXCLUDED.last_bracelet_contact_at, bracelet_battery = EXCLUDED.bracelet_battery,
       modem_registered = EXCLUDED.modem_registered, modem_signal = EXCLUDED.modem_signal,
       disk_free_bytes = EXCLUDED.disk_free_bytes, software = EXCLUDED.software,
       config_version = coalesce(EXCLUDED.config_version, box_status.config_version),
       -- A heartbeat from a box that does not report its self-test keeps the last one known.
       selftest_at = coalesce(EXCLUDED.selftest_at, box_status.selftest_at),
       selftest_failed = CASE WHEN EXCLUDED.selftest_at IS NULL THEN box_status.selftest_failed ELSE EXCLUDED.selftest_failed END,
       metrics = EXCLUDED.metrics
     WHERE box_status.last_heartbeat_at <= EXCLUDED.last_heartbeat_at`,
    [
      heartbeat.boxId,
      ts(heartbeat.at),
      ts(receivedAt),
      heartbeat.bufferDepth,
      ts(heartbeat.oldestUnsentAt),
      ts(heartbeat.lastBraceletContactAt),
      heartbeat.braceletBattery,
      heartbeat.modem.registered,
      heartbeat.modem.signal,
      heartbeat.diskFreeBytes,
      JSON.stringify(heartbeat.software),
      heartbeat.configVersion ?? null,
      heartbeat.selftest ? ts(heartbeat.selftest.at) : null,
      heartbeat.selftest ? [...heartbeat.selftest.failed] : null,
      heartbeat.metrics === undefined ? null : JSON.stringify(heartbeat.metrics),
    ],
  );
}

interface StatusRow {
  box_id: string;
  patient_id: string | null;
  last_heartbeat_at: Date;
  received_at: Date;
  buffer_depth: number;
  oldest_unsent_at: Date | null;
  last_bracelet_contact_at: Date | null;
  bracelet_battery: number | null;
  modem_registered: boolean;
  modem_signal: number | null;
  disk_free_bytes: number | null;
  software: Heartbeat['software'];
  config_version: number | null;
  config_local_changes: boolean;
  selftest_at: Date | null;
  selftest_failed: string[] | null;
}

/** Every box's latest health (boxes that never sent a heartbeat are absent), for the fleet view. */
export async function listBoxStatuses(q: Queryable, options: { boxIds?: readonly string[] } = {}): Promise<BoxStatus[]> {
  const { rows } = await q.query<StatusRow>(
    `SELECT s.*, (SELECT patient_id FROM box_assignments a WHERE a.box_id = s.box_id AND a.valid_to IS NULL) AS patient_id
     FROM box_status s WHERE $1::text[] IS NULL OR s.box_id = ANY($1::text[]) ORDER BY s.box_id`,
    [options.boxIds ? [...options.boxIds] : null],
  );
  const ms = (d: Date | null) => d?.getTime() ?? null;
  return rows.map((r) => ({
    boxId: r.box_id,
    patientId: r.patient_id,
    lastHeartbeatAt: r.last_heartbeat_at.getTime(),
    receivedAt: r.received_at.getTime(),
    bufferDepth: r.buffer_depth,
    oldestUnsentAt: ms(r.oldest_unsent_at),
    lastBraceletContactAt: ms(r.last_bracelet_contact_at),
    braceletBattery: r.bracelet_battery,
    modemRegistered: r.modem_registered,
    modemSignal: r.modem_signal,
    diskFreeBytes: r.disk_free_bytes,
    software: r.software,
    configVersion: r.config_version,
    configLocalChanges: r.config_local_changes,
    selfTest: r.selftest_at ? { at: r.selftest_at.getTime(), failed: r.selftest_failed ?? [] } : null,
  }));
}
