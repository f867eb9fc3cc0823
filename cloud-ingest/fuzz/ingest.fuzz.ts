/**
 * `npm run fuzz:ingest` (issue 10, finding 5): the wire-schema properties and the ingest-route
 * properties, 100,000 cases each by default, against a migrated database of its own (PGlite, or a
 * fresh database on PostgreSQL with DATABASE_URL, dropped afterwards). Prints and records the
 * figures in `bench/results/fuzz-ingest-<date>.json`: answers by status (0 must be 5xx), valid
 * readings sent and stored (checked in the database, each exactly once), invalid ones refused alone.
 *
 *     npx tsx cloud-ingest/fuzz/ingest.fuzz.ts [--runs 100000] [--seed S] [--only TEXT] [--path P]
 */
import { fuzzOptionsFromArgv, runFuzzCampaign } from '@vigie/common/fuzz';
import { wireSchemaProperties } from '@vigie/protocol/fuzz/wire-properties.ts';
import { recordResults } from '../../bench/lib/results.ts';
import { openTestDb } from '@vigie/cloud-store/testing';
import { ingestFuzzWorld } from './ingest-properties.ts';

const options = fuzzOptionsFromArgv();
const db = await openTestDb();
const world = await ingestFuzzWorld(db, { checkEachBatch: false });
let failed = false;
try {
  const outcomes = await runFuzzCampaign('ingest: wire schemas, telemetry batches, alerts and heartbeats', 'cloud-ingest/fuzz/ingest.fuzz.ts', [
    ...wireSchemaProperties(),
    ...world.properties,
  ], options);
  failed = outcomes.some((o) => !o.passed);
  let databaseCheck = 'passed';
  try {
    await world.finalCheck();
  } catch (err) {
    databaseCheck = (err as Error).message;
    failed = true;
  }
  const f = world.figures;
  console.log(
    `batches ${f.batches.toLocaleString('en')} (${f.envelopesRefused.toLocaleString('en')} refused whole, ${f.batchesWithMixedReadings.toLocaleString('en')} mixing valid and invalid readings, ${f.duplicatesSent.toLocaleString('en')} resent), ` +
      `alerts ${f.alerts.toLocaleString('en')}, heartbeats ${f.heartbeats.toLocaleString('en')}; answers 5xx: ${f.answers5xx}; ` +
      `valid readings sent ${f.validReadingsSent.toLocaleString('en')}, stored ${f.validReadingsStored.toLocaleString('en')} (database check: ${databaseCheck}); ` +
      `invalid readings sent ${f.invalidReadingsSent.toLocaleString('en')}, refused alone ${f.invalidReadingsRefused.toLocaleString('en')}`,
  );
  console.log(`status codes: ${JSON.stringify(f.statuses)}`);
  const file = recordResults('fuzz-ingest', {
    database: db.databaseUrl ? 'postgresql' : 'pglite',
    seed: options.seed,
    runsPerProperty: options.runs,
    properties: outcomes.map((o) => ({ name: o.name, runs: o.runs, seconds: Math.round(o.ms) / 1000, passed: o.passed })),
    figures: f,
    databaseCheck,
    targets: { answers5xx: 0, validReadingsStoredExactlyOnce: true },
    met: !failed && f.answers5xx === 0 && f.validReadingsStored === f.validReadingsSent,
  });
  console.log(`recorded in ${file}`);
} finally {
  await world.close();
  await db.close();
}
process.exitCode = failed ? 1 : 0;
