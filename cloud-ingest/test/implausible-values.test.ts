/**
 * The faulty-sensor flag: a box whose bracelet sends an abnormal share of implausible values gets
 * an `implausible_values` fleet event (through the real ingest pipeline), resolved once its values
 * are plausible again; and refused readings expire with the measurements.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEMA_VERSION, type Reading } from '@vigie/protocol';
import { waitUntil } from '@vigie/common/testing';
import { detectImplausibleValues, FleetWatch } from '../src/index.ts';
import { EVENTS_CHANNEL, listOpenFleetEvents, maintainPartitions, parseDbEvent, type FleetChangedEvent } from '@vigie/cloud-store';
import { TelemetryPipeline } from '../src/pipeline/telemetry-pipeline.ts';
import { countRows, createBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;

let db: TestDb;
let now = T0;
let pipeline: TelemetryPipeline;
const notices: FleetChangedEvent[] = [];

before(async () => {
  db = await openTestDb();
  pipeline = new TelemetryPipeline({ db, now: () => now });
  await db.listen(EVENTS_CHANNEL, (payload) => {
    const e = parseDbEvent(payload);
    if (e?.type === 'fleet') notices.push(e);
  });
});
after(() => db.close());

/** A box serving a fresh patient, and a sender of its batches (`bad` of `n` heart rates at 300 bpm). */
async function box() {
  const patientId = await createPatient(db);
  const b = await createBox(db, { patientId, since: T0 - 24 * 60 * MIN });
  let seq = 0;
  return {
    ...b,
    patientId,
    async send(n: number, bad: number, at: number) {
      now = at;
      const readings: Reading[] = Array.from({ length: n }, (_, i) => ({ metric: 'heart_rate', ts: at - (n - i) * 1_000, value: i < bad ? 300 : 72, periodS: 120 }));
      const receipt = await pipeline.process({ v: SCHEMA_VERSION, boxId: b.boxId, seq: seq++, createdAt: at, readings }, b.boxId);
      assert.equal(receipt.accepted, n - bad);
    },
  };
}

const openKinds = async (boxId: string) => (await listOpenFleetEvents(db, { boxId })).map((e) => e.kind);

describe('implausible values', () => {
  test('flags a box above both thresholds once, with the first bad value as "since", and resolves it when the window is clean', async () => {
    const faulty = await box();
    await faulty.send(100, 12, T0); // 12 %, 12 values
    await faulty.send(100, 0, T0 + 10 * MIN);
    const pass = await detectImplausibleValues(db, { now: T0 + 11 * MIN });
    assert.deepEqual(
      pass.raised.filter((e) => e.boxId === faulty.boxId).map((e) => [e.kind, e.since, e.patientId]),
      [['implausible_values', T0, faulty.patientId]],
    );
    await detectImplausibleValues(db, { now: T0 + 12 * MIN });
    assert.equal(await countRows(db, 'fleet_events', 'box_id = $1', [faulty.boxId]), 1, 'raised once, not every pass');
    await waitUntil(() => notices.some((n) => n.boxId === faulty.boxId && n.state === 'open'), 'the raise notified');

    // An hour later the bad batch has left the window: resolved.
    await faulty.send(100, 0, T0 + 65 * MIN);
    const later = await detectImplausibleValues(db, { now: T0 + 66 * MIN });
    assert.deepEqual(later.resolved.filter((e) => e.boxId === faulty.boxId).map((e) => [e.kind, e.resolvedAt]), [['implausible_values', T0 + 66 * MIN]]);
    assert.deepEqual(await openKinds(faulty.boxId), []);
    await waitUntil(() => notices.some((n) => n.boxId === faulty.boxId && n.state === 'resolved'), 'the resolution notified');
  });

  test('does not flag a few odd values, nor a small share of many, nor refusals that are not the sensor', async () => {
    const fewOdd = await box();
    await fewOdd.send(20, 9, T0); // 45 % but only 9 values: under the count threshold
    const smallShare = await box();
    for (let i = 0; i < 5; i++) await smallShare.send(100, 4, T0 + i * MIN); // 20 values but 4 %
    const wrongClock = await box();
    now = T0 + 2 * MIN;
    // Timestamps two days in the future: the box's clock, not its sensor.
    await pipeline.process(
      { v: SCHEMA_VERSION, boxId: wrongClock.boxId, seq: 0, createdAt: now, readings: Array.from({ length: 50 }, (_, i) => ({ metric: 'heart_rate', ts: now + 2 * 24 * 60 * MIN + i, value: 72, periodS: 120 })) },
      wrongClock.boxId,
    );
    await detectImplausibleValues(db, { now: T0 + 6 * MIN });
    for (const b of [fewOdd, smallShare, wrongClock]) assert.deepEqual(await openKinds(b.boxId), [], b.boxId);
    // The same share with stricter thresholds (VIGIE_IMPLAUSIBLE_RATE_PERCENT=3) flags the second box.
    await detectImplausibleValues(db, { now: T0 + 6 * MIN, thresholds: { ratePercent: 3 } });
    assert.deepEqual(await openKinds(smallShare.boxId), ['implausible_values']);
    assert.deepEqual(await openKinds(fewOdd.boxId), []);
  });

  test('runs in the fleet watch next to the silence detector', async () => {
    const faulty = await box();
    await faulty.send(50, 50, T0 + 3 * 60 * MIN);
    const watch = new FleetWatch({ db, now: () => T0 + 3 * 60 * MIN + MIN });
    await watch.runOnce();
    assert.deepEqual((await openKinds(faulty.boxId)).sort(), ['box_silent', 'implausible_values'], 'no heartbeat either: silent too');
  });

  test('refused readings expire with the measurements', async () => {
    const old = await box();
    await old.send(10, 10, T0 - 400 * 24 * 60 * MIN);
    const before = await countRows(db, 'rejected_readings', 'box_id = $1', [old.boxId]);
    assert.equal(before, 10);
    const result = await maintainPartitions(db, { now: T0, retentionMonths: 12 });
    assert.ok(result.refusalsDeleted >= 10);
    assert.equal(await countRows(db, 'rejected_readings', 'box_id = $1', [old.boxId]), 0);
    assert.ok((await countRows(db, 'rejected_readings')) > 0, 'younger refusals stay');
  });
});
