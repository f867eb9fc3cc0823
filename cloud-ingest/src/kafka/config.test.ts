import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKafkaConnection } from './config.ts';

test('KAFKA_BROKERS unset means no consumer', () => {
  assert.equal(loadKafkaConnection({}), null);
});

test('TLS is on by default for brokers on other hosts, off for loopback brokers', () => {
  assert.equal(loadKafkaConnection({ KAFKA_BROKERS: 'kafka-1.internal:9093' })!.ssl, true);
  assert.equal(loadKafkaConnection({ KAFKA_BROKERS: '127.0.0.1:9092,localhost:9092' })!.ssl, false);
});

test('refuses plaintext to brokers on other hosts unless explicitly allowed for development, and then flags it', () => {
  assert.throws(() => loadKafkaConnection({ KAFKA_BROKERS: 'kafka-1.internal:9092', KAFKA_SSL: 'false' }), /KAFKA_SSL.*KAFKA_ALLOW_PLAINTEXT/s);
  const allowed = loadKafkaConnection({ KAFKA_BROKERS: 'kafka-1.internal:9092', KAFKA_SSL: 'false', KAFKA_ALLOW_PLAINTEXT: 'true' })!;
  assert.equal(allowed.ssl, false);
  assert.equal(allowed.insecure, true);
  assert.equal(loadKafkaConnection({ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_SSL: 'false' })!.insecure, undefined);
});

test('reads SASL SCRAM-SHA-512 and PLAIN with their credentials, refusing a mechanism without them', () => {
  const scram = loadKafkaConnection({
    KAFKA_BROKERS: 'kafka-1.internal:9093',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'vigie-ingest',
    KAFKA_SASL_PASSWORD: 'secret',
  })!;
  assert.deepEqual(scram.sasl, { mechanism: 'scram-sha-512', username: 'vigie-ingest', password: 'secret' });
  assert.equal(scram.ssl, true);
  const plain = loadKafkaConnection({ KAFKA_BROKERS: 'k:9093', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })!;
  assert.equal(plain.sasl?.mechanism, 'plain');
  assert.throws(() => loadKafkaConnection({ KAFKA_BROKERS: 'k:9093', KAFKA_SASL_MECHANISM: 'plain' }), /KAFKA_SASL_USERNAME/);
});
