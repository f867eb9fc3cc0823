import { KickLoop, type Logger, type Module } from '@vigie/common';
import { SCHEMA_VERSION, type Heartbeat } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { AlertStore } from '../safety-core/alert-store.ts';
import type { ReadingBuffer } from './buffer/reading-buffer.ts';
import type { SendCadences } from './buffer/send-cadence.ts';
import type { CloudClient } from './cloud-client.ts';

/** Exponential backoff with full jitter (AWS architecture blog), capped. */
export function backoffMs(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * What the rest of the box adds to a heartbeat; the uplink fills in the buffer's own figures.
 * `configVersion` is the configuration in force (null or absent: none received from the cloud).
 */
export type HeartbeatExtras = Omit<
  Heartbeat,
  'v' | 'boxId' | 'at' | 'bufferDepth' | 'oldestUnsentAt' | 'bufferBytes' | 'evictedReadings' | 'configVersion'
> & { configVersion?: number | null };

/** What the uplink needs. */
export interface UplinkDeps {
  boxId: string;
  readings: ReadingBuffer;
  alerts: AlertStore;
  cloud: CloudClient;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  heartbeatMs: number;
  batchSize: number;
  /**
   * When readings are due (read at each check, so a new configuration applies at once). Absent:
   * every reading goes at the next check.
   */
  cadences?: () => SendCadences;
  heartbeat: () => HeartbeatExtras | Promise<HeartbeatExtras>;
  /** Told after every cycle that talked to the cloud whether it answered (for the screen). */
  onCycle?: (online: boolean) => void;
}

/**
 * Store-and-forward to the cloud. Lanes in priority order: alert changes (also pushed at once by
 * `kick()`, and checked again between two batches so a backlog never delays a live alert), then
 * readings oldest first in frozen batches, then the heartbeat. A batch leaves the buffer only when
 * the cloud confirms it (`confirm` after `sendTelemetry` resolved); a failure leaves it frozen, to be
 * resent identically after a backoff. Readings go when due by their cadence
 * (`ReadingBuffer.nextBatch`): a backlog goes back to back in full batches. The SMS path never
 * waits for this module.
 */
export class Uplink implements Module {
  readonly name = 'uplink';
  readonly #d: UplinkDeps;
  readonly #loop: KickLoop;
  #failures = 0;
  #lastHeartbeat = 0;

  constructor(deps: UplinkDeps) {
    this.#d = deps;
    this.#loop = new KickLoop({
      pass: () => this.#cycle(),
      // After a failure, back off (capped at the interval); otherwise the next cycle at the interval.
      nextDelayMs: () => (this.#failures > 0 ? backoffMs(this.#failures, 1_000, Math.max(this.#d.intervalMs, 1_000)) : this.#d.intervalMs),
    });
  }

  async start(): Promise<void> {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** Run a sync cycle now (a new alert, a reconnect). */
  kick(): void {
    this.#loop.kick();
  }

  /** Resolves when no cycle is running (tests). */
  async idle(): Promise<void> {
    await this.#loop.idle();
  }

  async #cycle(): Promise<void> {
    // Whether this cycle talked to the cloud: a check that found nothing due says nothing of it.
    let contacted = false;
    try {
      contacted = (await this.#sendAlerts()) || contacted;
      for (;;) {
        if (this.#loop.stopped) return;
        const batch = this.#d.readings.nextBatch(this.#d.batchSize, this.#d.clock.now(), this.#d.cadences?.());
        if (!batch) break;
        contacted = true;
        try {
          const receipt = await this.#d.cloud.sendTelemetry({
            v: SCHEMA_VERSION,
            boxId: this.#d.boxId,
            seq: batch.seq,
            createdAt: this.#d.clock.now(),
            braceletId: batch.braceletId,
            readings: batch.readings,
          });
          // The cursor moves only on the cloud's confirmation of THIS batch.
          if (receipt?.seq !== batch.seq || receipt.boxId !== this.#d.boxId) {
            throw boxErrors.create('BOX_CLOUD_RECEIPT_MISMATCH', { details: { seq: batch.seq, receiptSeq: receipt?.seq ?? null } });
          }
          this.#d.readings.confirm(batch.seq);
        } catch (err) {
          if (!boxErrors.is(err, 'BOX_CLOUD_REJECTED')) throw err;
          this.#d.readings.reject(batch.seq);
          this.#d.log.error({ seq: batch.seq, details: err.details }, 'cloud refused a telemetry batch; set aside');
        }
        // Alerts raised meanwhile jump the queue of a long backlog.
        await this.#sendAlerts();
      }
      contacted = (await this.#sendHeartbeat()) || contacted;
      // A cycle that found nothing to send proves nothing: the backoff and the status stay as they were.
      if (contacted) {
        if (this.#failures > 0) this.#d.log.info({ after: this.#failures }, 'cloud reachable again');
        this.#failures = 0;
        this.#d.onCycle?.(true);
      }
    } catch (err) {
      this.#failures++;
      const code = boxErrors.is(err) ? err.code : 'BOX_CLOUD_UNREACHABLE';
      const log = this.#failures === 1 ? this.#d.log.warn.bind(this.#d.log) : this.#d.log.debug.bind(this.#d.log);
      log({ code, failures: this.#failures }, 'sync to the cloud failed; will retry');
      this.#d.onCycle?.(false);
    }
  }

  /** Send every alert change the cloud lacks; true when there was one. */
  async #sendAlerts(): Promise<boolean> {
    const events = this.#d.alerts.pendingUploads(this.#d.boxId, 50, this.#d.clock.now());
    for (const event of events) {
      try {
        await this.#d.cloud.sendAlert(event);
      } catch (err) {
        if (!boxErrors.is(err, 'BOX_CLOUD_REJECTED')) throw err;
        this.#d.log.error({ alertId: event.alertId, details: err.details }, 'cloud refused an alert event');
      }
      this.#d.alerts.markUploaded(event.alertId, event.revision);
    }
    return events.length > 0;
  }

  /** Send the heartbeat when its period has passed; true when sent. */
  async #sendHeartbeat(): Promise<boolean> {
    const now = this.#d.clock.now();
    if (this.#lastHeartbeat !== 0 && now - this.#lastHeartbeat < this.#d.heartbeatMs) return false;
    const { depth, oldestTs } = this.#d.readings.depth();
    const { bytes, evictedTotal } = this.#d.readings.usage();
    const extras = await this.#d.heartbeat();
    try {
      await this.#d.cloud.sendHeartbeat({
        v: SCHEMA_VERSION,
        boxId: this.#d.boxId,
        at: now,
        ...extras,
        configVersion: extras.configVersion ?? null,
        bufferDepth: depth,
        oldestUnsentAt: oldestTs,
        bufferBytes: bytes,
        evictedReadings: evictedTotal,
      });
    } catch (err) {
      // The cloud answered and refused this one (4xx): resending it cannot help, and counting it as
      // a failure would show the box offline and slow every later batch with backoff. Dropped; the
      // next period's heartbeat is a new one.
      if (!boxErrors.is(err, 'BOX_CLOUD_REJECTED')) throw err;
      this.#d.log.error({ details: err.details }, 'cloud refused a heartbeat; dropped');
    }
    this.#lastHeartbeat = now;
    return true;
  }
}
