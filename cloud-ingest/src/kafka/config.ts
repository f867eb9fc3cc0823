import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import { envBoolean, loadConfig, z } from '@vigie/common';

const absentIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/**
 * The Kafka variables of the ingest (documented in cloud-ingest/README.md, "Kafka"). Unset
 * KAFKA_BROKERS: no consumer, HTTPS only.
 */
export const kafkaIngestEnvSchema = z
  .object({
    KAFKA_BROKERS: z.preprocess(
      absentIfEmpty,
      z
        .string()
        .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'expected host:port[,host:port…]')
        .transform((v) => v.split(','))
        .optional(),
    ),
    /** TLS to the brokers. Unset: on, unless every broker is this machine (loopback). */
    KAFKA_SSL: z.preprocess(absentIfEmpty, envBoolean.optional()),
    /**
     * Development only: allow KAFKA_SSL=false with brokers on other hosts (a warning is logged at
     * start). Without it such a configuration is refused: box data would cross the network in clear.
     */
    KAFKA_ALLOW_PLAINTEXT: z.preprocess(absentIfEmpty, envBoolean.default(false)),
    /** PEM of the brokers' CA (a private one); unset: the system's roots. */
    KAFKA_SSL_CA_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    KAFKA_SASL_MECHANISM: z.preprocess(absentIfEmpty, z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional()),
    KAFKA_SASL_USERNAME: z.preprocess(absentIfEmpty, z.string().optional()),
    KAFKA_SASL_PASSWORD: z.preprocess(absentIfEmpty, z.string().optional()),
    KAFKA_CLIENT_ID: z.preprocess(absentIfEmpty, z.string().default('vigie-ingest')),
    KAFKA_GROUP_ID: z.preprocess(absentIfEmpty, z.string().default('vigie-ingest')),
    /**
     * How long the group waits for a silent consumer (a killed pod) before moving its partitions
     * to the others. Lower: faster takeover, more false departures under load.
     */
    KAFKA_SESSION_TIMEOUT_MS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(3_000).max(300_000).default(30_000)),
  })
  .superRefine(
    (c, ctx) => {
      const loopback = c.KAFKA_BROKERS?.every(isLoopbackBroker) ?? true;
      if (c.KAFKA_SSL === false && !loopback && !c.KAFKA_ALLOW_PLAINTEXT) {
        ctx.addIssue({
          code: 'custom',
          path: ['KAFKA_SSL'],
          message: 'false is refused with brokers that are not this machine (box data would cross the network in clear); unset it, or set KAFKA_ALLOW_PLAINTEXT=true for development',
        });
      }
      if (c.KAFKA_SASL_MECHANISM && (!c.KAFKA_SASL_USERNAME || !c.KAFKA_SASL_PASSWORD)) {
        ctx.addIssue({ code: 'custom', path: ['KAFKA_SASL_USERNAME'], message: 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM' });
      }
    },
    { when: () => true },
  );

/** Connection settings of the ingest's Kafka clients. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly ssl: boolean | { ca: string };
  readonly sasl?: SASLOptions;
  /** KAFKA_SESSION_TIMEOUT_MS: a silent consumer's partitions move after this long. */
  readonly sessionTimeoutMs?: number;
  /** True when plaintext to a non-loopback broker was explicitly allowed (KAFKA_ALLOW_PLAINTEXT): warned about at start. */
  readonly insecure?: boolean;
}

/** Whether `host:port` names this machine. */
export function isLoopbackBroker(broker: string): boolean {
  const host = broker.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The Kafka settings from the environment, or null when KAFKA_BROKERS is unset (CONFIG_INVALID when wrong). */
export function loadKafkaConnection(env: Record<string, string | undefined> = process.env): KafkaConnection | null {
  const c = loadConfig(kafkaIngestEnvSchema, env, 'Kafka configuration');
  if (!c.KAFKA_BROKERS) return null;
  const loopback = c.KAFKA_BROKERS.every(isLoopbackBroker);
  const tls = c.KAFKA_SSL ?? !loopback;
  return {
    brokers: c.KAFKA_BROKERS,
    clientId: c.KAFKA_CLIENT_ID,
    groupId: c.KAFKA_GROUP_ID,
    sessionTimeoutMs: c.KAFKA_SESSION_TIMEOUT_MS,
    ssl: tls ? (c.KAFKA_SSL_CA_FILE ? { ca: readFileSync(c.KAFKA_SSL_CA_FILE, 'utf8') } : true) : false,
    ...(!tls && !loopback ? { insecure: true } : {}),
    ...(c.KAFKA_SASL_MECHANISM
      ? { sasl: { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME!, password: c.KAFKA_SASL_PASSWORD! } as SASLOptions }
      : {}),
  };
}
