import { MAX_EPOCH_MS, METRIC_UNITS, type Reading, type TelemetryBatch } from '@vigie/protocol';
import { EVENTS_CHANNEL, insertMeasurements, type Db, type MeasurementRow, type Queryable, type ReadingsEvent } from '@vigie/cloud-store';
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
  return (await writeTelemetryMany(db, [{ batch, verdicts }], receivedAt))[0]!;
}

/**
 * One validated and filtered batch, ready for the write stage. Where `verdicts[i]` is
 * `invalid_reading`, `batch.readings[i]` is whatever the box sent (not a valid Reading) and
 * `fields[i]` the JSON pointer of its first failing field.
 */
export interface FilteredBatch {
  readonly batch: TelemetryBatch;
  readonly verdicts: ReadonlyArray<RejectReason | null>;
  readonly fields?: ReadonlyArray<string | null>;
}

/**
 * The `write` stage for several batches in ONE transaction (the Kafka consumer writes a chunk of
 * messages at once): every batch claims its `(boxId, seq)` in the same transaction as every row, so
 * the whole chunk is written once or not at all, and a batch already claimed (or repeated inside the
 * chunk) writes nothing. One claim statement, one measurements statement, one rejected-readings
 * statement and one notify statement whatever the number of batches. Outcomes are in input order.
 */
export async function writeTelemetryMany(db: Db, items: readonly FilteredBatch[], receivedAt: number): Promise<WriteOutcome[]> {
  if (items.length === 0) return [];
  return db.transaction(async (tx) => {
    const assignments = await loadAssignments(tx, items);
    const seen = new Set<string>();
    const plans = items.map(({ batch, verdicts, fields }) => {
      const key = `${batch.boxId}\u0000${batch.seq}`;
      const repeated = seen.has(key);
      seen.add(key);
      const mine = assignments.get(batch.boxId) ?? [];
      const accepted: MeasurementRow[] = [];
      const rejected: RejectedReading[] = [];
      batch.readings.forEach((reading, position) => {
        const verdict = verdicts[position] ?? null;
        const patientId = verdict === null ? patientAt(mine, reading.ts) : null;
        if (patientId === null) {
          const kept = verdict === 'invalid_reading' ? salvage(reading) : reading;
          rejected.push({ boxId: batch.boxId, seq: batch.seq, position, reading: kept, reason: verdict ?? 'no_assignment', field: fields?.[position] ?? null });
          return;
        }
        const { metric, ts, value } = reading;
        accepted.push({ patientId, boxId: batch.boxId, metric, ts, value, periodS: reading.periodS ?? null });
      });
      return { batch, key, repeated, accepted, rejected };
    });

    const candidates = plans.filter((p) => !p.repeated);
    const at = new Date(receivedAt).toISOString();
    const { rows: claimedRows } = await tx.query<{ box_id: string; seq: number }>(
      `INSERT INTO telemetry_batches (box_id, seq, received_at, reading_count, accepted_count, rejected_count)
       SELECT b, s, $3::timestamptz, r, a, j FROM unnest($1::text[], $2::int8[], $4::int[], $5::int[], $6::int[]) AS t(b, s, r, a, j)
       ON CONFLICT (box_id, seq) DO NOTHING
       RETURNING box_id, seq`,
      [
        candidates.map((p) => p.batch.boxId),
        candidates.map((p) => p.batch.seq),
        at,
        candidates.map((p) => p.batch.readings.length),
        candidates.map((p) => p.accepted.length),
        candidates.map((p) => p.rejected.length),
      ],
    );
    const claimed = new Set(claimedRows.map((r) => `${r.box_id}\u0000${Number(r.seq)}`));
    const written = candidates.filter((p) => claimed.has(p.key));

    await insertMeasurements(tx, written.flatMap((p) => p.accepted));
    await insertRejected(tx, written.flatMap((p) => p.rejected), receivedAt);
    const outcomes = new Map<string, WriteOutcome>();
    const events: string[] = [];
    for (const p of written) {
      const patients = summarise(p.accepted);
      for (const s of patients) events.push(JSON.stringify({ type: 'readings', boxId: p.batch.boxId, ...s } satisfies ReadingsEvent));
      outcomes.set(p.key, { duplicate: false, accepted: p.accepted.length, rejected: p.rejected.length, patients });
    }
    await notifyEvents(tx, events);
    const duplicate: WriteOutcome = { duplicate: true, accepted: 0, rejected: 0, patients: [] };
    // A key repeated inside the chunk is a duplicate of its first occurrence.
    return plans.map((p) => (p.repeated ? duplicate : (outcomes.get(p.key) ?? duplicate)));
  });
}

interface RejectedReading {
  readonly boxId: string;
  readonly seq: number;
  readonly position: number;
  /** A schema-invalid reading keeps only its valid fields (the others are stored as NULL). */
  readonly reading: Reading | SalvagedReading;
  readonly reason: RejectReason;
  readonly field: string | null;
}

/** What can be stored of a reading that failed the schema: each field only if it is valid alone. */
interface SalvagedReading {
  readonly metric: string | null;
  readonly ts: number | null;
  readonly value: number | null;
  readonly periodS: number | null;
}

const METRICS: ReadonlySet<unknown> = new Set(Object.keys(METRIC_UNITS));

function salvage(raw: unknown): SalvagedReading {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const ts = r.ts;
  const value = r.value;
  const periodS = r.periodS;
  return {
    metric: METRICS.has(r.metric) ? (r.metric as string) : null,
    ts: Number.isInteger(ts) && (ts as number) >= 0 && (ts as number) <= MAX_EPOCH_MS ? (ts as number) : null,
    value: typeof value === 'number' && Number.isFinite(value) ? value : null,
    periodS: Number.isInteger(periodS) && (periodS as number) >= 1 && (periodS as number) <= 86_400 ? (periodS as number) : null,
  };
}

/** Every event of the chunk in one statement (delivered at commit, like notifyEvent). */
async function notifyEvents(tx: Queryable, events: readonly string[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query('SELECT pg_notify($1, e) FROM unnest($2::text[]) AS e', [EVENTS_CHANNEL, events]);
}

/** The assignments of every box of the chunk that overlap its readings, by box. */
async function loadAssignments(tx: Queryable, items: readonly FilteredBatch[]): Promise<Map<string, Assignment[]>> {
  let min = Infinity;
  let max = -Infinity;
  const boxes = new Set<string>();
  for (const { batch, verdicts } of items) {
    boxes.add(batch.boxId);
    // Only plausible readings need a patient (and a schema-invalid one may have no usable ts).
    batch.readings.forEach((r, i) => {
      if ((verdicts[i] ?? null) !== null) return;
      if (r.ts < min) min = r.ts;
      if (r.ts > max) max = r.ts;
    });
  }
  if (min > max) return new Map();
  const { rows } = await tx.query<{ box_id: string; patient_id: string; valid_from: Date; valid_to: Date | null }>(
    `SELECT box_id, patient_id, valid_from, valid_to FROM box_assignments
     WHERE box_id = ANY($1::text[]) AND valid_from <= $3 AND (valid_to IS NULL OR valid_to > $2)`,
    [[...boxes], new Date(min).toISOString(), new Date(max).toISOString()],
  );
  const byBox = new Map<string, Assignment[]>();
  for (const r of rows) {
    const list = byBox.get(r.box_id) ?? [];
    list.push({ patientId: r.patient_id, from: r.valid_from.getTime(), to: r.valid_to?.getTime() ?? null });
    byBox.set(r.box_id, list);
  }
  return byBox;
}

async function insertRejected(tx: Queryable, rejected: readonly RejectedReading[], receivedAt: number): Promise<void> {
  if (rejected.length === 0) return;
  await tx.query(
    `INSERT INTO rejected_readings (box_id, seq, received_at, position, metric, ts, value, period_s, reason, field)
     SELECT b, s, $1::timestamptz, p, m, t, v, ps, r, f
       FROM unnest($2::text[], $3::int8[], $4::int[], $5::text[], $6::timestamptz[], $7::float8[], $8::int[], $9::text[], $10::text[])
            AS x(b, s, p, m, t, v, ps, r, f)`,
    [
      new Date(receivedAt).toISOString(),
      rejected.map((r) => r.boxId),
      rejected.map((r) => r.seq),
      rejected.map((r) => r.position),
      rejected.map((r) => r.reading.metric),
      rejected.map((r) => (r.reading.ts === null ? null : new Date(r.reading.ts).toISOString())),
      rejected.map((r) => r.reading.value),
      rejected.map((r) => r.reading.periodS ?? null),
      rejected.map((r) => r.reason),
      rejected.map((r) => (r.field === null ? null : r.field.slice(0, 200))),
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
