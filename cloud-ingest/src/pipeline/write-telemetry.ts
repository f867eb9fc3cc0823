import type { Reading, TelemetryBatch } from '@vigie/protocol';
import { insertMeasurements, type MeasurementRow } from '../db/measurements.ts';
import { notifyEvent } from '../db/events.ts';
import type { Db, Queryable } from '../db/types.ts';
import type { RejectReason } from './plausibility.ts';

/** One period during which a box served a patient: [from, to), `to` null = still current. */
export interface Assignment {
  readonly patientId: string;
  readonly from: number;
  readonly to: number | null;
}

/** What the write stage did with one batch. */
export interface WriteOutcome {
  readonly duplicate: boolean;
  readonly accepted: number;
  readonly rejected: number;
  /** Rows written per patient (a batch can straddle a reassignment). */
  readonly patients: ReadonlyArray<{ patientId: string; count: number; firstTs: number; lastTs: number }>;
}

/** The patient the box served at `ts`, or null: a reading is never attached to a guessed patient. */
export function patientAt(assignments: readonly Assignment[], ts: number): string | null {
  for (const a of assignments) if (a.from <= ts && (a.to === null || ts < a.to)) return a.patientId;
  return null;
}

/**
 * The `write` stage: in ONE transaction, claim `(boxId, seq)` in `telemetry_batches` (a replay
 * finds it claimed and writes nothing else), write the accepted readings to the patient the box
 * served at each reading's time, record refused readings with their reason, and notify listeners
 * (delivered at commit). `verdicts[i]` is the filter stage's reason for refusing reading i, or null.
 */
export async function writeTelemetry(
  db: Db,
  batch: TelemetryBatch,
  verdicts: ReadonlyArray<RejectReason | null>,
  receivedAt: number,
): Promise<WriteOutcome> {
  return db.transaction(async (tx) => {
    const assignments = await loadAssignments(tx, batch.boxId, batch.readings);
    const accepted: MeasurementRow[] = [];
    const rejected: Array<{ position: number; reading: Reading; reason: RejectReason }> = [];
    batch.readings.forEach((reading, position) => {
      const verdict = verdicts[position] ?? null;
      const patientId = verdict === null ? patientAt(assignments, reading.ts) : null;
      if (patientId === null) {
        rejected.push({ position, reading, reason: verdict ?? 'no_assignment' });
        return;
      }
      const { metric, ts, value } = reading;
      accepted.push({ patientId, boxId: batch.boxId, metric, ts, value, periodS: reading.periodS ?? null });
    });

    const claim = await tx.query(
      `INSERT INTO telemetry_batches (box_id, seq, received_at, reading_count, accepted_count, rejected_count)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (box_id, seq) DO NOTHING`,
      [batch.boxId, batch.seq, new Date(receivedAt).toISOString(), batch.readings.length, accepted.length, rejected.length],
    );
    if (claim.rowCount === 0) return { duplicate: true, accepted: 0, rejected: 0, patients: [] };

    await insertMeasurements(tx, accepted);
    await insertRejected(tx, batch, rejected, receivedAt);
    const patients = summarise(accepted);
    for (const p of patients) await notifyEvent(tx, { type: 'readings', boxId: batch.boxId, ...p });
    return { duplicate: false, accepted: accepted.length, rejected: rejected.length, patients };
  });
}

async function loadAssignments(tx: Queryable, boxId: string, readings: readonly Reading[]): Promise<Assignment[]> {
  let min = Infinity;
  let max = -Infinity;
  for (const r of readings) {
    if (r.ts < min) min = r.ts;
    if (r.ts > max) max = r.ts;
  }
  const { rows } = await tx.query<{ patient_id: string; valid_from: Date; valid_to: Date | null }>(
    `SELECT patient_id, valid_from, valid_to FROM box_assignments
     WHERE box_id = $1 AND valid_from <= $3 AND (valid_to IS NULL OR valid_to > $2)`,
    [boxId, new Date(min).toISOString(), new Date(max).toISOString()],
  );
  return rows.map((r) => ({ patientId: r.patient_id, from: r.valid_from.getTime(), to: r.valid_to?.getTime() ?? null }));
}

async function insertRejected(
  tx: Queryable,
  batch: TelemetryBatch,
  rejected: ReadonlyArray<{ position: number; reading: Reading; reason: RejectReason }>,
  receivedAt: number,
): Promise<void> {
  if (rejected.length === 0) return;
  await tx.query(
    `INSERT INTO rejected_readings (box_id, seq, received_at, position, metric, ts, value, period_s, reason)
     SELECT $1::text, $2::int8, $3::timestamptz, * FROM unnest($4::int[], $5::text[], $6::timestamptz[], $7::float8[], $8::int[], $9::text[])`,
    [
      batch.boxId,
      batch.seq,
      new Date(receivedAt).toISOString(),
      rejected.map((r) => r.position),
      rejected.map((r) => r.reading.metric),
      rejected.map((r) => new Date(r.reading.ts).toISOString()),
      rejected.map((r) => r.reading.value),
      rejected.map((r) => r.reading.periodS ?? null),
      rejected.map((r) => r.reason),
    ],
  );
}

function summarise(rows: readonly MeasurementRow[]): Array<{ patientId: string; count: number; firstTs: number; lastTs: number }> {
  const byPatient = new Map<string, { patientId: string; count: number; firstTs: number; lastTs: number }>();
  for (const r of rows) {
    const s = byPatient.get(r.patientId);
    if (!s) byPatient.set(r.patientId, { patientId: r.patientId, count: 1, firstTs: r.ts, lastTs: r.ts });
    else {
      s.count++;
      if (r.ts < s.firstTs) s.firstTs = r.ts;
      if (r.ts > s.lastTs) s.lastTs = r.ts;
    }
  }
  return [...byPatient.values()];
}
