import type { Logger, Module } from '@vigie/common';
import type { Publish } from '../bus/bus-client.ts';
import { BleBridge } from './bridge.ts';
import type { BlePort } from './port.ts';

/** How long the box looks for a new bracelet after the pairing button. */
export const PAIRING_WINDOW_MS = 2 * 60_000;

/**
 * The box's BLE link: an adapter and its bridge to the bus, which can be rebuilt to pair a new
 * bracelet. Pairing (the box's pairing button, or the technician's CLI) restarts the adapter with
 * no paired address, so it takes the first bracelet or standard sensor it finds; that device's id
 * is saved as the paired bracelet and the adapter restarts bound to it. A pairing that finds
 * nothing within the window goes back to the previous bracelet.
 */
export class BleLink implements Module {
  readonly name = 'ble-link';
  readonly #createPort: (address: string | undefined) => BlePort;
  readonly #publish: Publish;
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #savePaired: (deviceId: string) => void;
  #address: string | undefined;
  #port: BlePort | undefined;
  #bridge: BleBridge | undefined;
  #pairingTimer: NodeJS.Timeout | undefined;
  #changing: Promise<void> = Promise.resolve();

  constructor(deps: {
    createPort: (address: string | undefined) => BlePort;
    publish: Publish;
    clock: () => number;
    log: Logger;
    address: string | undefined;
    savePaired: (deviceId: string) => void;
  }) {
    this.#createPort = deps.createPort;
    this.#publish = deps.publish;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#savePaired = deps.savePaired;
    this.#address = deps.address;
  }

  /** True while looking for a new bracelet. */
  get pairing(): boolean {
    return this.#pairingTimer !== undefined;
  }

  async start(): Promise<void> {
    await this.#open(this.#address, false);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#pairingTimer);
    this.#pairingTimer = undefined;
    await this.#changing;
    await this.#close();
  }

  /** Look for a new bracelet for a while; the first one found becomes the paired one. */
  startPairing(windowMs = PAIRING_WINDOW_MS): Promise<void> {
    this.#changing = this.#changing.then(async () => {
      if (this.#pairingTimer) return;
      this.#log.warn({ windowMs }, 'pairing: looking for a new bracelet');
      this.#pairingTimer = setTimeout(() => {
        this.#log.warn('pairing: no bracelet found; back to the previous one');
        void this.#endPairing(undefined);
      }, windowMs);
      await this.#close();
      await this.#open(undefined, true);
    });
    return this.#changing;
  }

  #endPairing(found: string | undefined): Promise<void> {
    this.#changing = this.#changing.then(async () => {
      if (!this.#pairingTimer) return;
      clearTimeout(this.#pairingTimer);
      this.#pairingTimer = undefined;
      if (found !== undefined) {
        this.#address = found;
        try {
          this.#savePaired(found);
          this.#log.warn({ deviceId: found }, 'pairing: bracelet paired');
        } catch (err) {
          this.#log.error({ err }, 'pairing: could not save the paired bracelet');
        }
      }
      await this.#close();
      await this.#open(this.#address, false);
    });
    return this.#changing;
  }

  async #open(address: string | undefined, pairing: boolean): Promise<void> {
    const port = this.#createPort(address);
    const bridge = new BleBridge({ ble: port, publish: this.#publish, clock: this.#clock, log: this.#log.child({ module: 'ble-bridge' }) });
    if (pairing) port.once('connected', ({ deviceId }) => void this.#endPairing(deviceId));
    this.#port = port;
    this.#bridge = bridge;
    await bridge.start();
    try {
      await port.start();
    } catch (err) {
      // No controller, adapter off: logged, and the rest of the safety core runs on (the box's
      // button still raises alerts). The adapter reports its state on its own.
      this.#log.error({ err }, 'BLE adapter failed to start');
    }
  }

  async #close(): Promise<void> {
    const port = this.#port;
    const bridge = this.#bridge;
    this.#port = undefined;
    this.#bridge = undefined;
    await port?.stop().catch((err: unknown) => this.#log.warn({ err }, 'BLE adapter stop failed'));
    await bridge?.stop();
  }
}
