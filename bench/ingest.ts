/**
 * `npm run bench:ingest` (issue 4): the whole store-and-forward path's figures in one run.
 *
 * - Cloud side (`bench/ingest-kafka.ts`): sustained rows/s from Kafka (kcat mock cluster) into
 *   PostgreSQL 15 through the consumer group, and plain COPY of the same rows into an identical
 *   partitioned table; targets ≥ 25,000 rows/s and ≥ 50 % of COPY. Needs DATABASE_URL and kcat.
 * - Box side (`bench/box-buffer.ts`): buffer insert (target ≥ 50,000 readings/s) and replay
 *   (≥ 5,000 readings/s).
 *
 * Records everything in `bench/results/ingest-<date>.json`.
 *
 *     DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ingest [-- --readings 500000]
 */
import { parseArgs } from 'node:util';
import { benchKafkaIngest } from './ingest-kafka.ts';
import { runBoxBufferBench } from './box-buffer.ts';
import { recordResults } from './lib/results.ts';

const { values } = parseArgs({
  options: { readings: { type: 'string', default: '500000' }, rounds: { type: 'string', default: '3' }, 'skip-box': { type: 'boolean', default: false } },
});

const cloud = await benchKafkaIngest({ readings: Number(values.readings), rounds: Number(values.rounds) });
console.log(
  `cloud (median of ${cloud.rounds.length} rounds): Kafka → PostgreSQL ${cloud.kafkaRowsPerS} rows/s, COPY ${cloud.copyRowsPerS} rows/s, ` +
    `ratio ${cloud.ratio} (targets ≥ 25,000 rows/s and ≥ 0.5: ${cloud.met ? 'met' : 'NOT met'})`,
);
const figures = values['skip-box'] ? null : await runBoxBufferBench();
const box = figures && {
  ...figures,
  targets: { insertReadingsPerS: 50_000, replayReadingsPerS: 5_000 },
  // The real insert path is one reading per call; replay is judged over HTTP to the real cloud-ingest.
  met: figures.appendSingleReadingsPerSec >= 50_000 && (figures.replayHttpCloudIngestReadingsPerSec ?? 0) >= 5_000,
};
if (box) {
  console.log(
    `box: insert ${box.appendSingleReadingsPerSec} readings/s one at a time (${box.appendManyReadingsPerSec}/s in 1,000s), ` +
      `replay ${box.replayHttpCloudIngestReadingsPerSec} readings/s over HTTP to cloud-ingest (${box.replayNoopCloudReadingsPerSec}/s to a no-op cloud) ` +
      `(targets ≥ 50,000 and ≥ 5,000: ${box.met ? 'met' : 'NOT met'})`,
  );
}
console.log(`recorded in ${recordResults('ingest', { cloud, box })}`);
