import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { skipUnlessTool, startKafkaMock, waitUntil, type KafkaMockCluster } from '@vigie/common/testing';
import { KAFKA_HEADERS, KAFKA_TOPICS, SCHEMA_VERSION, type TelemetryBatch } from '@vigie/protocol';
import { loadBoxEnv } from '../config.ts';
import { boxErrors } from '../errors.ts';
import { KafkaCloudClient, kafkaOptionsFromEnv } from './kafka-cloud-client.ts';
import { boxSigningKeyFromPem } from './box-signing-key.ts';

const BOX = 'VB-KAFKA-0001';
const KEY = boxSigningKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

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
    const registered: string[] = [];
    const client = new KafkaCloudClient({
      brokers: cluster.brokers,
      boxId: BOX,
      signingKey: KEY,
      registerKey: async (publicKey) => void registered.push(publicKey),
    });
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
    // What the cloud checks: the box's ed25519 signature, with the public key the box registered (once).
    assert.deepEqual(registered, [KEY.publicKey]);
    const publicKey = createPublicKey({ key: Buffer.from(KEY.publicKey, 'base64'), format: 'der', type: 'spki' });
    assert.ok(verify(null, telemetry.value!, publicKey, Buffer.from(telemetry.headers![KAFKA_HEADERS.signature]!.toString(), 'hex')));
    assert.equal(seen.get(KAFKA_TOPICS.heartbeats)!.key!.toString(), BOX);
  });

  test('an unreachable cluster is BOX_CLOUD_UNREACHABLE, so the uplink backs off and retries', async () => {
    const client = new KafkaCloudClient({ brokers: ['127.0.0.1:1'], boxId: BOX, signingKey: KEY, timeoutMs: 2_000 });
    await assert.rejects(client.sendTelemetry(batch), (err) => boxErrors.is(err, 'BOX_CLOUD_UNREACHABLE'));
    await client.stop();
  });

  test('a signing key the cloud refuses to register is retried later (UNREACHABLE), never a reason to set the batch aside', async () => {
    const client = new KafkaCloudClient({
      brokers: cluster.brokers,
      boxId: BOX,
      signingKey: KEY,
      registerKey: async () => {
        throw boxErrors.create('BOX_CLOUD_REJECTED', { details: { status: 409 } });
      },
    });
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

  test('TLS is on by default for brokers on other hosts, off by default for loopback ones', () => {
    assert.equal(kafkaOptionsFromEnv(loadBoxEnv({ KAFKA_BROKERS: 'kafka.example:9093' }))!.ssl, true);
    assert.equal(kafkaOptionsFromEnv(loadBoxEnv({ KAFKA_BROKERS: '127.0.0.1:9092,localhost:9093' }))!.ssl, false);
  });

  test('refuses plaintext to a broker that is not this machine, in the settings and in the client', () => {
    assert.throws(
      () => kafkaOptionsFromEnv(loadBoxEnv({ KAFKA_BROKERS: '127.0.0.1:9092,kafka.example:9092', KAFKA_SSL: 'false' })),
      (err: Error) => /KAFKA_SSL: false is refused with a broker that is not this machine/.test(err.message),
    );
    assert.throws(
      () => new KafkaCloudClient({ brokers: ['10.0.0.5:9092'], boxId: BOX, signingKey: KEY, ssl: false }),
      (err) => boxErrors.is(err, 'BOX_KAFKA_PLAINTEXT_REFUSED'),
    );
    assert.doesNotThrow(() => new KafkaCloudClient({ brokers: ['[::1]:9092', '127.0.0.1:9092'], boxId: BOX, signingKey: KEY, ssl: false }));
  });

  test('refuses a malformed broker list and SASL without credentials, naming the variable', () => {
    assert.throws(() => loadBoxEnv({ KAFKA_BROKERS: 'no-port' }), /KAFKA_BROKERS/);
    assert.throws(() => kafkaOptionsFromEnv(loadBoxEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'plain' })), /KAFKA_SASL_USERNAME/);
  });
});
