/**
 * What the FHIR export reads from the store, as the rows `fhir-resources.ts` maps. Readings are read
 * in pages by time (keyset pagination) so a bulk export of months of readings streams in bounded
 * memory.
 */
import type { Queryable } from '@vigie/cloud-store';
import { OBSERVATION_KINDS, type AlertRowForFhir, type DeviceRow, type PatientRow, type ReadingRow } from './fhir-resources.ts';

/** The time window of an export: readings and alerts with `from ≤ t ≤ to` (epoch ms). */
export interface ExportWindow {
  readonly from: number;
  readonly to: number;
}

const EXPORTED_METRICS = Object.keys(OBSERVATION_KINDS);

export async function loadPatientRow(q: Queryable, patientId: string): Promise<PatientRow | null> {
  const { rows } = await q.query<PatientRow>('SELECT id, display_name, birth_year, deleted_at FROM patients WHERE id = $1 AND erased_at IS NULL', [patientId]);
  return rows[0] ?? null;
}

export async function loadDeviceRows(q: Queryable, patientId: string): Promise<DeviceRow[]> {
  const { rows } = await q.query<DeviceRow>(
    `SELECT 'bracelet' AS kind, bracelet_id AS serial, valid_from, valid_to FROM bracelet_assignments WHERE patient_id = $1
     UNION ALL
     SELECT 'box' AS kind, box_id AS serial, valid_from, valid_to FROM box_assignments WHERE patient_id = $1
     ORDER BY valid_from, serial`,
    [patientId],
  );
  return rows;
}

/** Each device once (a device assigned twice to the same patient is one resource), latest period kept. */
export function distinctDevices(rows: readonly DeviceRow[]): DeviceRow[] {
  const byKey = new Map<string, DeviceRow>();
  for (const row of rows) byKey.set(`${row.kind}:${row.serial}`, row);
  return [...byKey.values()];
}

export async function loadAlertRows(q: Queryable, patientId: string, window: ExportWindow): Promise<AlertRowForFhir[]> {
  const { rows } = await q.query<AlertRowForFhir>(
    `SELECT alert_id, kind, severity, state, raised_at, acknowledgement FROM alerts
     WHERE patient_id = $1 AND raised_at >= $2 AND raised_at <= $3 ORDER BY raised_at, alert_id`,
    [patientId, new Date(window.from), new Date(window.to)],
  );
  return rows;
}

/** The patient's exported readings in the window, oldest first, `pageSize` at a time. */
export async function* readingPages(q: Queryable, patientId: string, window: ExportWindow, pageSize = 5_000): AsyncGenerator<ReadingRow[]> {
  let after = new Date(window.from - 1);
  let afterMetric = '';
  for (;;) {
    const { rows } = await q.query<ReadingRow>(
      `SELECT metric, ts, value, period_s FROM measurements
       WHERE patient_id = $1 AND metric = ANY($2::text[]) AND ts <= $4 AND (ts, metric) > ($3, $5)
       ORDER BY ts, metric LIMIT $6`,
      [patientId, EXPORTED_METRICS, after, new Date(window.to), afterMetric, pageSize],
    );
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1]!;
    after = last.ts;
    afterMetric = last.metric;
    if (rows.length < pageSize) return;
  }
}
