import type { Logger, Module } from '@vigie/common';
import { AlertEvent, BraceletStatus, ModemStatus, ScreenNoticeState, SelfTestStatus, UpdateStatus, UplinkStatus, topicFilters, topics } from '@vigie/protocol';
import { BusClient } from '../bus/bus-client.ts';
import type { Clock } from '../clock.ts';
import type { Display } from '../display/port.ts';
import { renderScreen } from './screens.ts';
import { screenFor, type ScreenInputs } from './screen-model.ts';

/**
 * The box's status screen: listens to the bus, works out what the patient should see and draws
 * it — at once on a change, and every minute for the clock. Its own process in production: a
 * panel or a canvas that misbehaves cannot touch the safety core.
 */
export class ScreenService implements Module {
  readonly name = 'screen';
  readonly #bus: BusClient;
  readonly #display: Display;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #batteryLowPercent: () => number;
  readonly #alerts = new Map<string, AlertEvent>();
  #bracelet: ScreenInputs['bracelet'] = null;
  #modem: ScreenInputs['modem'] = null;
  #uplink: ScreenInputs['uplink'] = null;
  #selfTest: ScreenInputs['selfTest'] = null;
  #updateStatus: UpdateStatus | null = null;
  #notice: ScreenInputs['notice'] = null;
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  #tick: NodeJS.Timeout | undefined;
  #last = '';

  /** `busSecret` reads the screen's credential for the local bus (subscribe only: bus-acl.ts). */
  constructor(deps: { mqttUrl: () => string; busSecret: () => string; display: Display; clock: Clock; log: Logger; batteryLowPercent: () => number }) {
    this.#display = deps.display;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#batteryLowPercent = deps.batteryLowPercent;
    this.#bus = new BusClient({ name: 'screen', url: deps.mqttUrl, log: deps.log, as: 'screen', secret: deps.busSecret });
    this.#bus
      .subscribe(topicFilters.alerts, AlertEvent, (event) => this.#update(() => this.#alerts.set(event.alertId, event)))
      .subscribe(topicFilters.statuses, BraceletStatus, (status) => this.#update(() => (this.#bracelet = status)))
      .subscribe(topics.modemStatus(), ModemStatus, (status) => this.#update(() => (this.#modem = status)))
      .subscribe(topics.uplinkStatus(), UplinkStatus, (status) => this.#update(() => (this.#uplink = status)))
      .subscribe(topics.selfTestStatus(), SelfTestStatus, (status) => this.#update(() => (this.#selfTest = status)))
      .subscribe(topics.updateStatus(), UpdateStatus, (status) => this.#update(() => (this.#updateStatus = status)))
      .subscribe(topics.screenNotice(), ScreenNoticeState, (state) => this.#update(() => (this.#notice = state.notice)));
  }

  async start(): Promise<void> {
    await this.#display.start();
    await this.#bus.start();
    this.#timer = setInterval(() => this.refresh(), 60_000);
    this.refresh();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    clearTimeout(this.#tick);
    await this.#bus.stop();
    await this.#display.stop();
  }

  /** The state the screen shows now (tests). */
  state() {
    return screenFor(
      { alerts: this.#alerts, bracelet: this.#bracelet, modem: this.#modem, uplink: this.#uplink, selfTest: this.#selfTest, update: this.#updateStatus, batteryLowPercent: this.#batteryLowPercent(), notice: this.#notice },
      this.#clock.now(),
    );
  }

  /** Draw now if what is shown would change (the clock changes it every minute). Never throws. */
  refresh(): void {
    const now = this.#clock.now();
    const state = this.state();
    // A fall's cancel window counts down second by second.
    if (state.kind === 'alert' && state.cancelSecondsLeft !== null) {
      clearTimeout(this.#tick);
      this.#tick = setTimeout(() => this.refresh(), 1_000 - (now % 1_000) + 5);
    }
    const key = `${JSON.stringify(state)}@${Math.floor(now / 60_000)}`;
    if (key === this.#last) return;
    this.#last = key;
    this.#display.show(renderScreen(state, new Date(now))).catch((err: unknown) => {
      this.#last = '';
      this.#log.error({ err, screen: state.kind }, 'could not draw the screen');
    });
  }

  #update(apply: () => void): void {
    apply();
    // Retained messages arrive in a burst at start: draw once they have settled.
    clearTimeout(this.#pending);
    this.#pending = setTimeout(() => this.refresh(), 50);
  }
}
