import { MAX_READINGS_PER_BATCH, Reading, SCHEMA_VERSION, TelemetryEnvelope, validate, type BatchReceipt, type TelemetryBatch } from '@vigie/protocol';
import { silentLogger, type Logger, type VigieError } from '@vigie/common';
import type { Db } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';
import { cachedBoxProvisionedAt, implausibility } from './plausibility.ts';
import { parseMessage } from './validate.ts';
import { writeTelemetryMany, type FilteredBatch, type WriteOutcome } from './write-telemetry.ts';
import { ingestMetrics, type IngestTransport } from '../metrics/ingest-metrics.ts';

/** The stages every telemetry batch goes through, whatever transport brought it (HTTPS, Kafka). */
export const TELEMETRY_STAGES = ['validate', 'filter', 'write'] as const;
export type TelemetryStage = (typeof TELEMETRY_STAGES)[number];

/** The JSON pointer of the first field of reading `index` that fails the schema, or null. */
function readingProblem(reading: unknown, index: number): string | null {
  const result = validate(Reading, reading, 1);
  if (result.ok) return null;
  const path = result.issues[0]!.path;
  return `/readings/${index}${path === '/' ? '' : path}`;
}

/** What became of one batch of {@link TelemetryPipeline.processMany}: its receipt, or why it was refused. */
export type PipelineResult = { readonly ok: true; readonly receipt: BatchReceipt } | { readonly ok: false; readonly error: VigieError };

/** Dependencies of a {@link TelemetryPipeline}. */
export interface PipelineDeps {
  readonly db: Db;
  readonly log?: Logger;
  /** Epoch ms; injected so tests control "now". */
  readonly now?: () => number;
  /** How the batches arrive (the metrics' `transport` label; default https). */
  readonly transport?: IngestTransport;
}

/**
 * validate → filter → write, for one batch from an authenticated box. Transports authenticate
 * the box, hand the raw message here and return the receipt; nothing here knows about HTTP.
 */
export class TelemetryPipeline {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #transport: IngestTransport;
  readonly #metrics = ingestMetrics();

  constructor(deps: PipelineDeps) {
    this.#db = deps.db;
    this.#transport = deps.transport ?? 'https';
    this.#log = (deps.log ?? silentLogger()).child({ module: 'telemetry-pipeline' });
    this.#now = deps.now ?? Date.now;
  }

  /** Run one raw batch through every stage. Throws a catalogued error when the batch is refused whole. */
  async process(raw: unknown, boxId: string): Promise<BatchReceipt> {
    const timer = this.#metrics.batchDuration.startTimer({ transport: this.#transport });
    const receivedAt = this.#now();
    let filtered: FilteredBatch;
    try {
      filtered = await this.#validateAndFilter(raw, boxId, receivedAt);
    } catch (err) {
      if (cloudErrors.is(err)) this.#metrics.batches.inc({ transport: this.#transport, outcome: 'refused' });
      throw err;
    }
    const outcome = await this.#stage('write', boxId, async () => (await writeTelemetryMany(this.#db, [filtered], receivedAt))[0]!);
    timer();
    return this.#receipt(filtered.batch, outcome);
  }

  /**
   * Several raw batches (a chunk of Kafka messages): each is validated and filtered alone, then
   * every batch that passed is written in ONE transaction (`writeTelemetryMany`). A refused batch
   * is answered with its catalogued error and does not stop the others; a write failure (the
   * database) throws for the whole chunk, of which nothing was written.
   */
  async processMany(items: ReadonlyArray<{ raw: unknown; boxId: string }>): Promise<PipelineResult[]> {
    const timer = this.#metrics.batchDuration.startTimer({ transport: this.#transport });
    const receivedAt = this.#now();
    const results: PipelineResult[] = new Array(items.length);
    const passed: Array<{ index: number; filtered: FilteredBatch }> = [];
    for (const [index, item] of items.entries()) {
      try {
        passed.push({ index, filtered: await this.#validateAndFilter(item.raw, item.boxId, receivedAt) });
      } catch (err) {
        if (!cloudErrors.is(err)) throw err;
        this.#metrics.batches.inc({ transport: this.#transport, outcome: 'refused' });
        results[index] = { ok: false, error: err };
      }
    }
    const outcomes = await this.#stage('write', passed[0]?.filtered.batch.boxId ?? '', () =>
      writeTelemetryMany(this.#db, passed.map((p) => p.filtered), receivedAt),
    );
    passed.forEach((p, i) => {
      results[p.index] = { ok: true, receipt: this.#receipt(p.filtered.batch, outcomes[i]!) };
    });
    timer();
    return results;
  }

  async #validateAndFilter(raw: unknown, boxId: string, receivedAt: number): Promise<FilteredBatch> {
    const batch = await this.#stage('validate', boxId, () => {
      const readings = (raw as { readings?: unknown } | null)?.readings;
      if (Array.isArray(readings) && readings.length > MAX_READINGS_PER_BATCH) {
        throw cloudErrors.create('INGEST_BATCH_TOO_LARGE', {
          message: `A batch carries at most ${MAX_READINGS_PER_BATCH} readings; split it`,
          details: { field: '/readings', max: MAX_READINGS_PER_BATCH },
        });
      }
      return parseMessage(TelemetryEnvelope, raw, boxId);
    });
    // Each reading alone: one that fails the schema is refused with its field, never its batch.
    const fields = batch.readings.map((r, i) => readingProblem(r, i));
    const verdicts = await this.#stage('filter', boxId, async () => {
      const box = { provisionedAt: await cachedBoxProvisionedAt(this.#db, boxId, receivedAt) };
      return (batch.readings as readonly Reading[]).map((r, i) => (fields[i] === null ? implausibility(r, receivedAt, box) : 'invalid_reading'));
    });
    for (const reason of verdicts) if (reason !== null) this.#metrics.readingsRefused.inc({ transport: this.#transport, reason });
    return { batch: batch as TelemetryBatch, verdicts, fields };
  }

  #receipt(batch: TelemetryBatch, outcome: WriteOutcome): BatchReceipt {
    this.#metrics.batches.inc({ transport: this.#transport, outcome: outcome.duplicate ? 'duplicate' : 'written' });
    if (!outcome.duplicate) this.#metrics.readingsWritten.inc({ transport: this.#transport }, outcome.accepted);
    if (outcome.duplicate) this.#log.info({ boxId: batch.boxId, seq: batch.seq }, 'duplicate batch ignored');
    else this.#log.debug({ boxId: batch.boxId, seq: batch.seq, accepted: outcome.accepted, rejected: outcome.rejected }, 'batch written');
    return { v: SCHEMA_VERSION, boxId: batch.boxId, seq: batch.seq, accepted: outcome.accepted, duplicate: outcome.duplicate };
  }

  async #stage<T>(stage: TelemetryStage, boxId: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // Refusals (catalogued errors) are the client's problem and answered as such; anything else
      // is ours, logged with the stage where it happened.
      if (!cloudErrors.is(err)) this.#log.error({ err, stage, boxId }, 'telemetry stage failed');
      else this.#log.debug({ code: err.code, stage, boxId }, 'telemetry refused');
      throw err;
    }
  }
}
