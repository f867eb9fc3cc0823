import { AlertEvent, BraceletStatus, ModemStatus, UplinkStatus, topicFilters, topics, type UpdateStatus } from '@vigie/protocol';
import type { Logger } from '@vigie/common';
import { BusClient } from '../bus/bus-client.ts';
import type { BoxSnapshot, BoxView } from './box-view.ts';

/**
 * The box as the update agent hears it on the local bus (client `update`: bus-acl.ts): alerts,
 * bracelet, modem and uplink status (all retained), and its own phase published for the screen.
 */
export class BusBoxView implements BoxView {
  readonly bus: BusClient;
  readonly #alerts = new Map<string, AlertEvent>();
  #bracelet: BraceletStatus | null = null;
  #modem: ModemStatus | null = null;
  #uplink: UplinkStatus | null = null;
  readonly #now: () => number;

  constructor(options: { url: () => string; log: Logger; secret: () => string; now?: () => number }) {
    this.#now = options.now ?? Date.now;
    this.bus = new BusClient({ name: 'update', url: options.url, log: options.log, as: 'update', secret: options.secret })
      .subscribe(topicFilters.alerts, AlertEvent, (event) => void this.#alerts.set(event.alertId, event))
      .subscribe(topicFilters.statuses, BraceletStatus, (status) => void (this.#bracelet = status))
      .subscribe(topics.modemStatus(), ModemStatus, (status) => void (this.#modem = status))
      .subscribe(topics.uplinkStatus(), UplinkStatus, (status) => void (this.#uplink = status));
  }

  async start(): Promise<void> {
    await this.bus.start();
  }

  async stop(): Promise<void> {
    await this.bus.stop();
  }

  snapshot(): BoxSnapshot {
    return { alerts: this.#alerts, bracelet: this.#bracelet, modem: this.#modem, uplink: this.#uplink };
  }

  async announce(phase: UpdateStatus['phase'], version: string | null): Promise<void> {
    const status: UpdateStatus = { v: 1, ts: this.#now(), phase, version };
    await this.bus.publish(topics.updateStatus(), status, { qos: 1, retain: true });
  }
}
