/**
 * The box's daily self-test (issue 15 item 5), run by the telemetry process: it already hears the
 * safety core's modem status on the bus (the safety core owns the modem's serial line), and a
 * self-test must never take time from the safety core. The result goes in every heartbeat
 * (`selftest`), so support sees it in the fleet view, and is logged with each failed check.
 */
import type { HeartbeatSelfTest, ModemStatus } from '@vigie/protocol';
import type { Logger, Module } from '@vigie/common';
import type { Clock } from '../clock.ts';
import { evaluateSelfTest, type SelfTestObservations, type SelfTestResult } from './checks.ts';
import type { ClockSync } from './clock-sync.ts';
import { freeBytes, portAnswers, storeQuickCheck } from './probes.ts';

/** Once a day; the first run ten minutes after start (the modem status and a bracelet reading have arrived by then). */
export const SELFTEST_INTERVAL_MS = 24 * 60 * 60_000;
export const SELFTEST_FIRST_RUN_MS = 10 * 60_000;
/** A modem status older than this means the safety core stopped publishing it (it does every minute or so). */
const MODEM_STATUS_MAX_AGE_MS = 10 * 60_000;

export interface DailySelfTestDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly busPort: () => number;
  readonly dbPath: string;
  readonly dataDir: string;
  readonly clockSync: ClockSync;
  /** When the bracelet was last heard (a reading or a connected status on the bus); null: never. */
  readonly lastBraceletContactAt: () => number | null;
  /** The safety core's last modem status heard on the bus (null: none yet). */
  readonly modemStatus: () => ModemStatus | null;
  /** Told each run's summary (the telemetry publishes it on the bus for the screen). */
  readonly onResult?: (summary: HeartbeatSelfTest) => void;
  readonly intervalMs?: number;
  readonly firstRunMs?: number;
}

/** One run: when (box clock, ms) and each check's verdict. */
export interface SelfTestRun {
  readonly at: number;
  readonly results: readonly Pick<SelfTestResult, 'check' | 'status'>[];
}

/** Runs the self-test on a timer; `latest()` is what the next heartbeat carries. */
export class DailySelfTest implements Module {
  readonly name = 'daily-selftest';
  readonly #deps: DailySelfTestDeps;
  #timer: NodeJS.Timeout | undefined;
  #latest: HeartbeatSelfTest | undefined;
  #latestRun: SelfTestRun | undefined;
  #running: Promise<SelfTestResult[]> | undefined;

  constructor(deps: DailySelfTestDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    const schedule = (ms: number) => {
      this.#timer = setTimeout(() => {
        void this.runNow().finally(() => schedule(this.#deps.intervalMs ?? SELFTEST_INTERVAL_MS));
      }, ms);
      this.#timer.unref();
    };
    schedule(this.#deps.firstRunMs ?? SELFTEST_FIRST_RUN_MS);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  /** The last run's summary for the heartbeat; undefined before the first run. */
  latest(): HeartbeatSelfTest | undefined {
    return this.#latest;
  }

  /** The last run with every check's verdict (the box metrics: a skipped check is neither passed nor failed). */
  latestRun(): SelfTestRun | undefined {
    return this.#latestRun;
  }

  /** Run the self-test now (also what the timer does). */
  runNow(): Promise<SelfTestResult[]> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run(): Promise<SelfTestResult[]> {
    const d = this.#deps;
    const at = d.clock.now();
    const status = d.modemStatus();
    const fresh = status !== null && at - status.ts <= MODEM_STATUS_MAX_AGE_MS;
    const observations: SelfTestObservations = {
      safetyCoreAlive: await portAnswers(d.busPort()),
      modem: !fresh ? null : status.responding ? { sim: status.sim, registered: status.registered, roaming: false, signal: status.signal, operator: null } : null,
      braceletContactAgeMs: ((last) => (last === null ? null : at - last))(d.lastBraceletContactAt()),
      quickCheck: storeQuickCheck(d.dbPath),
      freeBytes: await freeBytes(d.dataDir),
      clockSynchronised: await d.clockSync.synchronised(),
    };
    const results = evaluateSelfTest(observations);
    const failed = results.filter((r) => r.status === 'failed');
    this.#latest = { at, failed: failed.map((r) => r.check) };
    this.#latestRun = { at, results };
    d.onResult?.(this.#latest);
    if (failed.length === 0) d.log.info('daily self-test passed');
    // Check names and fixes only: no phone number, no medical value.
    else d.log.warn({ failed: failed.map((r) => ({ check: r.check, detail: r.detail, fix: r.fix })) }, 'daily self-test found problems');
    return results;
  }
}
