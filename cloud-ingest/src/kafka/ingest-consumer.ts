import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import { silentLogger, type Logger, type Module } from '@vigie/common';
import { KAFKA_HEADERS, KAFKA_TOPICS } from '@vigie/protocol';
import type { Db } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';
import { recordAlert } from '../pipeline/alert-intake.ts';
import { recordHeartbeat } from '../pipeline/heartbeat-intake.ts';
import { TelemetryPipeline } from '../pipeline/telemetry-pipeline.ts';
import { isDataRefusal } from '../pipeline/data-refusal.ts';
import { BoxKeyring } from './box-keyring.ts';
import type { KafkaConnection } from './config.ts';
import { produceDeadLetters, recordDeadLetters, type DeadLetter } from './dead-letters.ts';
import { ingestMetrics } from '../metrics/ingest-metrics.ts';

/** Options of {@link KafkaIngestConsumer}. */
export interface KafkaIngestOptions {
  readonly db: Db;
  readonly kafka: KafkaConnection;
  readonly log?: Logger;
  /** Epoch ms; injected so tests control "now" (plausibility of timestamps). */
  readonly now?: () => number;
  /** Most messages written in one database transaction (telemetry; default 500, and at most ~2 MiB of values). */
  readonly chunkSize?: number;
  /** Partitions processed at once by this instance. */
  readonly partitionsConsumedConcurrently?: number;
  /** Group session timeout: how long a dead instance keeps its partitions. */
  readonly sessionTimeoutMs?: number;
  /** How often the group's lag is read from the brokers (default 15 s, Prometheus's usual scrape interval). */
  readonly lagIntervalMs?: number;
}

/** The box topics the group consumes. */
const TOPICS = [KAFKA_TOPICS.telemetry, KAFKA_TOPICS.alerts, KAFKA_TOPICS.heartbeats];

/** Most value bytes of one chunk (~25,000 readings): bounds a transaction whatever the batch sizes. */
const CHUNK_MAX_BYTES = 2 * 1024 * 1024;

/** A message decoded and authenticated, or the dead letter it becomes. */
type Decoded = { readonly message: KafkaMessage; readonly boxId: string; readonly raw: unknown } | { readonly dead: DeadLetter };

/**
 * cloud-ingest's Kafka consumer group (`vigie-ingest`): reads the box topics and runs every
 * message through the same pipeline functions as the HTTPS routes (`TelemetryPipeline`,
 * `recordAlert`, `recordHeartbeat`). Run several instances: Kafka spreads the partitions.
 *
 * Exactly once into the database: offsets are committed by hand, only after the database
 * transaction that wrote the messages has committed; a message seen again (the instance died
 * between the two, a rebalance) finds its `(boxId, seq)` claimed and writes nothing.
 *
 * A poison message (not JSON, wrong schema, unknown or unauthenticated box, a batch refused whole,
 * a row the database refuses) never blocks its partition: it is kept in `dead_letters`, produced
 * to `vigie.deadletter.v1` with the reason in headers, and its offset committed. Anything else
 * (the database is down) is retried, with backoff, without committing: nothing is lost or
 * dead-lettered for an outage.
 */
export class KafkaIngestConsumer implements Module {
  readonly name = 'kafka-ingest';
  readonly #o: KafkaIngestOptions;
  readonly #log: Logger;
  readonly #pipeline: TelemetryPipeline;
  readonly #keys: BoxKeyring;
  #consumer: Consumer | null = null;
  #producer: Producer | null = null;
  #admin: Admin | null = null;
  #lagTimer: NodeJS.Timeout | null = null;
  #lagRefresh: Promise<void> | null = null;
  #stopping = false;
  #supervised = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #running = false;
  readonly #metrics = ingestMetrics();

  constructor(options: KafkaIngestOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'kafka-ingest' });
    this.#pipeline = new TelemetryPipeline({ db: options.db, log: options.log, now: options.now, transport: 'kafka' });
    this.#keys = new BoxKeyring(options.db, { now: options.now });
  }

  /** Join the group and start consuming (resolves once subscribed; the first assignment follows). */
  async start(): Promise<void> {
    this.#stopping = false;
    const { kafka: k } = this.#o;
    const kafka = new Kafka({
      clientId: k.clientId,
      brokers: [...k.brokers],
      ...(k.ssl === false ? {} : { ssl: k.ssl === true ? true : { ca: [k.ssl.ca] } }),
      ...(k.sasl ? { sasl: k.sasl } : {}),
      logLevel: logLevel.NOTHING,
    });
    this.#producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false });
    this.#consumer = kafka.consumer({
      groupId: k.groupId,
      allowAutoTopicCreation: true,
      sessionTimeout: this.#o.sessionTimeoutMs ?? this.#o.kafka.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 200,
    });
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      this.#log.error({ err: payload.error, restart: payload.restart }, 'Kafka consumer crashed');
      this.#running = false;
      // kafkajs restarts itself after a retriable crash; after any other, a supervised consumer
      // starts again from scratch rather than stay connected and idle.
      if (!payload.restart && this.#supervised && !this.#stopping) this.#scheduleStart(1_000);
    });
    // Which partitions this instance now owns (after each rebalance): the trace of a scale-out or
    // of a dead instance's partitions moving here.
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#log.info({ groupId: payload.groupId, memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined the consumer group');
    });
    this.#admin = kafka.admin();
    await this.#producer.connect();
    await this.#admin.connect();
    await this.#consumer.connect();
    // From the beginning for a new group: a message produced before the group first existed is
    // still the cloud's to write. An existing group resumes from its committed offsets.
    await this.#consumer.subscribe({ topics: TOPICS, fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#o.partitionsConsumedConcurrently ?? 2,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.#running = true;
    // The lag from the brokers, not only after a commit: a consumer stalled (database down, a
    // partition paused, its owner dead) commits nothing, and its lag must still be seen growing.
    void this.refreshLag();
    this.#lagTimer = setInterval(() => void this.refreshLag(), this.#o.lagIntervalMs ?? 15_000);
    this.#lagTimer.unref();
    this.#log.info({ groupId: k.groupId, brokers: k.brokers.length, tls: k.ssl !== false, sasl: k.sasl?.mechanism ?? null }, 'consuming box topics');
    if (k.insecure) this.#log.warn({ brokers: k.brokers.length }, 'Kafka in plaintext to brokers on other hosts (KAFKA_ALLOW_PLAINTEXT): development only');
  }

  /**
   * Start and keep consuming whatever happens, without blocking the caller (the service's other
   * roles, HTTPS ingest first, must not wait for Kafka): while the brokers are unreachable, try
   * again with exponential backoff and jitter (1 s to 60 s), and start again after a crash that
   * kafkajs does not recover from itself. Stopped by {@link stop}.
   */
  runSupervised(): void {
    this.#supervised = true;
    this.#stopping = false;
    this.#scheduleStart(0);
  }

  #scheduleStart(delayMs: number): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#supervisedStart(delayMs);
    }, delayMs * (0.5 + Math.random() / 2));
  }

  async #supervisedStart(lastDelayMs: number): Promise<void> {
    if (!this.#supervised || this.#stopping) return;
    await this.#disconnect();
    try {
      await this.start();
      // Stopped while starting: leave at once.
      if (!this.#supervised) await this.#disconnect();
    } catch (err) {
      const next = Math.min(60_000, Math.max(1_000, lastDelayMs * 2));
      this.#log.warn({ err, retryInMs: next }, 'Kafka unreachable; consumer not started, retrying');
      await this.#disconnect();
      if (this.#supervised && !this.#stopping) this.#scheduleStart(next);
    }
  }

  /** Leave the group (partitions move to the other instances) and close the clients. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#supervised = false;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    await this.#disconnect();
  }

  /**
   * Readiness (`/readyz`): the consumer runs in its group. Throws with why not: not started yet,
   * brokers unreachable (the supervisor is retrying), crashed.
   */
  async checkReady(): Promise<void> {
    if (!this.#running || !this.#consumer) throw new Error('Kafka consumer not running (brokers unreachable or restarting)');
  }

  /**
   * Read the group's lag on every partition of the box topics from the brokers (committed offset
   * against the end of the partition; no commit yet: from the start, as the group reads a new
   * topic) into `vigie_kafka_consumer_lag_messages`. Every instance reports the whole group, so a
   * partition whose owner died is still seen (the rule takes the max per topic and partition).
   * Timer-driven; an unreachable broker leaves the last figures (readiness says why).
   */
  refreshLag(): Promise<void> {
    const admin = this.#admin;
    if (!admin) return Promise.resolve();
    this.#lagRefresh ??= (async () => {
      for (const topic of TOPICS) {
        try {
          const [committed] = await admin.fetchOffsets({ groupId: this.#o.kafka.groupId, topics: [topic] });
          for (const end of await admin.fetchTopicOffsets(topic)) {
            const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
            const from = offset !== undefined && BigInt(offset) >= 0n ? BigInt(offset) : BigInt(end.low);
            const lag = BigInt(end.high) - from;
            this.#metrics.consumerLag.set({ topic, partition: String(end.partition) }, Number(lag < 0n ? 0n : lag));
          }
        } catch (err) {
          this.#log.debug({ err, topic }, 'could not read the consumer lag');
        }
      }
    })().finally(() => (this.#lagRefresh = null));
    return this.#lagRefresh;
  }

  async #disconnect(): Promise<void> {
    this.#running = false;
    if (this.#lagTimer) clearInterval(this.#lagTimer);
    this.#lagTimer = null;
    await this.#lagRefresh;
    const consumer = this.#consumer;
    const producer = this.#producer;
    const admin = this.#admin;
    this.#consumer = null;
    this.#producer = null;
    this.#admin = null;
    await admin?.disconnect().catch((err: unknown) => this.#log.debug({ err }, 'Kafka admin disconnect failed'));
    await consumer?.disconnect().catch((err: unknown) => this.#log.debug({ err }, 'Kafka consumer disconnect failed'));
    await producer?.disconnect().catch((err: unknown) => this.#log.debug({ err }, 'Kafka producer disconnect failed'));
  }

  /** The underlying consumer (tests: group events). */
  get consumer(): Consumer | null {
    return this.#consumer;
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const chunkSize = batch.topic === KAFKA_TOPICS.telemetry ? (this.#o.chunkSize ?? 500) : 50;
    for (let i = 0; i < batch.messages.length; ) {
      if (!isRunning() || isStale() || this.#stopping) return;
      // At most chunkSize messages and CHUNK_MAX_BYTES of values (a batch may carry 5,000 readings).
      let end = i;
      for (let bytes = 0; end < batch.messages.length && end - i < chunkSize && (end === i || bytes < CHUNK_MAX_BYTES); end++) {
        bytes += batch.messages[end]!.value?.length ?? 0;
      }
      const chunk = batch.messages.slice(i, end);
      const done = await this.#retrying(() => this.#handleChunk(batch.topic, batch.partition, chunk), payload);
      // Not done: stopping or the partition moved; the new owner (or the next run) sees it again.
      if (!done) return;
      // The transaction committed: now, and only now, the offsets.
      const last = chunk.at(-1)!.offset;
      resolveOffset(last);
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
      });
      // What is left of the partition after this commit (the high watermark was read with the batch).
      const lag = BigInt(batch.highWatermark) - (BigInt(last) + 1n);
      this.#metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(lag < 0n ? 0n : lag));
      await heartbeat();
      i += chunk.length;
    }
  }

  /** Run `work` until it succeeds; false when the consumer stops or loses the partition meanwhile. */
  async #retrying(work: () => Promise<void>, payload: EachBatchPayload): Promise<boolean> {
    for (let failures = 1; ; failures++) {
      try {
        await work();
        return true;
      } catch (err) {
        const log = failures === 1 ? this.#log.warn.bind(this.#log) : this.#log.debug.bind(this.#log);
        log({ err, failures, topic: payload.batch.topic, partition: payload.batch.partition }, 'ingest of a Kafka chunk failed; retrying');
        const waitMs = Math.min(5_000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        const until = Date.now() + waitMs;
        while (Date.now() < until) {
          if (!payload.isRunning() || payload.isStale() || this.#stopping) return false;
          await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
        }
        // Keeps the partition while the database is away (throws if the group rebalances).
        await payload.heartbeat();
      }
    }
  }

  /** Decode, authenticate and write one chunk of one partition. Throws only for what a retry can fix. */
  async #handleChunk(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<void> {
    await this.#keys.prefetch(messages.flatMap((m) => (m.key ? [m.key.toString('utf8')] : [])));
    // In parallel: signatures are verified on the thread pool (BoxKeyring.verify).
    const decoded: Decoded[] = await Promise.all(messages.map((message) => this.#decode(topic, partition, message)));
    const dead: DeadLetter[] = decoded.flatMap((d) => ('dead' in d ? [d.dead] : []));
    const usable = decoded.flatMap((d) => ('dead' in d ? [] : [d]));

    if (topic === KAFKA_TOPICS.telemetry) dead.push(...(await this.#writeTelemetry(topic, partition, usable)));
    else {
      for (const item of usable) {
        const refusal = await this.#refusalOf(() =>
          topic === KAFKA_TOPICS.alerts
            ? recordAlert(this.#o.db, item.raw, item.boxId, this.#log).then(() => undefined)
            : recordHeartbeat(this.#o.db, item.raw, item.boxId),
        );
        if (refusal) dead.push(deadLetter(topic, partition, item.message, item.boxId, refusal.reason, refusal.field));
      }
    }
    const kind = topic === KAFKA_TOPICS.telemetry ? 'telemetry' : topic === KAFKA_TOPICS.alerts ? 'alert' : 'heartbeat';
    this.#metrics.messages.inc({ transport: 'kafka', kind }, messages.length);
    if (dead.length === 0) return;
    await recordDeadLetters(this.#o.db, dead);
    await produceDeadLetters(this.#producer!, dead);
    for (const d of dead) this.#metrics.deadLetters.inc({ transport: 'kafka', reason: d.reason });
    for (const d of dead) this.#log.warn({ topic, partition, offset: d.offset, boxId: d.boxId, reason: d.reason, field: d.field }, 'message dead-lettered');
  }

  /** Every usable telemetry message of the chunk in one transaction; returns the refused ones. */
  async #writeTelemetry(topic: string, partition: number, items: ReadonlyArray<Extract<Decoded, { boxId: string }>>): Promise<DeadLetter[]> {
    if (items.length === 0) return [];
    let results;
    try {
      results = await this.#pipeline.processMany(items.map((i) => ({ raw: i.raw, boxId: i.boxId })));
    } catch (err) {
      if (!isDataRefusal(err)) throw err;
      // The database refused a row of the chunk (not an outage): find which, one message at a time.
      if (items.length > 1) {
        const dead: DeadLetter[] = [];
        for (const item of items) dead.push(...(await this.#writeTelemetry(topic, partition, [item])));
        return dead;
      }
      return [deadLetter(topic, partition, items[0]!.message, items[0]!.boxId, 'INGEST_KAFKA_DB_REFUSED', (err as { column?: string }).column ?? null)];
    }
    return results.flatMap((r, i) =>
      r.ok ? [] : [deadLetter(topic, partition, items[i]!.message, items[i]!.boxId, r.error.code, fieldOf(r.error.details))],
    );
  }

  /** A catalogued refusal or a data error of the database becomes a reason; anything else is thrown (retried). */
  async #refusalOf(work: () => Promise<void>): Promise<{ reason: string; field: string | null } | null> {
    try {
      await work();
      return null;
    } catch (err) {
      if (cloudErrors.is(err)) return { reason: err.code, field: fieldOf(err.details) };
      if (isDataRefusal(err)) return { reason: 'INGEST_KAFKA_DB_REFUSED', field: (err as { column?: string }).column ?? null };
      throw err;
    }
  }

  async #decode(topic: string, partition: number, message: KafkaMessage): Promise<Decoded> {
    const key = message.key?.toString('utf8') ?? null;
    const value = message.value ?? Buffer.alloc(0);
    const boxId = header(message, KAFKA_HEADERS.boxId);
    const auth = await this.#keys.verify(key, boxId, header(message, KAFKA_HEADERS.signature), value);
    if ('failure' in auth) return { dead: deadLetter(topic, partition, message, null, 'INGEST_UNAUTHORIZED', auth.failure) };
    let raw: unknown;
    try {
      raw = JSON.parse(value.toString('utf8'));
    } catch {
      return { dead: deadLetter(topic, partition, message, auth.boxId, 'INGEST_KAFKA_NOT_JSON', '/') };
    }
    return { message, boxId: auth.boxId, raw };
  }
}

function header(message: KafkaMessage, name: string): string | null {
  const v = message.headers?.[name];
  if (v === undefined) return null;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? null : one.toString();
}

function deadLetter(topic: string, partition: number, message: KafkaMessage, boxId: string | null, reason: string, field: string | null): DeadLetter {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    boxId,
    reason,
    field,
    value: message.value ?? Buffer.alloc(0),
  };
}

function fieldOf(details: unknown): string | null {
  const field = (details as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' ? field : null;
}
