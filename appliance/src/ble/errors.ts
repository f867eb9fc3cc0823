import { defineErrors } from '@vigie/common';

/**
 * Errors of the real BLE adapter (`noble-ble.ts`). Each is listed with its cause and fix in
 * `docs/errors.md` (section "appliance (box)"). None is ever thrown out of the adapter: adapter
 * states are reported on the port's `adapter` event, link failures are logged with their code and
 * answered by a reconnection.
 */
export const bleErrors = defineErrors({
  BOX_BLE_UNAVAILABLE: { message: 'The Bluetooth LE library (noble) could not be loaded' },
  BOX_BLE_UNSUPPORTED: { message: 'No usable Bluetooth LE controller on this box' },
  BOX_BLE_UNAUTHORIZED: { message: 'The box process may not use the Bluetooth controller' },
  BOX_BLE_POWERED_OFF: { message: 'The Bluetooth controller is powered off' },
  BOX_BLE_LINK_FAILED: { message: 'Connecting to a BLE device or setting up its characteristics failed' },
  BOX_BLE_NO_KNOWN_CHARACTERISTIC: { message: 'The BLE device offers none of the characteristics a box reads' },
});

/** A code of the BLE catalogue. */
export type BleErrorCode = keyof typeof bleErrors.codes;
