import { MAX_READINGS_PER_BATCH, SCHEMA_VERSION, TelemetryBatch, type BatchReceipt } from '@vigie/protocol';
import { silentLogger, type Logger } from '@vigie/common';
import type { Db } from '../db/types.ts';
import { cloudErrors } from '../errors.ts';
import { implausibility } from './plausibility.ts';
import { parseMessage } from './validate.ts';
import { writeTelemetry } from './write-telemetry.ts';

/** The stages every telemetry batch goes through, whatever transport brought it (HTTPS, Kafka). */
export const TELEMETRY_STAGES = ['validate', 'filter', 'write'] as const;
export type TelemetryStage = (typeof TELEMETRY_STAGES)[number];

/** Dependencies of a {@link TelemetryPipeline}. */
export interface PipelineDeps {
  readonly db: Db;
  readonly log?: Logger;
  /** Epoch ms; injected so tests control "now". */
  readonly now?: () => number;
}

/**
 * validate → filter → write, for one batch from an authenticated box. Transports authenticate
 * the box, hand the raw message here and return the receipt; nothing here knows about HTTP.
 */
export class TelemetryPipeline {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(deps: PipelineDeps) {
    this.#db = deps.db;
    this.#log = (deps.log ?? silentLogger()).child({ module: 'telemetry-pipeline' });
    this.#now = deps.now ?? Date.now;
  }

  /** Run one raw batch through every stage. Throws a catalogued error when the batch is refused whole. */
  async process(raw: unknown, boxId: string): Promise<BatchReceipt> {
    const receivedAt = this.#now();
    const batch = await this.#stage('validate', boxId, () => {
      const readings = (raw as { readings?: unknown } | null)?.readings;
      if (Array.isArray(readings) && readings.length > MAX_READINGS_PER_BATCH) {
        throw cloudErrors.create('INGEST_BATCH_TOO_LARGE', {
          message: `A batch carries at most ${MAX_READINGS_PER_BATCH} readings; split it`,
          details: { field: '/readings', max: MAX_READINGS_PER_BATCH },
        });
      }
      return parseMessage(TelemetryBatch, raw, boxId);
    });
    const verdicts = await this.#stage('filter', boxId, () => batch.readings.map((r) => implausibility(r, receivedAt)));
    const outcome = await this.#stage('write', boxId, () => writeTelemetry(this.#db, batch, verdicts, receivedAt));
    if (outcome.duplicate) this.#log.info({ boxId, seq: batch.seq }, 'duplicate batch ignored');
    else this.#log.debug({ boxId, seq: batch.seq, accepted: outcome.accepted, rejected: outcome.rejected }, 'batch written');
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
