/**
 * Picks the BLE adapter from configuration (style habit 1): `simulated` listens to the bracelet
 * simulator's radio socket; `noble` drives the box's Bluetooth controller. Neither touches a socket
 * or the radio before `start()`, and this file loads no native module (the noble adapter imports
 * noble inside `start()`).
 */
import type { Logger } from '@vigie/common';
import { NobleBle } from './noble-ble.ts';
import type { BlePort } from './port.ts';
import { SimulatedBle } from './simulated-ble.ts';

/** Options of {@link createBle}. */
export type CreateBleOptions =
  | {
      readonly kind: 'simulated';
      /** The bracelet simulator's radio socket (`dataPaths(dir).braceletRadioSocket`). */
      readonly socketPath: string;
      readonly clock: () => number;
      readonly log: Logger;
    }
  | {
      readonly kind: 'noble';
      /** The paired bracelet's address (the box file's `braceletId` when it is one). Unset: the first sensor found. */
      readonly braceletAddress?: string;
      /** HCI controller number (`hci1` → 1). Default: noble's (`NOBLE_HCI_DEVICE_ID`, else the first). */
      readonly hciDeviceId?: number;
      readonly clock: () => number;
      readonly log: Logger;
    };

/** Build the BLE port; nothing is opened until `start()`. */
export function createBle(options: CreateBleOptions): BlePort {
  switch (options.kind) {
    case 'simulated':
      return new SimulatedBle({ socketPath: options.socketPath, clock: options.clock, log: options.log });
    case 'noble':
      return new NobleBle({
        braceletAddress: options.braceletAddress,
        hci: options.hciDeviceId === undefined ? undefined : { deviceId: options.hciDeviceId },
        clock: options.clock,
        log: options.log,
      });
    default:
      return options satisfies never;
  }
}
