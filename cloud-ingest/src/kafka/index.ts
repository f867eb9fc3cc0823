export { KafkaIngestConsumer, type KafkaIngestOptions } from './ingest-consumer.ts';
export { loadKafkaConnection, kafkaIngestEnvSchema, isLoopbackBroker, type KafkaConnection } from './config.ts';
export { BoxKeyring, type AuthFailure } from './box-keyring.ts';
export { recordDeadLetters, produceDeadLetters, DEAD_LETTER_PAYLOAD_CAP, type DeadLetter } from './dead-letters.ts';
export { registerBoxSigningKey, clearBoxSigningKey } from './signing-keys.ts';
