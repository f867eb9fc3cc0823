import type { Logger, Module } from '@vigie/common';
import { BOX_CONFIG_DEFAULTS, type BraceletStatus, type BusReading } from '@vigie/protocol';
import type { Clock } from '../clock.ts';
import type { AlertRaiser } from './alert-raiser.ts';
import type { BoxFile } from '@vigie/provisioning';

/**
 * Per-patient thresholds, as the box file holds them (units, bounds and defaults are documented
 * once, in protocol `BOX_CONFIG_LIMITS.thresholds`; the care team sets them in the portal and the
 * cloud pushes them to the box file through the configuration downlink).
 */
export type VitalThresholds = Readonly<BoxFile['thresholds']>;

/** The defaults (protocol `BOX_CONFIG_DEFAULTS`, the box file's too). */
export const DEFAULT_THRESHOLDS: VitalThresholds = BOX_CONFIG_DEFAULTS.thresholds;

/** An episode: the condition holds; it re-arms only once the condition has cleared. */
interface Episode {
  active: boolean;
  count: number;
}

const episode = (): Episode => ({ active: false, count: 0 });

/**
 * Rules on the readings and status the box receives: hypoxemia at once, sustained bradycardia and
 * tachycardia, bracelet not worn for too long, no data at all for too long (distinct from not
 * worn), bracelet battery low. Each condition raises one alert per episode; the store's source
 * window backs this up across a restart. Never throws.
 */
export class VitalRules implements Module {
  readonly name = 'vital-rules';
  readonly #raiser: AlertRaiser;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #thresholds: () => VitalThresholds;
  readonly #sweepMs: number;
  readonly #episodes = new Map<string, Episode>();
  #lastContact: { braceletId: string; at: number } | null = null;
  #notWornSince: { braceletId: string; at: number } | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { raiser: AlertRaiser; clock: Clock; log: Logger; thresholds: () => VitalThresholds; sweepMs?: number }) {
    this.#raiser = deps.raiser;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#thresholds = deps.thresholds;
    this.#sweepMs = deps.sweepMs ?? 15_000;
  }

  async start(): Promise<void> {
    // Silence is measured from start: a box that boots with no bracelet reports it after the delay.
    this.#lastContact ??= { braceletId: 'unknown', at: this.#clock.now() };
    this.#timer = setInterval(() => this.sweep(), this.#sweepMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
  }

  onReading(msg: BusReading): void {
    const t = this.#thresholds();
    const { braceletId, reading } = msg;
    this.#contact(braceletId);
    switch (reading.metric) {
      case 'spo2':
        this.#track(braceletId, 'hypoxemia', reading.value < t.spo2Min, 1);
        break;
      case 'heart_rate':
        this.#track(braceletId, 'bradycardia', reading.value < t.heartRateLow, t.sustainedReadings);
        this.#track(braceletId, 'tachycardia', reading.value > t.heartRateHigh, t.sustainedReadings);
        break;
      case 'bracelet_battery':
        // Hysteresis: a battery hovering around the threshold must not raise an alert per reading.
        if (reading.value <= t.batteryLowPercent) this.#track(braceletId, 'low_battery', true, 1);
        else if (reading.value > t.batteryLowPercent + 10) this.#track(braceletId, 'low_battery', false, 1);
        break;
      case 'steps':
        break;
      default:
        reading.metric satisfies never;
    }
  }

  onStatus(status: BraceletStatus): void {
    if (status.connected) this.#contact(status.braceletId);
    if (status.worn === false) this.#notWornSince ??= { braceletId: status.braceletId, at: this.#clock.now() };
    if (status.worn === true) {
      this.#notWornSince = null;
      this.#episodes.delete(`${status.braceletId}:not_worn`);
    }
  }

  /** Time-based rules (not worn, no data). Called by the timer; tests call it directly. */
  sweep(): void {
    const t = this.#thresholds();
    const now = this.#clock.now();
    if (this.#notWornSince && now - this.#notWornSince.at >= t.notWornMinutes * 60_000) {
      this.#track(this.#notWornSince.braceletId, 'not_worn', true, 1);
    }
    if (this.#lastContact && now - this.#lastContact.at >= t.noDataMinutes * 60_000) {
      this.#track(this.#lastContact.braceletId, 'no_data', true, 1);
    }
  }

  #contact(braceletId: string): void {
    this.#lastContact = { braceletId, at: this.#clock.now() };
    this.#episodes.delete(`${braceletId}:no_data`);
  }

  #track(braceletId: string, kind: 'hypoxemia' | 'bradycardia' | 'tachycardia' | 'low_battery' | 'not_worn' | 'no_data', holds: boolean, needed: number): void {
    const key = `${braceletId}:${kind}`;
    const e = this.#episodes.get(key) ?? episode();
    if (!holds) {
      if (e.active) this.#log.info({ kind }, 'condition cleared');
      this.#episodes.delete(key);
      return;
    }
    e.count++;
    this.#episodes.set(key, e);
    if (e.active || e.count < needed) return;
    e.active = true;
    // The source is the condition itself: after a restart the store's window recognises it.
    this.#raiser.raise(kind, key);
  }
}
