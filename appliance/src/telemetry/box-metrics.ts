import { readFileSync } from 'node:fs';
import { Gauge, Registry } from 'prom-client';
import { BOX_METRICS, isCataloguedSample, selfTestCheckLabel, type BoxMetricName, type BoxMetricSample } from '@vigie/protocol';
import type { SelfTestRun } from '../selftest/daily-selftest.ts';
import type { BoxDatabase } from '../store/database.ts';

/** What the telemetry process knows beside the store, read at each collection. */
export interface BoxMetricsSources {
  readonly now: () => number;
  readonly bracelet: () => { readonly connected: boolean | null; readonly lastContactAt: number | null };
  readonly modem: () => { readonly registered: boolean; readonly signal: number | null };
  /** Last successful exchange with the cloud (box clock), null before the first. */
  readonly lastUplinkSuccessAt: () => number | null;
  readonly diskFreeBytes: () => number | null;
  /** The daily self-test's latest run (`DailySelfTest.latestRun()`); undefined before the first: the family is absent. */
  readonly selfTest?: () => SelfTestRun | undefined;
  /** `/proc/meminfo` (tests point elsewhere); unreadable: the gauge is absent. */
  readonly meminfoPath?: string;
}

/**
 * The box's metrics (catalogue: `BOX_METRICS` in @vigie/protocol), as prom-client gauges whose
 * `collect()` reads the box store and the telemetry process's view of the bus at each heartbeat.
 * The box is not scraped: {@link samples} turns the registry into the heartbeat's `metrics`.
 *
 * Everything is read from what is already there (the alerts and SMS outbox the safety core
 * writes, the buffer): nothing here runs in, or waits on, the safety core.
 */
export class BoxMetricsCollector {
  readonly #registry = new Registry();
  readonly #s: BoxMetricsSources;
  /** The gauges whose last collection set nothing (a value unknown): left out of the samples. */
  readonly #absent = new Set<string>();

  constructor(db: BoxDatabase, sources: BoxMetricsSources) {
    this.#s = sources;
    const alertsByKindState = db.prepare<[], { kind: string; state: string; n: number }>('SELECT kind, state, count(*) AS n FROM alerts GROUP BY kind, state');
    const smsByState = db.prepare<[], { state: string; n: number }>('SELECT state, count(*) AS n FROM sms_outbox GROUP BY state');
    // Attempts that did not end in `sent`: every attempt of an unsent SMS, all but the last of a sent one.
    const smsFailures = db.prepare<[], { n: number | null }>("SELECT sum(attempts) - sum(state = 'sent') AS n FROM sms_outbox WHERE attempts > 0");
    const starts = db.prepare<[], { process: string; starts: number }>('SELECT process, starts FROM process_starts');
    this.#gauge('vigie_box_alerts', (g) => {
      for (const r of alertsByKindState.all()) g.set({ kind: r.kind, state: r.state }, r.n);
    });
    this.#gauge('vigie_box_sms_messages', (g) => {
      for (const r of smsByState.all()) g.set({ state: r.state }, r.n);
    });
    this.#gauge('vigie_box_sms_send_failures_total', (g) => g.set(Math.max(0, smsFailures.get()?.n ?? 0)));
    this.#gauge('vigie_box_modem_registered', (g) => g.set(this.#s.modem().registered ? 1 : 0));
    this.#gauge('vigie_box_modem_signal_rssi', (g) => {
      const signal = this.#s.modem().signal;
      if (signal !== null) g.set(signal);
    });
    this.#gauge('vigie_box_ble_connected', (g) => {
      const connected = this.#s.bracelet().connected;
      if (connected !== null) g.set(connected ? 1 : 0);
    });
    this.#gauge('vigie_box_ble_last_contact_age_seconds', (g) => {
      const at = this.#s.bracelet().lastContactAt;
      if (at !== null) g.set(ageSeconds(this.#s.now(), at));
    });
    this.#gauge('vigie_box_uplink_lag_seconds', (g) => {
      const at = this.#s.lastUplinkSuccessAt();
      if (at !== null) g.set(ageSeconds(this.#s.now(), at));
    });
    this.#gauge('vigie_box_process_starts_total', (g) => {
      for (const r of starts.all()) g.set({ process: r.process }, r.starts);
    });
    this.#gauge('vigie_box_process_resident_memory_bytes', (g) => g.set({ process: 'telemetry' }, process.memoryUsage.rss()));
    this.#gauge('vigie_box_memory_available_bytes', (g) => {
      const available = memAvailableBytes(this.#s.meminfoPath ?? '/proc/meminfo');
      if (available !== null) g.set(available);
    });
    this.#gauge('vigie_box_disk_free_bytes', (g) => {
      const free = this.#s.diskFreeBytes();
      if (free !== null) g.set(free);
    });
    // The daily self-test's latest run: each check 1 (passed) or 0 (failed); a skipped one (the
    // network with no SIM) has no series, neither passed nor failed.
    this.#gauge('vigie_box_selftest_check_passed', (g) => {
      for (const r of this.#s.selfTest?.()?.results ?? []) if (r.status !== 'skipped') g.set({ check: selfTestCheckLabel(r.check) }, r.status === 'ok' ? 1 : 0);
    });
    this.#gauge('vigie_box_selftest_last_run_timestamp_seconds', (g) => {
      const latest = this.#s.selfTest?.();
      if (latest) g.set(Math.floor(latest.at / 1_000));
    });
  }

  /**
   * The samples for a heartbeat: every gauge collected now, buffer figures added by the caller
   * (the uplink knows them), only catalogued samples kept.
   */
  async samples(buffer: { readonly depth: number; readonly oldestUnsentAt: number | null }): Promise<BoxMetricSample[]> {
    const now = this.#s.now();
    const out: BoxMetricSample[] = [
      { name: 'vigie_box_buffer_readings', value: buffer.depth },
      { name: 'vigie_box_buffer_oldest_unsent_age_seconds', value: buffer.oldestUnsentAt === null ? 0 : ageSeconds(now, buffer.oldestUnsentAt) },
    ];
    for (const metric of await this.#registry.getMetricsAsJSON()) {
      if (this.#absent.has(metric.name)) continue;
      for (const v of metric.values) {
        const labels = Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)]));
        out.push({ name: metric.name, ...(Object.keys(labels).length > 0 ? { labels } : {}), value: v.value });
      }
    }
    return out.filter(isCataloguedSample);
  }

  #gauge(name: BoxMetricName, collect: (g: GaugeSetter) => void): void {
    const spec = BOX_METRICS[name];
    const absent = this.#absent;
    const gauge: Gauge = new Gauge({
      name,
      help: spec.help,
      labelNames: Object.keys(spec.labels),
      registers: [this.#registry],
      collect() {
        // A value a box no longer has (an alert state emptied) must not linger from the last time.
        gauge.reset();
        // prom-client gives an unlabelled gauge 0 after a reset: one nothing set this time is absent, not 0.
        let set = false;
        collect({
          set: (...args: [number] | [Record<string, string>, number]) => {
            set = true;
            if (args.length === 1) gauge.set(args[0]);
            else gauge.set(args[0], args[1]);
          },
        });
        if (set) absent.delete(name);
        else absent.add(name);
      },
    });
  }
}

/** What a gauge's collection may do: set a value (unlabelled) or a labelled one. */
interface GaugeSetter {
  set(value: number): void;
  set(labels: Record<string, string>, value: number): void;
}

function ageSeconds(now: number, at: number): number {
  return Math.max(0, Math.round((now - at) / 1_000));
}

function memAvailableBytes(path: string): number | null {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync(path, 'utf8'));
    return match ? Number(match[1]) * 1_024 : null;
  } catch {
    return null;
  }
}
