/**
 * The cloud side of test/kill-replay.test.ts: one cloud-ingest Kafka consumer (group `vigie-ingest`)
 * on PostgreSQL. Prints `tx` after every committed telemetry transaction so the test can kill it
 * mid-batch.
 *
 *     tsx ingest.ts <database url> <brokers,…> <chunk size>
 */
import { openPgDb, type Db } from '../../cloud-store/src/db/index.ts';
import { KafkaIngestConsumer } from '../../cloud-ingest/src/kafka/ingest-consumer.ts';
import { createLogger } from '@vigie/common';

const [url, brokers, chunkSize] = process.argv.slice(2);
const pgDb = await openPgDb({ connectionString: url!, max: 4 });
const db: Db = {
  ...pgDb,
  transaction: async (fn) => {
    const result = await pgDb.transaction(fn);
    process.stdout.write('tx\n');
    return result;
  },
};
const consumer = new KafkaIngestConsumer({
  db,
  kafka: { brokers: brokers!.split(','), clientId: 'kill-replay-ingest', groupId: 'vigie-ingest', ssl: false },
  chunkSize: Number(chunkSize),
  log: createLogger('kill-replay-ingest', { level: 'warn' }),
  // The mock cluster refuses less than 6 s (Kafka's group.min.session.timeout.ms): a killed
  // instance holds its partitions that long, so each consumer kill costs ~6-9 s of the run.
  sessionTimeoutMs: 6_000,
});
await consumer.start();
process.stdout.write('started\n');
