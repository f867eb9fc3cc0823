import { readFileSync } from 'node:fs';
import type { Kafka, Producer, SASLOptions } from 'kafkajs';
import { commonErrors, silentLogger, type Logger, type Module } from '@vigie/common';
import {
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  SCHEMA_VERSION,
  type AlertEvent,
  type BatchReceipt,
  type Heartbeat,
  type KafkaMessageKind,
  type TelemetryBatch,
} from '@vigie/protocol';
import type { BoxEnv } from '../config.ts';
import { boxErrors } from '../errors.ts';
import type { CloudClient } from './cloud-client.ts';
import { signKafkaMessage, type BoxSigningKey } from './box-signing-key.ts';

/** Options of {@link KafkaCloudClient}. */
export interface KafkaCloudClientOptions {
  readonly brokers: readonly string[];
  readonly boxId: string;
  /** The box's own ed25519 key (box-signing-key.ts): every message is signed with it. */
  readonly signingKey: BoxSigningKey;
  /**
   * Registers the public half with the cloud (HTTPS, with the box's token) before the first
   * produce; resolved once per process. Absent: the key is registered some other way (tests).
   */
  readonly registerKey?: (publicKey: string) => Promise<void>;
  readonly clientId?: string;
  /**
   * TLS to the brokers: `true` (system roots) or the pinned CA. `false` only to loopback brokers
   * (development, tests): otherwise the constructor throws BOX_KAFKA_PLAINTEXT_REFUSED.
   */
  readonly ssl?: boolean | { ca: string };
  readonly sasl?: SASLOptions;
  /** How long one produce may wait for the acks of every in-sync replica. */
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

/**
 * The Kafka transport of the {@link CloudClient} port: one topic per kind of message
 * (`KAFKA_TOPICS`), the box id as message key (one partition per box, so its messages stay in
 * order), `acks: -1` (every in-sync replica has the message before the produce resolves).
 *
 * A produce acknowledged by Kafka is the cloud's confirmation: the receipt of `sendTelemetry` is
 * synthesized here (`accepted` = readings sent, `duplicate` = false), because the consumer writes
 * later. That is safe because Kafka now holds the batch durably and the ingest consumer writes each
 * `(boxId, seq)` once: a batch produced twice (the box died between the ack and moving its cursor)
 * is written once. Plausibility refusals are visible in the cloud (rejected_readings, dead letters),
 * not on the box.
 *
 * Errors map onto the box catalogue so the uplink's backoff works unchanged: an authentication or
 * authorization refusal → `BOX_CLOUD_UNAUTHORIZED`; a message the cluster refuses as such (too
 * large, invalid record) → `BOX_CLOUD_REJECTED` (the uplink sets the batch aside); everything else
 * → `BOX_CLOUD_UNREACHABLE` (retried with backoff).
 */
export class KafkaCloudClient implements CloudClient, Module {
  readonly name = 'kafka-cloud-client';
  readonly #o: KafkaCloudClientOptions;
  #kafka: Kafka | null = null;
  readonly #log: Logger;
  #keyRegistered = false;
  #producer: Producer | null = null;
  #connecting: Promise<Producer> | null = null;

  constructor(options: KafkaCloudClientOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'kafka-cloud-client' });
    if ((options.ssl ?? false) === false && !options.brokers.every(isLoopbackBroker)) {
      throw boxErrors.create('BOX_KAFKA_PLAINTEXT_REFUSED', { details: { brokers: options.brokers.length } });
    }
  }

  /**
   * kafkajs is loaded on the first send, not with this module: a box on HTTPS (no KAFKA_BROKERS)
   * never loads it, which keeps ~600 kB of JavaScript out of the telemetry process (npm run
   * bench:box-memory).
   */
  async #client(): Promise<Kafka> {
    if (this.#kafka) return this.#kafka;
    const { Kafka, logLevel } = await import('kafkajs');
    const options = this.#o;
    const ssl = options.ssl ?? false;
    this.#kafka = new Kafka({
      clientId: options.clientId ?? 'vigie-box',
      brokers: [...options.brokers],
      ...(ssl === false ? {} : { ssl: ssl === true ? true : { ca: [ssl.ca] } }),
      ...(options.sasl ? { sasl: options.sasl } : {}),
      connectionTimeout: 3_000,
      // Few retries inside kafkajs: the uplink owns the backoff (exponential, jittered, capped).
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: logLevel.NOTHING,
    });
    return this.#kafka;
  }

  /** Nothing to do: the producer connects on the first send (the box starts offline as often as not). */
  async start(): Promise<void> {}

  /** Disconnect the producer. */
  async stop(): Promise<void> {
    await this.#reset();
  }

  async sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt> {
    await this.#send('telemetry', batch);
    return { v: SCHEMA_VERSION, boxId: batch.boxId, seq: batch.seq, accepted: batch.readings.length, duplicate: false };
  }

  async sendAlert(event: AlertEvent): Promise<void> {
    await this.#send('alerts', event);
  }

  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    await this.#send('heartbeats', heartbeat);
  }

  async #send(kind: KafkaMessageKind, message: object): Promise<void> {
    const topic = KAFKA_TOPICS[kind];
    const value = Buffer.from(JSON.stringify(message), 'utf8');
    try {
      const producer = await this.#connect();
      await producer.send({
        topic,
        acks: -1,
        timeout: this.#o.timeoutMs ?? 15_000,
        messages: [
          {
            key: this.#o.boxId,
            value,
            headers: { [KAFKA_HEADERS.boxId]: this.#o.boxId, [KAFKA_HEADERS.signature]: signKafkaMessage(this.#o.signingKey, value) },
          },
        ],
      });
    } catch (cause) {
      if (boxErrors.is(cause, 'BOX_CLOUD_UNREACHABLE') || boxErrors.is(cause, 'BOX_CLOUD_UNAUTHORIZED')) throw cause;
      const code = boxErrorCodeOf(cause);
      if (code !== 'BOX_CLOUD_REJECTED') await this.#reset();
      this.#log.debug({ code, topic, kafka: kafkaErrorType(cause) }, 'produce failed');
      throw boxErrors.create(code, { cause, details: { topic, kafka: kafkaErrorType(cause) } });
    }
  }

  async #connect(): Promise<Producer> {
    if (this.#producer) return this.#producer;
    await this.#registerKey();
    this.#connecting ??= (async () => {
      // Not kafkajs's idempotent producer: the ingest's (boxId, seq) claim already makes a resend
      // harmless, and the idempotent producer needs a cluster controller (field notes).
      const producer = (await this.#client()).producer({ allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 1 });
      try {
        await producer.connect();
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      }
      this.#producer = producer;
      return producer;
    })().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  /**
   * The cloud must know the public key before it sees a signed message, or it dead-letters it.
   * A failure here is retried with the uplink's backoff (BOX_CLOUD_UNREACHABLE), never answered
   * by setting the batch aside: the batch itself is fine.
   */
  async #registerKey(): Promise<void> {
    if (this.#keyRegistered || !this.#o.registerKey) return;
    try {
      await this.#o.registerKey(this.#o.signingKey.publicKey);
    } catch (cause) {
      if (boxErrors.is(cause, 'BOX_CLOUD_UNAUTHORIZED')) throw cause;
      const code = boxErrors.is(cause) ? cause.code : undefined;
      this.#log.error({ code, details: boxErrors.is(cause) ? cause.details : undefined }, 'signing key not registered with the cloud; Kafka sends wait');
      throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { cause, details: { step: 'register-signing-key' } });
    }
    this.#keyRegistered = true;
  }

  /** Drop the producer after a failure: the next send connects afresh (new metadata, new sockets). */
  async #reset(): Promise<void> {
    const producer = this.#producer;
    this.#producer = null;
    await producer?.disconnect().catch(() => undefined);
  }
}

/** Whether `host:port` names this machine (plaintext is allowed there only). */
export function isLoopbackBroker(broker: string): boolean {
  const host = broker.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Kafka broker error types that refuse the message itself: resending it cannot help. */
const REFUSED = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_REQUIRED_ACKS']);
const UNAUTHORIZED = new Set(['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'SASL_AUTHENTICATION_FAILED']);

function boxErrorCodeOf(err: unknown): 'BOX_CLOUD_UNREACHABLE' | 'BOX_CLOUD_REJECTED' | 'BOX_CLOUD_UNAUTHORIZED' {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    const name = (e as { name?: unknown }).name;
    if (name === 'KafkaJSSASLAuthenticationError' || (typeof type === 'string' && UNAUTHORIZED.has(type))) return 'BOX_CLOUD_UNAUTHORIZED';
    if (typeof type === 'string' && REFUSED.has(type)) return 'BOX_CLOUD_REJECTED';
    e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return 'BOX_CLOUD_UNREACHABLE';
}

function kafkaErrorType(err: unknown): string | undefined {
  const type = (err as { type?: unknown; name?: unknown } | null)?.type ?? (err as { name?: unknown } | null)?.name;
  return typeof type === 'string' ? type : undefined;
}

/** The Kafka part of the box's environment, as {@link KafkaCloudClient} options; null without KAFKA_BROKERS. */
export function kafkaOptionsFromEnv(env: BoxEnv): Pick<KafkaCloudClientOptions, 'brokers' | 'clientId' | 'ssl' | 'sasl'> | null {
  if (!env.KAFKA_BROKERS) return null;
  let sasl: SASLOptions | undefined;
  if (env.KAFKA_SASL_MECHANISM) {
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
      throw commonErrors.create('CONFIG_INVALID', {
        message: 'Invalid box configuration:\n  - KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set',
      });
    }
    sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD } as SASLOptions;
  }
  // TLS unless every broker is this machine; plaintext to another host is refused, not warned
  // about: a box has nobody to read a warning.
  const tls = env.KAFKA_SSL ?? !env.KAFKA_BROKERS.every(isLoopbackBroker);
  if (!tls && !env.KAFKA_BROKERS.every(isLoopbackBroker)) {
    throw commonErrors.create('CONFIG_INVALID', {
      message:
        'Invalid box configuration:\n  - KAFKA_SSL: false is refused with a broker that is not this machine (health data only leaves the box over TLS); unset it or set KAFKA_SSL=true',
    });
  }
  const ssl = tls ? (env.VIGIE_CLOUD_CA_FILE ? { ca: readFileSync(env.VIGIE_CLOUD_CA_FILE, 'utf8') } : true) : false;
  return { brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID, ssl, ...(sasl ? { sasl } : {}) };
}
