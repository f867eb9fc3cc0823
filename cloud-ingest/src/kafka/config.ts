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
    KAFKA_SSL: z.preprocess(absentIfEmpty, envBoolean.default(false)),
    /** PEM of the brokers' CA (a private one); unset: the system's roots. */
    KAFKA_SSL_CA_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    KAFKA_SASL_MECHANISM: z.preprocess(absentIfEmpty, z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional()),
    KAFKA_SASL_USERNAME: z.preprocess(absentIfEmpty, z.string().optional()),
    KAFKA_SASL_PASSWORD: z.preprocess(absentIfEmpty, z.string().optional()),
    KAFKA_CLIENT_ID: z.preprocess(absentIfEmpty, z.string().default('vigie-ingest')),
    KAFKA_GROUP_ID: z.preprocess(absentIfEmpty, z.string().default('vigie-ingest')),
  })
  .superRefine(
    (c, ctx) => {
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
}

/** The Kafka settings from the environment, or null when KAFKA_BROKERS is unset (CONFIG_INVALID when wrong). */
export function loadKafkaConnection(env: Record<string, string | undefined> = process.env): KafkaConnection | null {
  const c = loadConfig(kafkaIngestEnvSchema, env, 'Kafka configuration');
  if (!c.KAFKA_BROKERS) return null;
  return {
    brokers: c.KAFKA_BROKERS,
    clientId: c.KAFKA_CLIENT_ID,
    groupId: c.KAFKA_GROUP_ID,
    ssl: c.KAFKA_SSL ? (c.KAFKA_SSL_CA_FILE ? { ca: readFileSync(c.KAFKA_SSL_CA_FILE, 'utf8') } : true) : false,
    ...(c.KAFKA_SASL_MECHANISM
      ? { sasl: { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME!, password: c.KAFKA_SASL_PASSWORD! } as SASLOptions }
      : {}),
  };
}
