/**
 * Properties of the HTTPS ingest routes under random, partly invalid input (issue 10, finding 5):
 * no answer is ever 5xx, a batch whose envelope is invalid is refused 4xx and stores nothing, and
 * every valid reading of a batch with invalid ones is stored exactly once (checked in the
 * database), the invalid ones refused alone with their field. Used by `ingest.fuzz.test.ts` (a few
 * thousand batches) and `npm run fuzz:ingest` (100,000).
 */
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FuzzProperty } from '@vigie/common/fuzz';
import { edgeAlert, edgeHeartbeat, invalidEnvelopeMutation, jsonText, readingCases } from '@vigie/protocol/fuzz/wire-arbitraries.ts';
import { ingestRoutes } from '../src/index.ts';
import { countRows, createBox, createPatient, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const DAY = 86_400_000;

/** What the campaign saw, for the figures. */
export interface IngestFuzzFigures {
  batches: number;
  duplicatesSent: number;
  alerts: number;
  heartbeats: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  answers5xx: number;
  validReadingsSent: number;
  validReadingsStored: number;
  invalidReadingsSent: number;
  invalidReadingsRefused: number;
  batchesWithMixedReadings: number;
  envelopesRefused: number;
}

/** An ingest app on `db` with one assigned box, and the properties that drive it. */
export interface IngestFuzzWorld {
  readonly properties: FuzzProperty[];
  readonly figures: IngestFuzzFigures;
  /** Whole-database check after a campaign: every valid reading sent is in `measurements` once. */
  finalCheck(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `checkEachBatch`: also check the database after every batch (the quick test); without it (the
 * 100,000-batch campaign, for time) each batch is checked by its receipt and the database once at
 * the end by `finalCheck`, which is as strict: every valid reading has its own instant, so the
 * stored instants must be exactly the instants sent, each once.
 */
export async function ingestFuzzWorld(db: TestDb, options: { checkEachBatch?: boolean } = {}): Promise<IngestFuzzWorld> {
  const checkEachBatch = options.checkEachBatch ?? true;
  const app: FastifyInstance = Fastify();
  await app.register(ingestRoutes, { db, now: () => NOW });
  await app.ready();
  const patientId = await createPatient(db);
  const box: BoxFixture = await createBox(db, { patientId, since: NOW - 30 * DAY });
  const other: BoxFixture = await createBox(db);
  const figures: IngestFuzzFigures = {
    batches: 0,
    duplicatesSent: 0,
    alerts: 0,
    heartbeats: 0,
    statuses: {},
    answers5xx: 0,
    validReadingsSent: 0,
    validReadingsStored: 0,
    invalidReadingsSent: 0,
    invalidReadingsRefused: 0,
    batchesWithMixedReadings: 0,
    envelopesRefused: 0,
  };
  let seq = 0;
  // Each valid reading gets its own instant (1 ms apart, from 29 days back): "stored once" is a
  // count per instant.
  const firstTs = NOW - 29 * DAY;
  let nextTs = firstTs;

  async function post(path: string, body: string, token = box.token): Promise<{ status: number; json: () => Record<string, unknown> }> {
    const res = await app.inject({
      method: 'POST',
      url: `/ingest/v1/${path}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: body,
    });
    figures.statuses[res.statusCode] = (figures.statuses[res.statusCode] ?? 0) + 1;
    if (res.statusCode >= 500) {
      figures.answers5xx++;
      throw new Error(`${path} answered ${res.statusCode}: ${res.body} to ${body.slice(0, 500)}`);
    }
    return { status: res.statusCode, json: () => res.json() as Record<string, unknown> };
  }

  async function storedAt(instants: readonly number[]): Promise<{ n: number; distinct: number }> {
    const { rows } = await db.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d FROM measurements WHERE box_id = $1 AND ts = ANY($2::timestamptz[])',
      [box.boxId, instants.map((t) => new Date(t).toISOString())],
    );
    return { n: rows[0]!.n, distinct: rows[0]!.d };
  }

  const batchCase = fc.record({
    readings: readingCases(8),
    // One batch in five has an invalid envelope.
    envelope: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: invalidEnvelopeMutation }),
    resend: fc.boolean(),
    asOtherBox: fc.integer({ min: 0, max: 49 }).map((n) => n === 0),
  });

  const batchProperty: FuzzProperty = {
    name: 'a random batch never answers 5xx; its valid readings are stored exactly once and its invalid ones refused alone',
    property: fc.asyncProperty(batchCase, async (c) => {
      figures.batches++;
      const thisSeq = seq++;
      const validTs: number[] = [];
      const readings = c.readings.map((r) => {
        if (!r.valid) return r.reading;
        const ts = nextTs++;
        validTs.push(ts);
        return { ...r.reading, ts };
      });
      const invalid = c.readings.length - validTs.length;
      const body: Record<string, unknown> = { v: 1, boxId: box.boxId, seq: thisSeq, createdAt: NOW, readings };
      c.envelope?.apply(body);
      const text = jsonText(body);
      const res = await post('telemetry', text, c.asOtherBox ? other.token : box.token);
      if (c.envelope || c.asOtherBox) {
        if (res.status < 400) throw new Error(`an invalid envelope (${c.envelope?.field ?? 'other box'}) answered ${res.status}`);
        if (checkEachBatch && (await storedAt(validTs)).n !== 0) throw new Error('a refused batch stored readings');
        figures.envelopesRefused++;
        return;
      }
      if (res.status !== 200) throw new Error(`a valid envelope answered ${res.status}: ${JSON.stringify(res.json())}`);
      if (res.json().accepted !== validTs.length) throw new Error(`accepted ${String(res.json().accepted)} of ${validTs.length} valid readings`);
      figures.validReadingsSent += validTs.length;
      figures.invalidReadingsSent += invalid;
      if (checkEachBatch) {
        const stored = await storedAt(validTs);
        if (stored.n !== validTs.length || stored.distinct !== validTs.length) {
          throw new Error(`stored ${stored.n} rows (${stored.distinct} instants) for ${validTs.length} valid readings`);
        }
        const refused = await countRows(db, 'rejected_readings', `box_id = $1 AND seq = $2 AND reason = 'invalid_reading' AND field LIKE '/readings/%'`, [
          box.boxId,
          thisSeq,
        ]);
        if (refused !== invalid) throw new Error(`${refused} readings refused as invalid for ${invalid} sent`);
      }
      if (invalid > 0 && validTs.length > 0) figures.batchesWithMixedReadings++;
      if (c.resend) {
        figures.duplicatesSent++;
        const again = await post('telemetry', text);
        if (again.status !== 200 || again.json().duplicate !== true) throw new Error(`a resent batch answered ${again.status} ${JSON.stringify(again.json())}`);
        if (checkEachBatch && (await storedAt(validTs)).n !== validTs.length) throw new Error('a resent batch stored its readings again');
      }
    }),
  };

  const alertsAndHeartbeats: FuzzProperty = {
    name: 'alerts and heartbeats with out-of-range integers and timestamps never answer 5xx',
    property: fc.asyncProperty(fc.oneof(edgeAlert(box.boxId, NOW).map((a) => ['alerts', a] as const), edgeHeartbeat(box.boxId, NOW).map((h) => ['heartbeats', h] as const)), async ([path, body]) => {
      if (path === 'alerts') figures.alerts++;
      else figures.heartbeats++;
      await post(path, jsonText(body));
    }),
  };

  return {
    properties: [batchProperty, alertsAndHeartbeats],
    figures,
    async finalCheck() {
      // Valid readings were sent at the instants [firstTs, nextTs), one each, those of refused
      // batches included: the stored ones must be distinct, inside that range, and as many as sent.
      const { rows } = await db.query<{ n: number; d: number; outside: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d,
                count(*) FILTER (WHERE ts < $2::timestamptz OR ts >= $3::timestamptz)::int AS outside
         FROM measurements WHERE box_id = $1`,
        [box.boxId, new Date(firstTs).toISOString(), new Date(nextTs).toISOString()],
      );
      const { n, d, outside } = rows[0]!;
      figures.validReadingsStored = n;
      if (n !== figures.validReadingsSent || d !== n || outside !== 0) {
        throw new Error(`the database holds ${n} readings (${d} instants, ${outside} outside the range sent) for ${figures.validReadingsSent} valid readings sent`);
      }
      figures.invalidReadingsRefused = await countRows(db, 'rejected_readings', `box_id = $1 AND reason = 'invalid_reading'`, [box.boxId]);
      if (figures.invalidReadingsRefused !== figures.invalidReadingsSent) {
        throw new Error(`${figures.invalidReadingsRefused} readings refused as invalid for ${figures.invalidReadingsSent} sent`);
      }
    },
    async close() {
      await app.close();
    },
  };
}
