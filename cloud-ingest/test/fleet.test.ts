/**
 * Heartbeats for the fleet (box_status, retention) and the silence detector's "no data" events,
 * on a migrated database (PGlite, or PostgreSQL when DATABASE_URL is set).
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Heartbeat } from '@vigie/protocol';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { detectSilence, pruneHeartbeats } from '../src/index.ts';
import { EVENTS_CHANNEL, listBoxStatuses, listOpenFleetEvents, migrate, MIGRATIONS_DIR, parseDbEvent, type FleetChangedEvent } from '@vigie/cloud-store';
import { recordHeartbeat } from '../src/pipeline/heartbeat-intake.ts';
import { countRows, createBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;

let db: TestDb;
const notices: FleetChangedEvent[] = [];

function heartbeat(boxId: string, at: number, overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    v: 1, boxId, at, software: { box: '0.1.0' }, bufferDepth: 12, oldestUnsentAt: at - 5 * MIN,
    lastBraceletContactAt: at - MIN, braceletBattery: 80, modem: { registered: true, signal: 17 }, diskFreeBytes: 1e9,
    ...overrides,
  };
}

/** A box serving a fresh patient since `since`. */
async function servingBox(since = T0 - 60 * MIN) {
  const patientId = await createPatient(db);
  return createBox(db, { patientId, since });
}

const eventsOf = async (boxId: string) => (await listOpenFleetEvents(db, { boxId })).map((e) => e.kind).sort();

before(async () => {
  db = await openTestDb();
  await db.listen(EVENTS_CHANNEL, (payload) => {
    const e = parseDbEvent(payload);
    if (e?.type === 'fleet') notices.push(e);
  });
});

after(async () => {
  await db.close();
});

describe('box_status', () => {
  test('keeps each box latest health from its heartbeats, never moved back by a late one', async () => {
    const box = await servingBox();
    await recordHeartbeat(db, heartbeat(box.boxId, T0, { configVersion: 3 }), box.boxId, T0 + 1_000);
    await recordHeartbeat(db, heartbeat(box.boxId, T0 + 5 * MIN, { bufferDepth: 0, braceletBattery: 79 }), box.boxId, T0 + 5 * MIN + 800);
    await recordHeartbeat(db, heartbeat(box.boxId, T0 + 2 * MIN, { bufferDepth: 999 }), box.boxId, T0 + 6 * MIN);
    const [status] = await listBoxStatuses(db, { boxIds: [box.boxId] });
    assert.deepEqual(
      {
        lastHeartbeatAt: status!.lastHeartbeatAt, receivedAt: status!.receivedAt, bufferDepth: status!.bufferDepth,
        battery: status!.braceletBattery, signal: status!.modemSignal, configVersion: status!.configVersion, patientId: status!.patientId,
      },
      { lastHeartbeatAt: T0 + 5 * MIN, receivedAt: T0 + 5 * MIN + 800, bufferDepth: 0, battery: 79, signal: 17, configVersion: 3, patientId: box.patientId },
    );
    assert.equal(await countRows(db, 'heartbeats', 'box_id = $1', [box.boxId]), 3, 'the raw history keeps all three');
  });

  test('stores a redelivered heartbeat once, and it does not make a silent box look alive', async () => {
    const box = await servingBox();
    const hb = heartbeat(box.boxId, T0);
    await recordHeartbeat(db, hb, box.boxId, T0 + 500);
    await detectSilence(db, { now: T0 + 20 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), ['box_silent']);
    // Kafka redelivers the same heartbeat 25 minutes later (a consumer restarted).
    await recordHeartbeat(db, hb, box.boxId, T0 + 25 * MIN);
    assert.equal(await countRows(db, 'heartbeats', 'box_id = $1', [box.boxId]), 1);
    const [status] = await listBoxStatuses(db, { boxIds: [box.boxId] });
    assert.equal(status!.receivedAt, T0 + 500, 'box_status still dates from the first reception');
    await detectSilence(db, { now: T0 + 26 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), ['box_silent'], 'still silent');
  });

  test('prunes raw heartbeats older than the retention, keeping younger ones and box_status', async () => {
    const box = await servingBox();
    const now = T0 + 40 * 86_400_000;
    for (const daysAgo of [45, 31, 29, 1]) await recordHeartbeat(db, heartbeat(box.boxId, now - daysAgo * 86_400_000), box.boxId, now - daysAgo * 86_400_000);
    await pruneHeartbeats(db, { now, retentionDays: 30 });
    assert.equal(await countRows(db, 'heartbeats', 'box_id = $1', [box.boxId]), 2);
    assert.equal(await countRows(db, 'heartbeats', 'at < $1', [new Date(now - 30 * 86_400_000).toISOString()]), 0);
    assert.equal((await listBoxStatuses(db, { boxIds: [box.boxId] })).length, 1);
  });
});

describe('silence detector', () => {
  test('raises box_silent once after 15 minutes without a heartbeat, and resolves it when one arrives', async () => {
    const box = await servingBox();
    await recordHeartbeat(db, heartbeat(box.boxId, T0), box.boxId, T0);
    await detectSilence(db, { now: T0 + 14 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), []);
    const first = await detectSilence(db, { now: T0 + 16 * MIN });
    assert.deepEqual(first.raised.filter((e) => e.boxId === box.boxId).map((e) => [e.kind, e.since, e.patientId]), [['box_silent', T0, box.patientId]]);
    for (const m of [17, 18, 60]) await detectSilence(db, { now: T0 + m * MIN });
    assert.equal(await countRows(db, 'fleet_events', 'box_id = $1', [box.boxId]), 1, 'raised once, not every minute');
    // On PostgreSQL notifications come through the listener connection: wait for them.
    const noticesOf = () => notices.filter((n) => n.boxId === box.boxId);
    await waitUntil(() => noticesOf().length >= 1, 'the raise notified');
    assert.deepEqual(noticesOf().map((n) => [n.kind, n.state]), [['box_silent', 'open']]);
    await recordHeartbeat(db, heartbeat(box.boxId, T0 + 61 * MIN), box.boxId, T0 + 61 * MIN);
    const back = await detectSilence(db, { now: T0 + 62 * MIN });
    assert.deepEqual(back.resolved.filter((e) => e.boxId === box.boxId).map((e) => [e.kind, e.resolvedAt]), [['box_silent', T0 + 62 * MIN]]);
    assert.deepEqual(await eventsOf(box.boxId), []);
    await waitUntil(() => noticesOf().length >= 2, 'the resolution notified');
    assert.deepEqual(noticesOf().map((n) => n.state), ['open', 'resolved']);
    // Silent again later: a new event.
    await detectSilence(db, { now: T0 + 80 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), ['box_silent']);
    assert.equal(await countRows(db, 'fleet_events', 'box_id = $1', [box.boxId]), 2);
  });

  test('a box that never sent a heartbeat is silent from its assignment; a box in stock never is', async () => {
    const box = await servingBox(T0);
    const stock = await createBox(db);
    await detectSilence(db, { now: T0 + 10 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), []);
    await detectSilence(db, { now: T0 + 16 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), ['box_silent']);
    assert.deepEqual(await eventsOf(stock.boxId), []);
  });

  test('raises bracelet_silent for a heard box whose bracelet is silent 30 minutes, whatever the box clock, and resolves it', async () => {
    const box = await servingBox();
    // The box clock is 3 hours behind; its bracelet was last heard 31 minutes before the heartbeat.
    const skew = -3 * 60 * MIN;
    await recordHeartbeat(db, heartbeat(box.boxId, T0 + skew, { lastBraceletContactAt: T0 + skew - 31 * MIN }), box.boxId, T0);
    const pass = await detectSilence(db, { now: T0 + MIN });
    const raised = pass.raised.filter((e) => e.boxId === box.boxId);
    assert.deepEqual(raised.map((e) => [e.kind, e.since]), [['bracelet_silent', T0 - 31 * MIN]]);
    await recordHeartbeat(db, heartbeat(box.boxId, T0 + skew + 5 * MIN, { lastBraceletContactAt: T0 + skew - 31 * MIN }), box.boxId, T0 + 5 * MIN);
    await detectSilence(db, { now: T0 + 6 * MIN });
    assert.equal(await countRows(db, 'fleet_events', 'box_id = $1', [box.boxId]), 1, 'still the same event');
    await recordHeartbeat(db, heartbeat(box.boxId, T0 + skew + 10 * MIN, { lastBraceletContactAt: T0 + skew + 9 * MIN }), box.boxId, T0 + 10 * MIN);
    const back = await detectSilence(db, { now: T0 + 11 * MIN });
    assert.deepEqual(back.resolved.filter((e) => e.boxId === box.boxId).map((e) => e.kind), ['bracelet_silent']);
    assert.deepEqual(await eventsOf(box.boxId), []);
  });

  test('a bracelet in contact raises nothing; a silent box does not also raise bracelet_silent', async () => {
    const box = await servingBox();
    await recordHeartbeat(db, heartbeat(box.boxId, T0, { lastBraceletContactAt: T0 - 2 * MIN }), box.boxId, T0);
    await detectSilence(db, { now: T0 + 5 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), []);
    await detectSilence(db, { now: T0 + 40 * MIN });
    assert.deepEqual(await eventsOf(box.boxId), ['box_silent']);
  });

  test('lists the open events of given patients only', async () => {
    const a = await servingBox(T0);
    const b = await servingBox(T0);
    await detectSilence(db, { now: T0 + 20 * MIN });
    const mine = await listOpenFleetEvents(db, { patientIds: [a.patientId] });
    assert.deepEqual(mine.map((e) => e.boxId), [a.boxId]);
    const all = await listOpenFleetEvents(db);
    assert.ok(all.some((e) => e.boxId === b.boxId));
  });
});

describe('migration 0007', () => {
  test('keeps one copy of heartbeats stored twice before it, the first received', async (t) => {
    const dir = tempDir();
    const fresh = await openTestDb({ fresh: true });
    t.after(async () => {
      await fresh.close();
      dir.cleanup();
    });
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f < '0007')) copyFileSync(join(MIGRATIONS_DIR, file), join(dir.path, file));
    await migrate(fresh, { dir: dir.path });
    const box = await createBox(fresh);
    const hb = heartbeat(box.boxId, T0);
    for (const receivedAt of [T0 + 2_000, T0 + 1_000, T0 + 3_000]) {
      await fresh.query('INSERT INTO heartbeats (box_id, at, received_at, payload) VALUES ($1, $2, $3, $4::jsonb)', [
        box.boxId, new Date(T0).toISOString(), new Date(receivedAt).toISOString(), JSON.stringify(hb),
      ]);
    }
    await fresh.query('INSERT INTO heartbeats (box_id, at, received_at, payload) VALUES ($1, $2, $3, $4::jsonb)', [
      box.boxId, new Date(T0 + MIN).toISOString(), new Date(T0 + MIN).toISOString(), JSON.stringify(heartbeat(box.boxId, T0 + MIN)),
    ]);
    assert.equal((await migrate(fresh))[0], '0007_fleet_quality.sql');
    const { rows } = await fresh.query<{ at: Date; received_at: Date }>('SELECT at, received_at FROM heartbeats WHERE box_id = $1 ORDER BY at', [box.boxId]);
    assert.deepEqual(rows.map((r) => [r.at.getTime(), r.received_at.getTime()]), [[T0, T0 + 1_000], [T0 + MIN, T0 + MIN]]);
  });
});
