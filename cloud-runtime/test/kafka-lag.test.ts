/**
 * Kafka consumer lag per partition (`vigie_kafka_consumer_lag_messages`) and Kafka in `/readyz`,
 * with the ingest's consumer group running inside `vigie-cloud` against librdkafka's mock cluster
 * (Debian `kcat`). The lag is read from the brokers, so a paused (or stalled) consumer shows it
 * growing; once the consumer resumes and commits, it falls to 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { silentLogger } from '@vigie/common';
import { skipUnlessTool, startKafkaMock, tempDir, waitUntil, type KafkaMockCluster } from '@vigie/common/testing';
import { countRows, openTestDb, testsUsePostgres, type TestDb } from '@vigie/cloud-store/testing';
import { loadCloudConfig } from '@vigie/cloud-portal';
import { KAFKA_TOPICS } from '@vigie/protocol';
import { startCloud, type CloudProcess } from '../src/server.ts';

const skip = skipUnlessTool('kcat');
const TELEMETRY = KAFKA_TOPICS.telemetry;

let dir: { path: string; cleanup: () => void };
let cluster: KafkaMockCluster | undefined;
let cloud: CloudProcess | undefined;
let producer: Producer | undefined;
let pg: TestDb | undefined;

before(async () => {
  if (skip) return;
  dir = tempDir('vigie-kafka-lag-');
  cluster = await startKafkaMock({ brokers: 1 });
  // PostgreSQL 15 in the PostgreSQL pass (a fresh database), PGlite otherwise.
  pg = testsUsePostgres ? await openTestDb({ fresh: true }) : undefined;
  cloud = await startCloud({
    config: loadCloudConfig({ VIGIE_DATA_DIR: join(dir.path, 'up'), PORT: '0', ...(pg ? { DATABASE_URL: pg.databaseUrl! } : {}) }),
    log: silentLogger(),
    roles: { ingest: true, portal: true },
    kafka: { brokers: cluster.brokers, clientId: 'lag-test', groupId: 'vigie-ingest', ssl: false },
    kafkaLagIntervalMs: 100,
    // The report requests stay in-process: only the ingest's consumer group is under test.
    reportsKafka: null,
  });
  producer = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: true });
  await producer.connect();
});

after(async () => {
  await producer?.disconnect();
  await cloud?.stop();
  await cluster?.stop();
  await pg?.close();
  dir?.cleanup();
});

/** The lag series of `/metrics` (`{ "topic/partition": value }`), read from the exposition text. */
async function lag(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^vigie_kafka_consumer_lag_messages\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    assert.deepEqual(Object.keys(labels).sort(), ['partition', 'topic'], 'labels: topic and partition only');
    out[`${labels.topic}/${labels.partition}`] = Number(m[2]);
  }
  return out;
}

const telemetryLag = async (url: string) => Object.fromEntries(Object.entries(await lag(url)).filter(([k]) => k.startsWith(`${TELEMETRY}/`)));

test('/readyz checks Kafka when configured: 200 with the group running', { skip }, async () => {
  await waitUntil(async () => (await fetch(`${cloud!.url}/readyz`)).status === 200, 'the consumer to run', 20_000, 100);
  const body = (await (await fetch(`${cloud!.url}/readyz`)).json()) as { checks: Record<string, { ok: boolean }> };
  assert.deepEqual(body.checks, { database: { ok: true }, kafka: { ok: true } });
});

test('consumer lag per topic and partition: grows while the consumer is paused, back to 0 once it has caught up', { skip }, async () => {
  const url = cloud!.url;
  const consumer = cloud!.kafkaConsumer!;
  // Every partition of the box topics has its series (the mock creates topics with 4 partitions), at 0 with nothing produced.
  await waitUntil(async () => Object.keys(await lag(url)).length === 12, 'a lag series per topic and partition', 20_000, 100);
  assert.deepEqual(await telemetryLag(url), { [`${TELEMETRY}/0`]: 0, [`${TELEMETRY}/1`]: 0, [`${TELEMETRY}/2`]: 0, [`${TELEMETRY}/3`]: 0 });
  consumer.consumer!.pause([{ topic: TELEMETRY }]);
  // Messages the ingest cannot authenticate (no box key): consuming them means dead-lettering and committing them.
  const message = (partition: number, i: number) => ({ partition, key: `VB-LAG-${i}`, value: Buffer.from(`{"n":${i}}`) });
  await producer!.send({ topic: TELEMETRY, messages: [0, 1, 2].map((i) => message(0, i)) });
  await producer!.send({ topic: TELEMETRY, messages: [3, 4].map((i) => message(2, i)) });
  const behind = { [`${TELEMETRY}/0`]: 3, [`${TELEMETRY}/1`]: 0, [`${TELEMETRY}/2`]: 2, [`${TELEMETRY}/3`]: 0 };
  await waitUntil(async () => JSON.stringify(await telemetryLag(url)) === JSON.stringify(behind), 'the lag of the paused partitions', 10_000, 100);
  // Paused, it stays behind: nothing consumed, nothing written.
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await telemetryLag(url), behind);
  assert.equal(await countRows(cloud!.db, 'dead_letters'), 0);

  consumer.consumer!.resume([{ topic: TELEMETRY }]);
  await waitUntil(async () => Object.values(await telemetryLag(url)).every((v) => v === 0), 'the consumer to catch up', 20_000, 100);
  assert.equal(await countRows(cloud!.db, 'dead_letters'), 5, 'all five consumed (dead-lettered) and committed');
});

test('/readyz answers 503 naming Kafka once the consumer group member is no longer running', { skip }, async () => {
  // A second cloud on unreachable brokers would cost another embedded database start: stopping the
  // consumer is what the supervisor's state looks like while the brokers are unreachable (not running).
  await cloud!.kafkaConsumer!.stop();
  const res = await fetch(`${cloud!.url}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
  assert.deepEqual(body.checks.database, { ok: true });
  assert.equal(body.checks.kafka?.ok, false);
  assert.match(body.checks.kafka?.error ?? '', /Kafka consumer not running/);
});
