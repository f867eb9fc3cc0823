import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { skipUnlessTool, startKafkaMock, waitUntil, type KafkaMockCluster } from '@vigie/common/testing';
import { KAFKA_HEADERS, KAFKA_TOPICS, SCHEMA_VERSION, type TelemetryBatch } from '@vigie/protocol';
import { loadBoxEnv } from '../config.ts';
import { boxErrors } from '../errors.ts';
import { KafkaCloudClient, kafkaOptionsFromEnv } from './kafka-cloud-client.ts';

const BOX = 'VB-KAFKA-0001';
const TOKEN = 'k'.repeat(43);

const batch: TelemetryBatch = {
  v: SCHEMA_VERSION,
  boxId: BOX,
  seq: 7,
  createdAt: 1_764_000_000_000,
  readings: [
    { metric: 'heart_rate', ts: 1_764_000_000_000, value: 71 },
    { metric: 'spo2', ts: 1_764_000_000_000, value: 97 },
  ],
};

describe('KafkaCloudClient', { skip: skipUnlessTool('kcat'), timeout: 60_000 }, () => {
  let cluster: KafkaMockCluster;
  before(async () => {
    cluster = await startKafkaMock();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('produces each kind to its topic, keyed and signed by the box, and confirms on the ack', async () => {
    const client = new KafkaCloudClient({ brokers: cluster.brokers, boxId: BOX, token: TOKEN });
    const receipt = await client.sendTelemetry(batch);
    assert.deepEqual(receipt, { v: SCHEMA_VERSION, boxId: BOX, seq: 7, accepted: 2, duplicate: false });
    await client.sendHeartbeat({
      v: SCHEMA_VERSION,
      boxId: BOX,
      at: 1_764_000_000_000,
      bufferDepth: 0,
      oldestUnsentAt: null,
      software: { box: 'test' },
      lastBraceletContactAt: null,
      braceletBattery: null,
      modem: { registered: false, signal: null },
      diskFreeBytes: null,
    });
    await client.stop();

    const seen = new Map<string, KafkaMessage>();
    const reader = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [KAFKA_TOPICS.telemetry, KAFKA_TOPICS.heartbeats], fromBeginning: true });
    await reader.run({ eachMessage: async ({ topic, message }) => void seen.set(topic, message) });
    await waitUntil(() => seen.size === 2, 'both messages', 30_000, 50);
    await reader.disconnect();

    const telemetry = seen.get(KAFKA_TOPICS.telemetry)!;
    assert.equal(telemetry.key!.toString(), BOX);
    assert.deepEqual(JSON.parse(telemetry.value!.toString()), batch);
    assert.equal(telemetry.headers![KAFKA_HEADERS.boxId]!.toString(), BOX);
    // What the cloud checks: HMAC keyed by the token's sha256 (boxes.token_hash), never the token.
    const key = createHash('sha256').update(TOKEN).digest('hex');
    assert.equal(telemetry.headers![KAFKA_HEADERS.signature]!.toString(), createHmac('sha256', key).update(telemetry.value!).digest('hex'));
    assert.ok(!telemetry.value!.toString().includes(TOKEN) && !JSON.stringify(telemetry.headers).includes(TOKEN));
    assert.equal(seen.get(KAFKA_TOPICS.heartbeats)!.key!.toString(), BOX);
  });

  test('an unreachable cluster is BOX_CLOUD_UNREACHABLE, so the uplink backs off and retries', async () => {
    const client = new KafkaCloudClient({ brokers: ['127.0.0.1:1'], boxId: BOX, token: TOKEN, timeoutMs: 2_000 });
    await assert.rejects(client.sendTelemetry(batch), (err) => boxErrors.is(err, 'BOX_CLOUD_UNREACHABLE'));
    await client.stop();
  });
});

describe('Kafka settings of the box', () => {
  test('KAFKA_BROKERS unset means HTTPS', () => {
    assert.equal(kafkaOptionsFromEnv(loadBoxEnv({})), null);
  });

  test('reads brokers, TLS, SASL and client id', () => {
    const env = loadBoxEnv({
      KAFKA_BROKERS: 'k1.example:9093,k2.example:9093',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'box-VB-1',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_CLIENT_ID: 'box-VB-1',
    });
    assert.deepEqual(kafkaOptionsFromEnv(env), {
      brokers: ['k1.example:9093', 'k2.example:9093'],
      clientId: 'box-VB-1',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'box-VB-1', password: 'secret' },
    });
  });

  test('refuses a malformed broker list and SASL without credentials, naming the variable', () => {
    assert.throws(() => loadBoxEnv({ KAFKA_BROKERS: 'no-port' }), /KAFKA_BROKERS/);
    assert.throws(() => kafkaOptionsFromEnv(loadBoxEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'plain' })), /KAFKA_SASL_USERNAME/);
  });
});
