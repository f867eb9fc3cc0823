/**
 * Cloud side of `npm run bench:ingest`: sustained rows/s from Kafka into PostgreSQL 15 through the
 * real consumer group (`KafkaIngestConsumer`: authenticate, validate, filter, write, commit), and
 * the same rows loaded by plain COPY (pg-copy-streams) into an identical fresh partitioned table,
 * in the same run. Targets (issue 4): ≥ 25,000 rows/s and ≥ 50 % of COPY.
 *
 * Needs DATABASE_URL (a server where a scratch database is created and dropped) and Debian's kcat
 * (the Kafka-protocol mock cluster). Run alone: `npx tsx bench/ingest-kafka.ts [--readings N]`.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createLogger, silentLogger } from '@vigie/common';
import { startKafkaMock } from '@vigie/common/testing';
import { KAFKA_HEADERS, KAFKA_TOPICS, SCHEMA_VERSION } from '@vigie/protocol';
import { KafkaIngestConsumer } from '../cloud-ingest/src/kafka/ingest-consumer.ts';
import type { Db } from '../cloud-store/src/db/types.ts';
import { countRows, createBox, createPatient, openTestDb, signBoxMessage } from '../cloud-store/src/testing.ts';

/** Options of {@link benchKafkaIngest}. */
export interface KafkaIngestBenchOptions {
  /** Readings per round (default 500,000). */
  readonly readings?: number;
  /** Rounds, each a Kafka phase then a COPY phase of the same rows (default 3, after one warm-up round; medians reported). */
  readonly rounds?: number;
  /** Boxes producing them (default 1,000): one Kafka key each. */
  readonly boxes?: number;
  /** Readings per telemetry batch, i.e. per Kafka message (default 50). */
  readonly batchSize?: number;
  /** Kafka messages written per database transaction (default 500, the consumer's default). */
  readonly chunkSize?: number;
  readonly log?: (line: string) => void;
}

/** One round: the Kafka phase and the COPY phase of the same rows. */
export interface KafkaIngestRound {
  readonly kafkaRowsPerS: number;
  readonly copyRowsPerS: number;
  readonly produceMessagesPerS: number;
}

/** What {@link benchKafkaIngest} measured. */
export interface KafkaIngestFigures {
  readonly readings: number;
  readonly boxes: number;
  readonly batchSize: number;
  readonly chunkSize: number;
  readonly rounds: readonly KafkaIngestRound[];
  /** Median over the rounds: rows/s into `measurements`, first transaction start to last commit. */
  readonly kafkaRowsPerS: number;
  /** Median over the rounds. */
  readonly copyRowsPerS: number;
  /** kafkaRowsPerS / copyRowsPerS (medians). */
  readonly ratio: number;
  readonly targets: { readonly rowsPerS: 25_000; readonly ratioOfCopy: 0.5 };
  readonly met: boolean;
}

/** Most messages produced and not yet written (~2 MiB per partition at 50 readings per message). */
const MAX_BACKLOG_MESSAGES = 2_400;

/**
 * Rounds of: produce `readings` to the telemetry topic and measure the consumer group writing them,
 * then COPY the same rows into an identical table. Every phase starts from empty tables after a
 * CHECKPOINT, with autovacuum off on the scratch tables, so neither phase pays for the other's
 * background work; the medians are compared.
 */
export async function benchKafkaIngest(options: KafkaIngestBenchOptions = {}): Promise<KafkaIngestFigures> {
  if (!process.env.DATABASE_URL) throw new Error('bench:ingest (Kafka) needs DATABASE_URL: a PostgreSQL 15 server');
  const total = options.readings ?? 500_000;
  const roundCount = options.rounds ?? 3;
  const boxCount = options.boxes ?? 1_000;
  const batchSize = options.batchSize ?? 50;
  const chunkSize = options.chunkSize ?? 500;
  const say = options.log ?? ((line: string) => console.log(line));

  const db = await openTestDb();
  const cluster = await startKafkaMock();
  const client = new pg.Client({ connectionString: db.databaseUrl! });
  await client.connect();
  try {
    const now = Date.now();
    const start = now - 3 * 86_400_000;
    say(`setting up ${boxCount} boxes`);
    const boxes = [];
    for (let i = 0; i < boxCount; i++) boxes.push(await createBox(db, { patientId: await createPatient(db), since: start - 86_400_000 }));
    await createCopyTarget(client);

    // The consumer's clock: first transaction start to last commit (the group join is not ingest).
    let firstTx = 0;
    let lastCommit = 0;
    let consumed = 0;
    const timed: Db = {
      kind: db.kind,
      query: (sql, params) => db.query(sql, params),
      exec: (sql) => db.exec(sql),
      copyIn: (table, columns, rows) => db.copyIn(table, columns, rows),
      transaction: async (fn) => {
        if (firstTx === 0) firstTx = performance.now();
        const result = await db.transaction(fn);
        lastCommit = performance.now();
        // A telemetry chunk's transaction returns one outcome per message.
        if (Array.isArray(result)) consumed += result.length;
        return result;
      },
      listen: (c, h) => db.listen(c, h),
      notify: (c, p) => db.notify(c, p),
      close: async () => undefined,
    };
    const consumer = new KafkaIngestConsumer({
      db: timed,
      kafka: { brokers: cluster.brokers, clientId: 'bench-ingest', groupId: 'vigie-ingest', ssl: false },
      log: process.env.BENCH_DEBUG ? createLogger('bench-ingest', { level: 'debug' }) : silentLogger(),
      chunkSize,
      partitionsConsumedConcurrently: 4,
    });
    await consumer.start();
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();

    const rounds: KafkaIngestRound[] = [];
    const perBox = Math.ceil(total / boxCount);
    const batchesPerBox = Math.ceil(perBox / batchSize);
    // Round 0 warms up (the JIT compiles the consumer's path, as in a service running for months): not counted.
    for (let round = 0; round <= roundCount; round++) {
      // Every box's readings, in batches of batchSize, new sequence numbers each round; round-robin over boxes.
      const messages = [];
      let made = 0;
      for (let seq = 0; made < total; seq++) {
        for (const box of boxes) {
          if (made >= total) break;
          const first = seq * batchSize;
          if (first >= perBox) continue;
          const n = Math.min(batchSize, perBox - first, total - made);
          const readings = Array.from({ length: n }, (_, i) => ({ metric: 'heart_rate', ts: start + (first + i) * 120_000, value: 60 + ((first + i) % 40), periodS: 120 }));
          const value = Buffer.from(JSON.stringify({ v: SCHEMA_VERSION, boxId: box.boxId, seq: round * batchesPerBox + seq, createdAt: now, readings }));
          // Signed as the box signs (ed25519), before the clock starts: boxes sign, the cloud verifies.
          messages.push({
            key: box.boxId,
            value,
            headers: { [KAFKA_HEADERS.boxId]: box.boxId, [KAFKA_HEADERS.signature]: signBoxMessage(box, value) },
          });
          made += n;
        }
      }
      await client.query('TRUNCATE measurements, bench_copy');
      await client.query('CHECKPOINT');
      firstTx = 0;
      consumed = 0;

      // Produce while the group consumes, the backlog bounded: the mock cluster keeps only ~5 MiB per
      // partition and silently drops older messages, so producing everything first would lose some.
      // The producer shares this thread: on two cores a thread of its own only adds contention.
      const t = performance.now();
      let produced = 0;
      while (produced < messages.length) {
        if (produced - consumed > MAX_BACKLOG_MESSAGES) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const slice = messages.slice(produced, produced + 500);
        await producer.send({ topic: KAFKA_TOPICS.telemetry, acks: -1, messages: slice });
        produced += slice.length;
      }
      const produceMessagesPerS = messages.length / ((performance.now() - t) / 1_000);
      let progressAt = performance.now();
      let seen = consumed;
      while (consumed < messages.length) {
        await new Promise((r) => setTimeout(r, 100));
        if (consumed > seen) progressAt = performance.now();
        seen = consumed;
        if (performance.now() - progressAt > 60_000) throw new Error(`consumer stalled at ${consumed}/${messages.length} messages`);
      }
      const rows = await countRows(db, 'measurements');
      if (rows !== total) throw new Error(`expected ${total} rows in measurements, found ${rows}`);
      const kafkaRowsPerS = rows / ((lastCommit - firstTx) / 1_000);

      // COPY of the same rows into the identical table, after a checkpoint of its own.
      const csv: string[] = [];
      const { rows: all } = await client.query<{ line: string }>(
        `SELECT concat_ws(',', patient_id, box_id, metric, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), value, coalesce(period_s::text, '')) AS line FROM measurements`,
      );
      for (const r of all) csv.push(`${r.line}\n`);
      await client.query('CHECKPOINT');
      const copyStart = performance.now();
      await pipeline(
        Readable.from(chunks(csv, 5_000)),
        client.query(copyFrom('COPY bench_copy (patient_id, box_id, metric, ts, value, period_s) FROM STDIN WITH (FORMAT csv)')),
      );
      const copyRowsPerS = all.length / ((performance.now() - copyStart) / 1_000);
      const figures = `Kafka → measurements ${Math.round(kafkaRowsPerS)} rows/s, COPY ${Math.round(copyRowsPerS)} rows/s`;
      if (round === 0) {
        say(`warm-up round (not counted): ${figures}`);
        continue;
      }
      rounds.push({ kafkaRowsPerS: Math.round(kafkaRowsPerS), copyRowsPerS: Math.round(copyRowsPerS), produceMessagesPerS: Math.round(produceMessagesPerS) });
      say(`round ${round}/${roundCount}: ${figures}`);
    }
    await producer.disconnect();
    await consumer.stop();

    const kafkaRowsPerS = median(rounds.map((r) => r.kafkaRowsPerS));
    const copyRowsPerS = median(rounds.map((r) => r.copyRowsPerS));
    const ratio = kafkaRowsPerS / copyRowsPerS;
    return {
      readings: total,
      boxes: boxCount,
      batchSize,
      chunkSize,
      rounds,
      kafkaRowsPerS,
      copyRowsPerS,
      ratio: Math.round(ratio * 1_000) / 1_000,
      targets: { rowsPerS: 25_000, ratioOfCopy: 0.5 },
      met: kafkaRowsPerS >= 25_000 && ratio >= 0.5,
    };
  } finally {
    await client.end();
    await cluster.stop();
    await db.close();
  }
}

/**
 * `bench_copy`: a partitioned table like `measurements` (same partitions, same indexes), and no
 * autovacuum on either's partitions, so a vacuum of one phase's rows never runs in another phase.
 */
async function createCopyTarget(client: pg.Client): Promise<void> {
  await client.query('CREATE TABLE bench_copy (LIKE measurements INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (ts)');
  const { rows: parts } = await client.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'measurements'::regclass`,
  );
  for (const p of parts) {
    const copy = p.name.replace(/^measurements/, 'bench_copy');
    await client.query(`CREATE TABLE ${copy} PARTITION OF bench_copy ${p.bound}`);
    await client.query(`ALTER TABLE ${copy} SET (autovacuum_enabled = off)`);
    await client.query(`ALTER TABLE ${p.name} SET (autovacuum_enabled = off)`);
  }
  const { rows: indexes } = await client.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'measurements'`);
  for (const ix of indexes) {
    await client.query(ix.def.replace(/INDEX (\S+) ON (ONLY )?(\S*\.)?measurements /, (_m, name: string) => `INDEX ${name.replace('measurements', 'bench_copy')} ON bench_copy `));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function* chunks(lines: readonly string[], size: number): Generator<string> {
  for (let i = 0; i < lines.length; i += size) yield lines.slice(i, i + size).join('');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { readings: { type: 'string', default: '500000' }, rounds: { type: 'string', default: '3' } } });
  const figures = await benchKafkaIngest({ readings: Number(values.readings), rounds: Number(values.rounds) });
  console.log(JSON.stringify(figures, null, 2));
}
