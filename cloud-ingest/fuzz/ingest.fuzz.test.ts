import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { ingestFuzzWorld, type IngestFuzzWorld } from './ingest-properties.ts';

/**
 * The ingest-route fuzz properties, briefly, on every `npm test` (PGlite, or PostgreSQL with
 * DATABASE_URL): 1,500 random batches and 500 alerts and heartbeats with a fresh seed (printed by
 * fast-check on failure). `npm run fuzz:ingest` runs 100,000 of each.
 */
const QUICK_RUNS = { batches: 1_500, others: 500 };

let db: TestDb;
let world: IngestFuzzWorld;
before(async () => {
  db = await openTestDb();
  world = await ingestFuzzWorld(db);
});
after(async () => {
  await world?.close();
  await db?.close();
});

test('ingest routes under random batches', { timeout: 600_000 }, async (t) => {
  const [batches, others] = world.properties;
  await t.test(batches!.name, async () => {
    await fc.assert(batches!.property, { numRuns: QUICK_RUNS.batches });
  });
  await t.test(others!.name, async () => {
    await fc.assert(others!.property, { numRuns: QUICK_RUNS.others });
  });
  await t.test('every valid reading sent is in the database exactly once', async () => {
    await world.finalCheck();
    assert.equal(world.figures.answers5xx, 0);
    assert.ok(world.figures.batchesWithMixedReadings > 0, 'batches mixing valid and invalid readings were tried');
    assert.ok(world.figures.envelopesRefused > 0, 'invalid envelopes were tried');
  });
});
